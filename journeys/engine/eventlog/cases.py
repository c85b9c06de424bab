"""Whole journeys as cases: the events of the journeys that start in a window, grouped by journey.

A process-mining log is read case by case, so a log holds every event of each journey that starts in
[start, end), its later steps included even when they fall after ``end``. Every journey is simulated
to its end in the 15-minute block where it starts (see ``simulate.py``), so reading the window's
blocks one at a time gives whole cases in memory bounded by one block: the same events, byte for
byte, that :func:`journeys.engine.generator.generate` sends for those journeys.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from ..columns import EventColumns
from ..compiled import BLOCK_MS, CompiledJourney, compile_journey
from ..encode import rfc3339_strings, uuid_strings
from ..forecast import forecast
from ..generator import to_epoch_ms
from ..simulate import simulate_block
from ..spec import JourneySpec

NO_VALUE = -1


def activity_names(journey: CompiledJourney) -> tuple[str, ...]:
    """The activity of each event type code: the one place that names activities.

    A step's own event type is named after the step (or after the variant that emits it, where a
    step has variants); an error event type ``<event type>.<error>`` is named after the activity
    whose event type it extends and the error, e.g. ``Payment (card_declined)``.
    """
    names_by_type: dict[str, str] = {}
    for step in journey.spec.steps:
        names_by_type.setdefault(step.event_type, step.name)
        for variant in getattr(step, "variants", None) or ():
            names_by_type[variant.event_type] = variant.name
    activities = []
    for code, event_type in enumerate(journey.type_names):
        if not journey.type_is_error[code]:
            activities.append(names_by_type.get(event_type, event_type))
            continue
        base = max((t for t in names_by_type if event_type.startswith(t + ".")), key=len, default=None)
        if base is None:
            activities.append(event_type)
        else:
            activities.append(f"{names_by_type[base]} ({event_type[len(base) + 1 :]})")
    return tuple(activities)


@dataclass(frozen=True)
class CaseBatch:
    """Whole cases, their events contiguous and in order (by time, then by the journey's event number).

    ``case_starts`` indexes each case's first event; the per-case lists (``case_ids`` and the
    ``case_*`` codes) have one entry per case, the per-event ones one per event.
    """

    events: EventColumns
    case_starts: np.ndarray  # int64, first event of each case, plus len(events) at the end
    case_ids: list[str]
    event_ids: list[str]
    timestamps: list[str]  # RFC 3339 UTC with milliseconds
    type_codes: list[int]
    hosts: list[int]  # NO_VALUE: none
    case_locations: list[int]
    case_segments: list[int]
    case_revenue_cents: list[int]
    case_start_timestamps: list[str]

    def __len__(self) -> int:
        return len(self.events)

    @property
    def case_count(self) -> int:
        return len(self.case_ids)


def _as_compiled(journey: JourneySpec | CompiledJourney) -> CompiledJourney:
    return journey if isinstance(journey, CompiledJourney) else compile_journey(journey)


def _in_case_order(events: EventColumns) -> EventColumns:
    """Journeys by start time (ties by id), each journey's events by their number within it."""
    keys = events.correlation.view(">u8").reshape(-1, 2)
    order = np.lexsort((events.seq, keys[:, 1], keys[:, 0], events.journey_start_ms))
    return events.take(order)


def _prepare(events: EventColumns) -> CaseBatch:
    starts = np.flatnonzero(events.seq == 0)
    stamps = rfc3339_strings(events.ts_ms)
    return CaseBatch(
        events=events,
        case_starts=np.append(starts, len(events)).astype(np.int64),
        case_ids=uuid_strings(events.correlation[starts]),
        event_ids=uuid_strings(events.event_id),
        timestamps=stamps,
        type_codes=events.type_code.tolist(),
        hosts=events.host.tolist(),
        case_locations=events.location[starts].tolist(),
        case_segments=events.segment[starts].tolist(),
        case_revenue_cents=events.revenue_cents[starts].tolist(),
        case_start_timestamps=[stamps[i] for i in starts.tolist()],
    )


def case_batches(
    journey: JourneySpec | CompiledJourney, start: datetime | int, end: datetime | int
) -> Iterator[CaseBatch]:
    """The journeys that start in [start, end), whole, one 15-minute block of starts at a time."""
    compiled = _as_compiled(journey)
    start_ms, end_ms = to_epoch_ms(start), to_epoch_ms(end)
    if start_ms < 0:
        raise ValueError("event logs start in 1970 at the earliest")
    if end_ms <= start_ms:
        return
    for block in range(start_ms // BLOCK_MS, (end_ms - 1) // BLOCK_MS + 1):
        events = simulate_block(compiled, block)
        if not len(events):
            continue
        if block * BLOCK_MS < start_ms or (block + 1) * BLOCK_MS > end_ms:
            events = events.take((events.journey_start_ms >= start_ms) & (events.journey_start_ms < end_ms))
            if not len(events):
                continue
        yield _prepare(_in_case_order(events))


def expected_events(journey: JourneySpec | CompiledJourney, start: datetime | int, end: datetime | int) -> float:
    """Expected events of a log of [start, end): expected starts in its blocks times events per journey."""
    compiled = _as_compiled(journey)
    start_ms, end_ms = to_epoch_ms(start), to_epoch_ms(end)
    if end_ms <= start_ms:
        return 0.0
    starts = 0.0
    for block in range(start_ms // BLOCK_MS, (end_ms - 1) // BLOCK_MS + 1):
        covered = min(end_ms, (block + 1) * BLOCK_MS) - max(start_ms, block * BLOCK_MS)
        starts += compiled.starts_per_block(block) * covered / BLOCK_MS
    return starts * forecast(compiled.spec).events_per_journey
