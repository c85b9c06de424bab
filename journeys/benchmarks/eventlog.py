"""Event log throughput and peak memory: the log of 6 busy hours of a large journey's starts, written to nowhere.

The rate is events per second of the process's own CPU time (one core), which the other work on a
shared machine does not change; the wall-clock seconds are reported beside it.

Each format runs in a fresh interpreter (``python -m journeys.benchmarks.eventlog FORMAT PER_DAY``), so
its peak memory is the writer's alone: ``manage.py bench`` starts one per format. The events counted
are every event of the journeys that start in the window, their later steps included.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from datetime import UTC, datetime, timedelta

from journeys.benchmarks import retail_spec
from journeys.engine.compiled import compile_journey
from journeys.engine.eventlog import FORMATS, expected_events, log_chunks
from journeys.engine.eventlog.cases import case_batches

HOURS = 6


def bench_eventlog(log_format: str, journeys_per_day: float = 1_000_000, hours: float = HOURS) -> dict:
    journey = compile_journey(retail_spec(journeys_per_day=journeys_per_day))
    start = datetime(2026, 11, 2, 9, tzinfo=UTC)  # the example's busiest hours
    end = start + timedelta(hours=hours)
    size = 0
    began, began_cpu = time.perf_counter(), time.process_time()
    for chunk in log_chunks(journey, start, end, log_format):
        size += len(chunk)
    seconds, cpu_seconds = time.perf_counter() - began, time.process_time() - began_cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    events = sum(len(cases) for cases in case_batches(journey, start, end))  # counted after the peak was read
    return {
        "format": log_format,
        "journey": journey.spec.name,
        "journeys_per_day": journeys_per_day,
        "range_hours": hours,
        "events": events,
        "expected_events": round(expected_events(journey, start, end)),
        "megabytes": round(size / 1e6, 1),
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu_seconds, 2),
        "events_per_second": round(events / cpu_seconds),
        "peak_memory_mb": round(peak, 1),
    }


if __name__ == "__main__":
    log_format = sys.argv[1] if len(sys.argv) > 1 else "csv"
    if log_format not in FORMATS:
        raise SystemExit(f"format must be one of {', '.join(FORMATS)}")
    per_day = float(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    print(json.dumps(bench_eventlog(log_format, per_day)))
