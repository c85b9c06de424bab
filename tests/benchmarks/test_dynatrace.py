"""The Dynatrace delivery benchmark runs end to end (its figure is measured from the command line)."""

from __future__ import annotations

from journeys.benchmarks.dynatrace import bench_dynatrace_ingest, retail_batches


def test_it_generates_exactly_the_events_asked_for():
    assert sum(len(batch) for batch in retail_batches(40_000, now=1_795_132_800.0)) == 40_000


def test_it_delivers_every_event_and_reports_a_rate():
    result = bench_dynatrace_ingest(20_000)

    assert result.events == 20_000 and result.events_per_second > 0
    assert result.requests >= result.bytes_sent // (512 * 1024)
    assert "events/s" in str(result)
