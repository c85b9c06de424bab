"""The parts of the local Dynatrace receiver; :mod:`journeys.devtools.dynatrace_receiver` assembles them."""
