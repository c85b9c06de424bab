"""The event log benchmark measures what it says: the whole log, every event of the window's journeys."""

from journeys.benchmarks.eventlog import bench_eventlog


def test_it_counts_every_event_of_the_windows_journeys_and_reports_a_rate():
    figures = bench_eventlog("csv", journeys_per_day=20_000, hours=1)

    assert abs(figures["events"] - figures["expected_events"]) < 0.1 * figures["expected_events"]
    assert figures["megabytes"] > figures["events"] * 100 / 1e6  # a CSV row is well over 100 bytes
    assert figures["events_per_second"] > 0
    assert figures["cpu_seconds"] <= figures["seconds"] * 1.1 + 0.05  # one core: no more CPU than wall time
