"""Celery tasks: thin wrappers taking ids and calling services (the schedule is in settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from .delivery_selectors import due_pair_ids
from .models import Run
from .services.delivery import delivery_run
from .services.scheduling import journey_send_now, runs_prune


@shared_task(ignore_result=True)
def schedule_due_runs() -> int:
    """Fan out one delivery task per due journey-destination; returns how many were started."""
    pair_ids = due_pair_ids(now=timezone.now())
    for pair_id in pair_ids:
        # A delivery that waited a whole tick in the queue is dropped: the next tick starts a fresh one.
        deliver_journey_destination.apply_async((pair_id,), expires=settings.BIZFLOW_TICK_SECONDS)
    return len(pair_ids)


@shared_task(ignore_result=True)
def deliver_journey_destination(journey_destination_id: int, kind: str = Run.Kind.SCHEDULED) -> None:
    outcome = delivery_run(
        journey_destination_id=journey_destination_id,
        now=timezone.now(),
        kind=kind,
        budget_seconds=settings.BIZFLOW_RUN_BUDGET_SECONDS,
    )
    if outcome.more:  # a long backfill: carry on in a fresh task, so other pairs get a worker in between
        deliver_journey_destination.apply_async((journey_destination_id, Run.Kind.BACKFILL))


@shared_task(ignore_result=True)
def send_journey_now(journey_id: int) -> None:
    journey_send_now(journey_id=journey_id)


@shared_task(ignore_result=True)
def prune_old_runs() -> int:
    return runs_prune(older_than_days=settings.BIZFLOW_RUN_RETENTION_DAYS)
