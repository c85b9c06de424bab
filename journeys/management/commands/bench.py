"""Print the measured figures the project's speed targets are judged by (README, "Measured speed")."""

import json
import subprocess
import sys

from django.core.management.base import BaseCommand
from django.test import override_settings

BENCHMARKS = ("engine", "eventlog", "preview", "dynatrace", "backfill", "tick", "scheduler", "kafka")


class Command(BaseCommand):
    help = "Measure throughput, memory and latency against the project's targets, and print the figures."

    def add_arguments(self, parser):
        parser.add_argument("--journeys-per-day", type=float, default=1_000_000, help="volume for engine and backfill")
        parser.add_argument("--only", choices=BENCHMARKS, action="append", help="run only these (repeatable)")
        parser.add_argument("--events", type=int, default=1_000_000, help="events for the Dynatrace ingest run")
        parser.add_argument("--kafka-events", type=int, default=500_000)
        parser.add_argument(
            "--scheduler-journeys", type=int, action="append", help="active journeys for the scheduler (1000 and 5000)"
        )

    def handle(self, *args, journeys_per_day, only, events, kafka_events, scheduler_journeys, **options):
        # The benchmarks deliver to a receiver and a broker they start themselves on 127.0.0.1 over plain
        # http: the destination address checks (journeys/sinks/url_safety.py) would refuse those.
        with override_settings(HTTP_ALLOW_PLAIN=True, BIZFLOW_ALLOW_PRIVATE_DESTINATIONS=True):
            for name in only or BENCHMARKS:
                kwargs = {
                    "journeys_per_day": journeys_per_day,
                    "events": events,
                    "kafka_events": kafka_events,
                    "scheduler_journeys": scheduler_journeys or [1000, 5000],
                }
                line = getattr(self, f"_{name}")(**kwargs)
                if line:
                    self.stdout.write(line)
                self.stdout.flush()

    def _engine(self, *, journeys_per_day, **_):
        lines = []
        for journey in ("retail", "branching"):
            # A fresh interpreter, so the peak memory reported is the engine's alone.
            engine = subprocess.run(
                [sys.executable, "-m", "journeys.benchmarks.engine", str(journeys_per_day), journey],
                capture_output=True,
                text=True,
                check=True,
            )
            f = json.loads(engine.stdout)
            lines.append(
                f"engine: {f['events']:,} events ({f['ndjson_megabytes']} MB NDJSON) for 24 h of '{f['journey']}' "
                f"at {journeys_per_day:,.0f} journeys/day in {f['seconds']} s: "
                f"{f['events_per_second']:,} events/s on one core ({f['events_per_cpu_second']:,} per CPU second), "
                f"peak memory {f['peak_memory_mb']} MB "
                "(target: >= 500,000 events/s, < 300 MB)"
            )
        return "\n".join(lines)

    def _eventlog(self, *, journeys_per_day, **_):
        lines = []
        for log_format in ("csv", "xes", "ocel"):
            # A fresh interpreter per format, so each peak memory is that writer's alone.
            run = subprocess.run(
                [sys.executable, "-m", "journeys.benchmarks.eventlog", log_format, str(journeys_per_day)],
                capture_output=True,
                text=True,
                check=True,
            )
            f = json.loads(run.stdout)
            target = (
                "(target: >= 200,000 events/s)" if log_format != "ocel" else "(no target: it reads the window twice)"
            )
            lines.append(
                f"event log {log_format}: {f['events']:,} events ({f['megabytes']} MB) of the journeys starting in "
                f"{f['range_hours']:g} h of '{f['journey']}' at {journeys_per_day:,.0f} journeys/day "
                f"in {f['cpu_seconds']} s of CPU ({f['seconds']} s wall): "
                f"{f['events_per_second']:,} events/s on one core, peak memory {f['peak_memory_mb']} MB {target}"
            )
        return "\n".join(lines)

    def _preview(self, **_):
        from journeys.benchmarks.preview import bench_preview
        from journeys.engine.limits import current_limits

        milliseconds = bench_preview(20)
        ceiling = current_limits().journeys_per_day
        at_ceiling = bench_preview(20, journeys_per_day=ceiling)
        return (
            f"preview: a 20-step journey's preview renders in {milliseconds:.1f} ms, median of 9 (target: < 150 ms); "
            f"at {ceiling:,.0f} journeys/day, the largest volume a journey may have, in {at_ceiling:.1f} ms "
            "(target: < 500 ms)"
        )

    def _dynatrace(self, *, events, **_):
        from journeys.benchmarks.dynatrace import bench_dynatrace_ingest

        result = bench_dynatrace_ingest(events, separate_process=True)
        return (
            f"dynatrace: {result.events:,} events generated and delivered by one process to the local receiver in "
            f"{result.seconds:.1f} s: {result.events / result.seconds:,.0f} events/s (target: >= 100,000 events/s)"
        )

    def _backfill(self, *, journeys_per_day, **_):
        from journeys.benchmarks.delivery import bench_backfill_file

        f = bench_backfill_file(journeys_per_day)
        return (
            f"backfill: first activation at {journeys_per_day:,.0f} journeys/day delivered 24 h "
            f"({f['events']:,} events) to files in {f['seconds']} s, "
            f"{f['events_per_second']:,} events/s (target: < 60 s)"
        )

    def _tick(self, **_):
        from journeys.benchmarks.delivery import bench_tick

        f = bench_tick(100)
        return (
            f"tick: one scheduler pass over {f['journeys']} active journeys at "
            f"{f['journeys_per_day_each']:,.0f}/day took {f['seconds']} s "
            f"({f['ms_per_journey']} ms per journey, {f['events']} events) (target: < 5 s)"
        )

    def _scheduler(self, *, scheduler_journeys, **_):
        from journeys.benchmarks.scheduler import bench_scheduler

        lines = []
        for count in scheduler_journeys:
            f = bench_scheduler(count)
            lines.append(
                f"scheduler ({f['database']}): the pass over {f['journeys']:,} active journeys queued {f['queued']:,} "
                f"deliveries in {f['pass_seconds']} s (target: < 2 s at 5,000); one pair's run for a 5-minute "
                f"window at {f['journeys_per_day_each']:,.0f} journeys/day ({f['events_per_pair']} events) took "
                f"{f['pair_ms']} ms (median {f['pair_ms_median']} ms), {f['pair_cpu_ms']} ms of it on the CPU, "
                f"over {f['sample']} pairs (target: < 10 ms)"
            )
            self.stdout.write(lines[-1])
            self.stdout.flush()
        return ""

    def _kafka(self, *, kafka_events, **_):
        from journeys.benchmarks.kafka import bench_kafka

        f = bench_kafka(kafka_events)
        return (
            f"kafka: {f['events']:,} events of ~{f['mean_event_bytes']} B to the local broker: bare producer "
            f"{f['bare_events_per_s']:,}/s, our destination {f['ours_events_per_s']:,}/s, ratio {f['ratio']} "
            f"(median of rounds {f['median_round_ratio']}) (target: >= 0.8)"
        )
