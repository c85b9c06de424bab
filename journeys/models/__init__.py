from .assets import TenantAssets
from .journey import ErrorRule, Host, Incident, Journey, Location, SegmentValue, Step

__all__ = ["ErrorRule", "Host", "Incident", "Journey", "Location", "SegmentValue", "Step", "TenantAssets"]
