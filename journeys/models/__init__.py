from .assets import TenantAssets
from .decisions import DecisionSettings
from .delivery import Destination, JourneyDestination, Run
from .journey import ErrorRule, Host, Incident, Journey, Location, SegmentValue, Step, StepVariant, Surge
from .tenancy import AuditEntry, Invitation, Membership, Tenant, TenantDailyUsage

__all__ = [
    "AuditEntry",
    "DecisionSettings",
    "Destination",
    "ErrorRule",
    "Host",
    "Incident",
    "Invitation",
    "Journey",
    "JourneyDestination",
    "Location",
    "Membership",
    "Run",
    "SegmentValue",
    "Step",
    "StepVariant",
    "Surge",
    "Tenant",
    "TenantAssets",
    "TenantDailyUsage",
]
