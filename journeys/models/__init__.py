from .assets import TenantAssets
from .delivery import Destination, JourneyDestination, Run
from .journey import ErrorRule, Host, Incident, Journey, Location, SegmentValue, Step

__all__ = [
    "Destination",
    "ErrorRule",
    "Host",
    "Incident",
    "Journey",
    "JourneyDestination",
    "Location",
    "Run",
    "SegmentValue",
    "Step",
    "TenantAssets",
]
