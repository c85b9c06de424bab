from .decisions import DecisionSettings
from .delivery import Destination, JourneyDestination, Run
from .journey import ErrorRule, Host, Incident, Journey, Location, SegmentValue, Step

__all__ = [
    "DecisionSettings",
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
]
