from .decisions import DecisionSettings
from .journey import ErrorRule, Host, Incident, Journey, Location, SegmentValue, Step

__all__ = ["DecisionSettings", "ErrorRule", "Host", "Incident", "Journey", "Location", "SegmentValue", "Step"]
