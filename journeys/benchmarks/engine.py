"""Engine throughput and peak memory: generate and serialise 24 hours of a large journey to NDJSON.

Run on its own (``python -m journeys.benchmarks.engine``) so the peak memory is the engine's, not a
web app's: ``manage.py bench`` starts it in a fresh process.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from datetime import UTC, datetime, timedelta

from journeys.benchmarks import branching_retail_spec, retail_spec
from journeys.engine.generator import generate

JOURNEYS = {"retail": retail_spec, "branching": branching_retail_spec}


def bench_engine(journeys_per_day: float = 1_000_000, hours: float = 24, journey: str = "retail") -> dict:
    """``journey``: "retail" (the reference example) or "branching" (the same with variants, an end
    state and lognormal delays)."""
    spec = JOURNEYS[journey](journeys_per_day=journeys_per_day)
    start = datetime(2026, 11, 2, tzinfo=UTC)
    events = size = 0
    began, cpu = time.perf_counter(), time.process_time()
    for batch in generate(spec, start, start + timedelta(hours=hours), start - timedelta(days=1)):
        events += len(batch)
        size += batch.nbytes
    seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
    return {
        "journey": spec.name,
        "journeys_per_day": journeys_per_day,
        "range_hours": hours,
        "events": events,
        "ndjson_megabytes": round(size / 1e6, 1),
        "seconds": round(seconds, 2),
        "events_per_second": round(events / seconds),
        # CPU time stays meaningful on a busy machine, where wall time mostly measures the others.
        "cpu_seconds": round(cpu, 2),
        "events_per_cpu_second": round(events / cpu),
        "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


if __name__ == "__main__":
    per_day = float(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    journey = sys.argv[2] if len(sys.argv) > 2 else "retail"
    print(json.dumps(bench_engine(per_day, journey=journey)))
