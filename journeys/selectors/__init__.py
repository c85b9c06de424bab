"""Reads: ``journeys`` (journeys as rows and as specs, decision samples, the journey list),
``delivery`` (destinations, deliveries, runs, what is due) and ``assets`` (a journey's Business Flow
and dashboard files, their problems and pushes)."""
