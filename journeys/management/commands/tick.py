from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from journeys.services.scheduling import delivery_tick


def _parse_now(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--now {value!r} is not an ISO 8601 date and time (e.g. 2026-11-22T08:35:00Z)") from None
    if moment.tzinfo is None:
        raise CommandError(f"--now {value!r} has no timezone: add Z or an offset such as +01:00")
    return moment


class Command(BaseCommand):
    help = (
        "Run one scheduler pass in the foreground: every due journey delivers up to now. "
        "No broker needed. --now replays a given moment; --enqueue hands the pass to the Celery workers instead."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--now", help="deliver as if it were this moment (ISO 8601 with a timezone)")
        parser.add_argument("--enqueue", action="store_true", help="queue the pass for the workers and return")

    def handle(self, *args, now=None, enqueue=False, **options) -> None:
        if enqueue:
            if now:
                raise CommandError("--now replays in the foreground; it cannot be combined with --enqueue")
            from journeys.tasks import schedule_due_runs

            schedule_due_runs.delay()
            self.stdout.write("Queued a scheduler pass.")
            return
        moment = _parse_now(now) if now else timezone.now()
        runs = delivery_tick(now=moment)
        delivered = sum(run.delivered for run in runs)
        expired = sum(run.expired for run in runs)
        failed = [run for run in runs if run.outcome in ("failed", "partial")]
        self.stdout.write(
            f"{moment.isoformat()}: {len(runs)} runs, {delivered} events delivered, {expired} expired, "
            f"{len(failed)} with errors."
        )
        for run in failed:
            self.stdout.write(
                f"  run {run.pk} ({run.journey_destination}): {run.error.splitlines()[0] if run.error else run.outcome}"
            )
