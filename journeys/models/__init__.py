from .assets import TenantAssets
from .delivery import Destination, JourneyDestination, Run
from .journey import ErrorRule, Host, Incident, Journey, Location, SegmentValue, Step
from .tenancy import AuditEntry, Membership, Tenant

__all__ = [
    "AuditEntry",
    "Destination",
    "ErrorRule",
    "Host",
    "Incident",
    "Journey",
    "JourneyDestination",
    "Location",
    "Membership",
    "Run",
    "SegmentValue",
    "Step",
    "Tenant",
    "TenantAssets",
]
