"""Stream a journey's events for a time range: the generator.

``generate_columns(spec, start, end, origin)`` yields, in order, every event whose timestamp lies in
[start, end) of the journeys that start at or after ``origin``. Blocks of journeys are simulated one
at a time; each block's events are dropped into 15-minute output buckets, and a bucket is released as
soon as no later block can add to it (no journey's event precedes its start). Memory therefore stays
bounded by the longest journey's duration, not by the length of the range.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime

import numpy as np

from .columns import EventColumns
from .compiled import BLOCK_MS, CompiledJourney, compile_journey
from .encode import EncodedBatch, Encoder
from .simulate import simulate_block
from .spec import JourneySpec

ENCODE_BATCH_EVENTS = 16_384  # bounds the encoder's scratch memory; sinks re-batch by bytes anyway


def to_epoch_ms(moment: datetime | int) -> int:
    if isinstance(moment, datetime):
        if moment.tzinfo is None:
            raise ValueError(f"{moment.isoformat()} has no timezone: pass an aware datetime")
        return round(moment.timestamp() * 1000)
    return int(moment)


def _split_into_buckets(events: EventColumns):
    """Yield (bucket number, events) for time-sorted events: the events themselves when they all fall in
    one bucket (the usual case for a short range), else a copy of each bucket's part."""
    if not len(events):
        return
    first, last = int(events.ts_ms[0] // BLOCK_MS), int(events.ts_ms[-1] // BLOCK_MS)
    if first == last:
        yield first, events
        return
    edges = np.searchsorted(events.ts_ms, np.arange(first, last + 2, dtype=np.int64) * BLOCK_MS).tolist()
    for bucket, (a, b) in enumerate(zip(edges[:-1], edges[1:], strict=True), start=first):
        if a < b:
            yield bucket, events.take(slice(a, b)).copy()  # a copy, so the block's arrays can be freed


def generate_columns(
    journey: JourneySpec | CompiledJourney,
    start: datetime | int,
    end: datetime | int,
    origin: datetime | int | None = None,
) -> Iterator[EventColumns]:
    """Events in [start, end) of journeys started at or after ``origin`` (default: ``start``)."""
    compiled = journey if isinstance(journey, CompiledJourney) else compile_journey(journey)
    start_ms, end_ms = to_epoch_ms(start), to_epoch_ms(end)
    origin_ms = start_ms if origin is None else to_epoch_ms(origin)
    if start_ms < 0 or origin_ms < 0:
        raise ValueError("generation starts in 1970 at the earliest")
    if end_ms <= start_ms:
        return
    first_block = max(origin_ms, start_ms - compiled.max_duration_ms) // BLOCK_MS
    last_block = (end_ms - 1) // BLOCK_MS
    pending: dict[int, list[EventColumns]] = defaultdict(list)
    for block in range(first_block, last_block + 1):
        events = simulate_block(compiled, block, window=(start_ms, end_ms))  # stops once none can reach it
        if block * BLOCK_MS < origin_ms and len(events):
            events = events.take(events.journey_start_ms >= origin_ms)
        for bucket, part in _split_into_buckets(events):
            pending[bucket].append(part)
        ready = pending.pop(block, None)  # no later block starts before this bucket ends
        if ready:
            merged = EventColumns.concat(ready)
            if len(ready) > 1:  # parts are in block order: a stable sort keeps (block, journey, seq) ties
                merged = merged.take(np.argsort(merged.ts_ms, kind="stable"))
            yield merged


def generate(
    journey: JourneySpec | CompiledJourney,
    start: datetime | int,
    end: datetime | int,
    origin: datetime | int | None = None,
    *,
    timestamp_format: str = "rfc3339",
) -> Iterator[EncodedBatch]:
    """The same events as :func:`generate_columns`, serialised as NDJSON batches."""
    compiled = journey if isinstance(journey, CompiledJourney) else compile_journey(journey)
    encoder = Encoder(compiled, timestamp_format=timestamp_format)
    for columns in generate_columns(compiled, start, end, origin):
        for first in range(0, len(columns), ENCODE_BATCH_EVENTS):
            yield encoder.encode(columns.take(slice(first, first + ENCODE_BATCH_EVENTS)))


def generate_dicts(journey, start, end, origin=None, *, timestamp_format: str = "rfc3339") -> Iterator[dict]:
    """One flat dict per event: convenient for small ranges, samples and tests."""
    for batch in generate(journey, start, end, origin, timestamp_format=timestamp_format):
        yield from batch.to_dicts()


def first_journeys(
    journey: JourneySpec | CompiledJourney, start: datetime | int, count: int, *, max_days: float = 7
) -> list[list[dict]]:
    """The first ``count`` journeys starting at or after ``start``, each whole: every event it will send.

    A journey is simulated to its end in the block where it starts, so this reads only those blocks,
    however long the journeys last, and keeps only the journeys it returns (whatever the volume); the
    events are the ones :func:`generate` sends, byte for byte.
    """
    compiled = journey if isinstance(journey, CompiledJourney) else compile_journey(journey)
    encoder = Encoder(compiled)
    start_ms = to_epoch_ms(start)
    found: list[list[dict]] = []
    first_block = start_ms // BLOCK_MS
    for block in range(first_block, first_block + int(max_days * 24 * 3600 * 1000 // BLOCK_MS) + 1):
        events = simulate_block(compiled, block, from_ms=start_ms, count=count - len(found))
        if not len(events):
            continue
        keys = events.correlation.view("<u8").reshape(-1, 2)
        starts = events.journey_start_ms
        order = np.lexsort((keys[:, 1], keys[:, 0], starts))  # journeys by start time
        seen: dict[bytes, list[int]] = {}
        for index in order.tolist():
            seen.setdefault(events.correlation[index].tobytes(), []).append(index)
        for indexes in list(seen.values())[: count - len(found)]:
            ordered = sorted(indexes, key=lambda i: (int(events.ts_ms[i]), int(events.seq[i])))
            found.append(encoder.encode(events.take(np.array(ordered))).to_dicts())
        if len(found) >= count:
            break
    return found
