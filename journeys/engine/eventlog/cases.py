"""Whole journeys as cases: the events of the journeys that start in a window, grouped by journey.

A process-mining log is read case by case, so a log holds every event of each journey that starts in
[start, end), its later steps included even when they fall after ``end``. Every journey is simulated
to its end in the 15-minute block where it starts (see ``simulate.py``), so reading the window's
blocks one at a time gives whole cases in memory bounded by one block: the same events, byte for
byte, that :func:`journeys.engine.generator.generate` sends for those journeys.
"""

from __future__ import annotations

from collections import Counter
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
from ..spec import JourneySpec, Variant

NO_VALUE = -1
CASE_BATCH_EVENTS = 16_384  # a busy block is cut into batches of about this many events, at case boundaries


@dataclass(frozen=True)
class Activity:
    """What a log says of one event type: its activity name and the way (step or variant) it belongs to."""

    name: str
    way: Variant  # the step as a way through it, or the variant that emits the type


def activities(journey: CompiledJourney) -> tuple[Activity, ...]:
    """The activity of each event type code: the one lookup, keyed by event type, that names activities.

    A step's own event type is named after the step, a variant's after the variant (the step's ways,
    see :meth:`~journeys.engine.spec.Step.ways`); where two ways of the journey share a name, the
    variant's is qualified by its step, ``Payment: Card``, as the Business Flow names it. An error
    event type ``<event type>.<error>`` is named after the activity whose event type it extends and
    the error, e.g. ``Payment (card_declined)``.
    """
    steps = journey.spec.steps
    counts = Counter(way.name for step in steps for way in step.ways())
    ways: dict[str, Activity] = {}
    for step in steps:
        for way in step.ways():
            qualified = step.variants and counts[way.name] > 1
            ways[way.event_type] = Activity(f"{step.name}: {way.name}" if qualified else way.name, way)
    found = []
    for event_type in journey.type_names:
        if event_type in ways:
            found.append(ways[event_type])
            continue
        base = max((t for t in ways if event_type.startswith(t + ".")), key=len)
        found.append(Activity(f"{ways[base].name} ({event_type[len(base) + 1 :]})", ways[base].way))
    return tuple(found)


def activity_names(journey: CompiledJourney) -> tuple[str, ...]:
    return tuple(activity.name for activity in activities(journey))


def carried_by_type(journey: CompiledJourney, attribute: str) -> list[bool]:
    """Per event type code: whether its events carry ``attribute`` (location, segment or revenue)."""
    return [getattr(activity.way, f"carries_{attribute}") for activity in activities(journey)]


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
    """The journeys that start in [start, end), whole, one 15-minute block of starts at a time.

    Memory is bounded by a block's events; the batches handed out hold whole cases of at most about
    ``CASE_BATCH_EVENTS`` events (a single longer journey stays whole).
    """
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
        yield from _batches(_in_case_order(events))


def _batches(events: EventColumns) -> Iterator[CaseBatch]:
    """Whole cases in batches of about CASE_BATCH_EVENTS events, which bounds the writers' strings."""
    if len(events) <= CASE_BATCH_EVENTS:
        yield _prepare(events)
        return
    case_starts = np.flatnonzero(events.seq == 0)
    targets = np.arange(CASE_BATCH_EVENTS, len(events), CASE_BATCH_EVENTS)
    cuts = np.append(case_starts, len(events))[np.searchsorted(case_starts, targets)]  # the next case start
    bounds = np.unique(np.concatenate([[0], cuts, [len(events)]])).tolist()
    for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
        yield _prepare(events.take(slice(lo, hi)))


def expected_events(journey: JourneySpec | CompiledJourney, start: datetime | int, end: datetime | int) -> float:
    """Expected events of a log of [start, end): expected starts (surges included) times events per journey."""
    compiled = _as_compiled(journey)
    start_ms, end_ms = to_epoch_ms(start), to_epoch_ms(end)
    if end_ms <= start_ms:
        return 0.0
    starts = 0.0
    for block in range(start_ms // BLOCK_MS, (end_ms - 1) // BLOCK_MS + 1):
        covered = min(end_ms, (block + 1) * BLOCK_MS) - max(start_ms, block * BLOCK_MS)
        starts += compiled.expected_starts(block) * covered / BLOCK_MS
    return starts * forecast(compiled.spec).events_per_journey
