import sys
from datetime import datetime

from django.core.management.base import BaseCommand, CommandError

from journeys.engine.eventlog import FORMATS, log_chunks
from journeys.models import Journey
from journeys.selectors.journeys import journey_to_spec


def _moment(text: str, option: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option}: '{text}' is not an ISO 8601 date-time (e.g. 2026-11-22T08:00:00Z)") from None
    if moment.tzinfo is None:
        raise CommandError(f"{option}: '{text}' needs a timezone, e.g. a trailing Z for UTC")
    return moment


class Command(BaseCommand):
    help = (
        "Write an event log for process mining (XES, OCEL 2.0 JSON or CSV) of the journeys that start in "
        "[--start, --end), each journey a whole case with all its events."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--start", help="ISO 8601 with timezone: journeys starting from here")
        parser.add_argument("--end", help="ISO 8601 with timezone: up to here, excluded")
        parser.add_argument("--format", dest="log_format", help=" | ".join(FORMATS))
        parser.add_argument("--output", help="file to write (default: standard output)")
        parser.add_argument("--gzip", action="store_true", help="compress the log with gzip")

    def handle(self, *args, slug, start, end, log_format, output, gzip, **options):
        # Checked here rather than by argparse, so that a missing option is one line, like every other mistake.
        for option, value in (("--start", start), ("--end", end), ("--format", log_format)):
            if value is None:
                raise CommandError(f"{option} is required")
        if log_format not in FORMATS:
            raise CommandError(f"--format: '{log_format}' is not one of {', '.join(FORMATS)}")
        start_at, end_at = _moment(start, "--start"), _moment(end, "--end")
        if end_at <= start_at:
            raise CommandError("--end must be after --start")
        if start_at.timestamp() < 0:
            raise CommandError("--start must be in 1970 or later")
        try:
            spec = journey_to_spec(Journey.objects.get(slug=slug))
        except Journey.DoesNotExist:
            raise CommandError(f"no journey with slug '{slug}'") from None
        try:
            stream = open(output, "wb") if output else sys.stdout.buffer  # noqa: SIM115
        except OSError as error:
            raise CommandError(f"--output: cannot write '{output}': {error.strerror}") from None
        size = 0
        try:
            for chunk in log_chunks(spec, start_at, end_at, log_format, compress=gzip):
                stream.write(chunk)
                size += len(chunk)
        finally:
            if output:
                stream.close()
            else:
                stream.flush()
        self.stderr.write(f"{size:,} bytes of {log_format}")
