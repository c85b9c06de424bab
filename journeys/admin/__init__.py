"""The admin console: journeys, tenants and their members, destinations, runs and the audit log."""

from . import delivery, journeys, tenancy  # noqa: F401  (each module registers its models)
