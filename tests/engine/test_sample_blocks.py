"""A block simulated for a few journeys, or for a time window, holds exactly those events of the full block,
whatever the volume."""

import tracemalloc
from dataclasses import fields
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from journeys.engine.compiled import BLOCK_MS, compile_journey
from journeys.engine.generator import first_journeys
from journeys.engine.limits import Limits
from journeys.engine.simulate import simulate_block
from journeys.engine.spec import Step

from .helpers import HOUR_MS, branching_journey, journey
from .test_generator import example

NOON = datetime(2026, 3, 4, 12, tzinfo=UTC)


def _columns(events) -> list[tuple]:
    return list(
        zip(
            events.ts_ms.tolist(),
            events.type_code.tolist(),
            events.seq.tolist(),
            events.is_last.tolist(),
            events.journey_start_ms.tolist(),
            [bytes(c) for c in events.correlation],
            [bytes(e) for e in events.event_id],
            strict=True,
        )
    )


@pytest.mark.parametrize("count", [1, 3, 50])
def test_it_keeps_the_very_events_of_the_first_journeys_of_a_full_block(count):
    compiled = compile_journey(example("retail-order-delivery", journeys_per_day=50_000))
    block = int(NOON.timestamp() * 1000) // BLOCK_MS
    from_ms = block * BLOCK_MS + 4 * 60 * 1000
    full = simulate_block(compiled, block)

    few = simulate_block(compiled, block, from_ms=from_ms, count=count)

    starts = np.unique(full.journey_start_ms[full.journey_start_ms >= from_ms])
    last = starts[count - 1]
    expected = full.take((full.journey_start_ms >= from_ms) & (full.journey_start_ms <= last))
    assert len(np.unique(few.journey_start_ms)) == count and _columns(few) == _columns(expected)


def test_it_samples_the_largest_volume_in_a_few_megabytes():
    spec = example("retail-order-delivery", journeys_per_day=Limits().journeys_per_day)
    tracemalloc.start()
    try:
        sample = first_journeys(spec, NOON + timedelta(minutes=3), 3)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(sample) == 3 and peak < 20 * 2**20, f"peak {peak / 2**20:.1f} MiB"


def _same_events(one, other) -> bool:
    return all(np.array_equal(getattr(one, f.name), getattr(other, f.name)) for f in fields(one))


# Fixed delays: a journey's events land exactly as late as the longest delays allow.
FIXED_DELAYS = journey(
    Step("Place order", "order.placed"),
    Step("Pick", "item.picked", min_delay_hours=0.5, max_delay_hours=0.5, max_loops=3),
    Step("Ship", "order.shipped", drop_off_pct=20, min_delay_hours=2, max_delay_hours=2),
    journeys_per_day=20_000,
)


@pytest.mark.parametrize(
    "spec",
    [
        example("retail-order-delivery", journeys_per_day=600),
        example("retail-order-delivery", journeys_per_day=50_000),
        example("insurance-claim", journeys_per_day=2_000),
        branching_journey(journeys_per_day=5_000),
        FIXED_DELAYS,
    ],
    ids=["retail-600", "retail-50000", "insurance", "branching", "fixed-delays"],
)
def test_it_keeps_the_very_events_of_a_full_block_inside_a_time_window(spec):
    compiled = compile_journey(spec)
    block = int(NOON.timestamp() * 1000) // BLOCK_MS
    block_ms = block * BLOCK_MS
    full = simulate_block(compiled, block)
    some_events = full.ts_ms[:: max(1, len(full) // 20)].tolist() + [int(full.ts_ms[-1])]
    starts = [block_ms + offset for offset in (-HOUR_MS, 0, 7 * 60_000, BLOCK_MS, HOUR_MS + 1, 26 * HOUR_MS)]
    for start in starts + some_events + [ts + 1 for ts in some_events]:
        for end in (start + length for length in (1, 60_000, 5 * 60_000, BLOCK_MS, 4 * HOUR_MS)):
            inside = full.take((full.ts_ms >= start) & (full.ts_ms < end))

            windowed = simulate_block(compiled, block, window=(start, end))

            assert _same_events(windowed, inside), (start - block_ms, end - start)
