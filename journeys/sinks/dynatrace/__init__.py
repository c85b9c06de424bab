"""Dynatrace: business events ingest, and the client the asset push shares."""

from .client import DynatraceClient
from .transport import DynatraceSink

__all__ = ["DynatraceClient", "DynatraceSink"]
