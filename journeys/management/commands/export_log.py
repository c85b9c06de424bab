import sys

from django.core.management.base import BaseCommand, CommandError

from journeys.engine.eventlog import FORMATS, log_chunks
from journeys.management.commands._arguments import journey_by_slug, moment
from journeys.selectors.journeys import journey_to_spec


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
        start_at, end_at = moment(start, "--start"), moment(end, "--end")
        if end_at <= start_at:
            raise CommandError("--end must be after --start")
        if start_at.timestamp() < 0:
            raise CommandError("--start must be in 1970 or later")
        spec = journey_to_spec(journey_by_slug(slug))
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
