from .journey import ErrorRule, Host, Incident, Journey, Location, SegmentValue, Step
from .tenancy import AuditEntry, Membership, Tenant

__all__ = [
    "AuditEntry",
    "ErrorRule",
    "Host",
    "Incident",
    "Journey",
    "Location",
    "Membership",
    "SegmentValue",
    "Step",
    "Tenant",
]
