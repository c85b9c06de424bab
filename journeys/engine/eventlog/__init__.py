"""Event logs for process mining: a journey's cases as XES, OCEL 2.0 JSON or CSV, streamed.

``log_chunks(journey, start, end, "xes")`` yields the bytes of a log of every journey that starts in
[start, end), each as a whole case (its later events included, even after ``end``), in order of the
journeys' starts. It reads one 15-minute block of starts at a time, so memory stays bounded by a
block, whatever the window. Same journey and seed, same bytes; ``compress=True`` gzips the stream
(with no timestamp or name in its header, so it is deterministic too).
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

from ..compiled import CompiledJourney, compile_journey
from ..spec import JourneySpec
from .cases import activity_names, case_batches, expected_events
from .csvlog import csv_chunks
from .ocel import ocel_chunks
from .xes import xes_chunks

__all__ = ["FORMATS", "LogFormat", "activity_names", "case_batches", "expected_events", "log_chunks"]


@dataclass(frozen=True)
class LogFormat:
    name: str
    extension: str
    content_type: str
    chunks: Callable[[CompiledJourney, int | datetime, int | datetime], Iterator[bytes]]


FORMATS = {
    "xes": LogFormat("xes", "xes", "application/xml", xes_chunks),
    "ocel": LogFormat("ocel", "jsonocel", "application/json", ocel_chunks),
    "csv": LogFormat("csv", "csv", "text/csv; charset=utf-8", csv_chunks),
}

GZIP_CHUNK_BYTES = 1 << 20


def _gzipped(chunks: Iterator[bytes]) -> Iterator[bytes]:
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0) as compressor:
        for chunk in chunks:
            compressor.write(chunk)
            if buffer.tell() >= GZIP_CHUNK_BYTES:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
    yield buffer.getvalue()


def log_chunks(
    journey: JourneySpec | CompiledJourney,
    start: datetime | int,
    end: datetime | int,
    log_format: str,
    *,
    compress: bool = False,
) -> Iterator[bytes]:
    """The log of the journeys starting in [start, end), as a stream of byte chunks."""
    if log_format not in FORMATS:
        raise ValueError(f"log format must be one of {', '.join(FORMATS)}")
    compiled = journey if isinstance(journey, CompiledJourney) else compile_journey(journey)
    chunks = FORMATS[log_format].chunks(compiled, start, end)
    return _gzipped(chunks) if compress else chunks
