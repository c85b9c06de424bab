"""Reads: a journey's event log for a window, as a stream of bytes and the name to save it under."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from ..engine.eventlog import FORMATS, log_chunks
from ..models import Journey
from .journeys import journey_to_spec


@dataclass(frozen=True)
class EventLogDownload:
    chunks: Iterator[bytes]  # generated lazily, as the response is sent
    filename: str
    content_type: str


def journey_event_log(
    journey: Journey, *, start: datetime, end: datetime, log_format: str, compress: bool = False
) -> EventLogDownload:
    """The log of the journeys starting in [start, end); the journey is read now, the events as they are sent."""
    chosen = FORMATS[log_format]
    stamp = f"{start:%Y%m%dT%H%M}-{end:%Y%m%dT%H%M}"
    filename = f"{journey.slug}-{stamp}.{chosen.extension}" + (".gz" if compress else "")
    chunks = log_chunks(journey_to_spec(journey), start, end, log_format, compress=compress)
    return EventLogDownload(chunks, filename, "application/gzip" if compress else chosen.content_type)
