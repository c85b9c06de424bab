"""A destination's sink, built in one place for deliveries and connection tests alike.

A sink gets the destination's stored settings plus what only the server may say: for a kind that
writes files (``needs_tenant_folder``), the folder of the destination's tenant, so that a
destination can never write into another tenant's files whatever its stored settings hold.
"""

from __future__ import annotations

from ..models import Destination
from ..sinks import sink_class
from ..sinks.base import TENANT_FOLDER, Sink


def destination_sink(*, destination: Destination, config: dict | None = None) -> Sink:
    """The destination's sink, from ``config`` (default: the stored one) and its decrypted secrets."""
    cls = sink_class(destination.kind)
    config = dict(destination.config if config is None else config)
    config.pop(TENANT_FOLDER, None)
    if getattr(cls, "needs_tenant_folder", False):
        config[TENANT_FOLDER] = destination.tenant.slug
    return cls(config, dict(destination.secrets or {}))
