"""A block simulated for a few journeys holds exactly their events from the full block, whatever the volume."""

import tracemalloc
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from journeys.engine.compiled import BLOCK_MS, compile_journey
from journeys.engine.generator import first_journeys
from journeys.engine.limits import Limits
from journeys.engine.simulate import simulate_block

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
