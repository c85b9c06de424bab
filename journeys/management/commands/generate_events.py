import sys

from django.core.management.base import BaseCommand, CommandError

from journeys.engine.decision_stream import generate_decision_stream
from journeys.engine.generator import generate
from journeys.management.commands._arguments import journey_by_slug, moment
from journeys.selectors.journeys import journey_decisions, journey_to_spec


class Command(BaseCommand):
    help = (
        "Write a journey's events for a time range as NDJSON (one event per line); with --decisions, the "
        "decision execution events of its decision steps instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--start", required=True, help="ISO 8601 with timezone, included")
        parser.add_argument("--end", required=True, help="ISO 8601 with timezone, excluded")
        parser.add_argument("--origin", help="journeys starting before this are not generated (default: --start)")
        parser.add_argument("--seed", type=int, help="override the journey's seed")
        parser.add_argument("--timestamp-format", choices=["rfc3339", "epoch_ms"], default="rfc3339")
        parser.add_argument("--output", help="file to write (default: standard output)")
        parser.add_argument(
            "--decisions", action="store_true", help="the decision events of the steps with decision settings"
        )

    def handle(self, *args, slug, start, end, origin, seed, timestamp_format, output, decisions, **options):
        journey = journey_by_slug(slug)
        spec = journey_to_spec(journey)
        settings = [decision for _, decision in journey_decisions(journey)]
        if decisions and not settings:
            raise CommandError(f"journey '{slug}' has no decision step with decision settings")
        if seed is not None:
            from dataclasses import replace

            spec = replace(spec, seed=seed)
        start_at, end_at = moment(start, "--start"), moment(end, "--end")
        origin_at = moment(origin, "--origin") if origin else None
        if end_at <= start_at:
            raise CommandError("--end must be after --start")
        stream = open(output, "wb") if output else sys.stdout.buffer  # noqa: SIM115
        count = 0
        try:
            if decisions:
                batches = generate_decision_stream(spec, settings, start_at, end_at, origin_at)
            else:
                batches = generate(spec, start_at, end_at, origin_at, timestamp_format=timestamp_format)
            for batch in batches:
                stream.write(batch.data)
                count += len(batch)
        finally:
            if output:
                stream.close()
            else:
                stream.flush()
        self.stderr.write(f"{count} events")
