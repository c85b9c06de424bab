"""A test double of a sink: records every line it takes and fails on demand.

Only the sink is fake: the generator, the services and the database are the real ones. A test
registers a :class:`Recorder` under a name and points a destination's config at it; each fault in its
queue decides what happens to one ``deliver`` call.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import orjson

from journeys.engine.encode import EncodedBatch
from journeys.sinks import register
from journeys.sinks.base import DeliveryError, DeliveryReport, Sink

RECORDERS: dict[str, Recorder] = {}
_names = itertools.count()

# What one deliver() call does, given the batch: return None to take it all, or raise.
Fault = Callable[[EncodedBatch, "Recorder"], None]


@dataclass
class Recorder:
    name: str = field(default_factory=lambda: f"recorder-{next(_names)}")
    lines: list[bytes] = field(default_factory=list)
    calls: int = 0
    faults: deque = field(default_factory=deque)
    now_ms: int | None = None  # when set, a line later than this is a future-dated delivery
    future_dated: list[bytes] = field(default_factory=list)

    def __post_init__(self):
        RECORDERS[self.name] = self

    def take(self, batch: EncodedBatch) -> None:
        if self.now_ms is not None:
            late = np.flatnonzero(batch.ts_ms > self.now_ms)
            self.future_dated.extend(batch.line(int(i)) for i in late)
        self.lines.extend(batch.lines())

    def events(self) -> list[dict]:
        return [orjson.loads(line) for line in self.lines]

    def event_ids(self) -> list[str]:
        return [event["event.id"] for event in self.events()]


@register("test-recorder")
class RecordingSink(Sink):
    # The generator's batches one by one (one per 15-minute bucket), not joined as for real sinks: the
    # tests put their faults between batches of a known size.
    preferred_batch_events = 1

    def deliver(self, batch: EncodedBatch, *, journey_slug: str) -> DeliveryReport:
        recorder = RECORDERS[self.config["recorder"]]
        recorder.calls += 1
        fault = recorder.faults.popleft() if recorder.faults else None
        if fault is not None:
            fault(batch, recorder)
        recorder.take(batch)
        return DeliveryReport(delivered=len(batch), requests=1, bytes_sent=batch.nbytes)


def down(batch, recorder):
    raise DeliveryError("connection refused")


def throttled(seconds: float) -> Fault:
    def fault(batch, recorder):
        raise DeliveryError("429 Too Many Requests", retry_after=seconds)

    return fault


def forbidden(batch, recorder):
    raise DeliveryError("403 Forbidden: the token lacks bizevents.ingest", permanent=True)


def take_then_fail(choose: Callable[[EncodedBatch], int]) -> Fault:
    """Take the first ``choose(batch)`` events, then fail: a connection dropped part-way."""

    def fault(batch, recorder):
        taken = max(0, min(choose(batch), len(batch)))
        recorder.take(batch.slice(0, taken))
        raise DeliveryError(f"connection reset after {taken} events", delivered=taken)

    return fault


def half(batch: EncodedBatch) -> int:
    return len(batch) // 2


def inside_equal_timestamps(batch: EncodedBatch) -> int:
    """A cut between two events that share a millisecond (the middle one if several such places)."""
    places = np.flatnonzero(batch.ts_ms[1:] == batch.ts_ms[:-1]) + 1
    if not len(places):
        return len(batch) // 2
    return int(places[len(places) // 2])


@register("test-rejecting")
class RejectingSink(Sink):
    """Takes every batch but reports its first ``config['reject']`` events as refused."""

    def deliver(self, batch: EncodedBatch, *, journey_slug: str) -> DeliveryReport:
        recorder = RECORDERS[self.config["recorder"]]
        rejected = min(int(self.config.get("reject", 1)), len(batch))
        recorder.take(batch.slice(rejected, len(batch)))
        return DeliveryReport(
            delivered=len(batch) - rejected, rejected=rejected, notes=["events[0]: timestamp is invalid"]
        )
