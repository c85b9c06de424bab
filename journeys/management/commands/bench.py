"""Print the measured figures the project's speed targets are judged by."""

import json
import subprocess
import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Measure engine throughput and peak memory (and the other benchmarks) and print the figures."

    def add_arguments(self, parser):
        parser.add_argument("--journeys-per-day", type=float, default=1_000_000)
        parser.add_argument("--only", choices=["engine"], help="run one benchmark only")

    def handle(self, *args, journeys_per_day, only, **options):
        # A fresh interpreter, so the peak memory reported is the engine's alone.
        engine = subprocess.run(
            [sys.executable, "-m", "journeys.benchmarks.engine", str(journeys_per_day)],
            capture_output=True,
            text=True,
            check=True,
        )
        figures = json.loads(engine.stdout)
        self.stdout.write(
            f"engine: {figures['events']:,} events ({figures['ndjson_megabytes']} MB NDJSON) for 24 h of "
            f"'{figures['journey']}' at {journeys_per_day:,.0f} journeys/day in {figures['seconds']} s: "
            f"{figures['events_per_second']:,} events/s on one core, peak memory {figures['peak_memory_mb']} MB "
            "(target: >= 500,000 events/s, < 300 MB)"
        )
