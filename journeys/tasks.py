"""Celery tasks: thin wrappers taking ids and calling services (the schedule is in settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from .models import Destination, Journey, Run
from .selectors.delivery import due_pair_ids
from .services.assets import journey_assets_push
from .services.delivery import delivery_run
from .services.probes import destination_probe
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


@shared_task(ignore_result=True)
def push_journey_assets(journey_id: int, destination_id: int, user_id: int | None) -> None:
    """Push a journey's Business Flow and dashboard to a destination's tenant (outcome on TenantAssets)."""
    journey = Journey.objects.filter(pk=journey_id).first()
    destination = Destination.objects.filter(pk=destination_id).first()
    if journey is None or destination is None:  # deleted while the task waited in the queue
        return
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    journey_assets_push(journey=journey, destination=destination, user=user)


@shared_task(ignore_result=True)
def probe_tenant(journey_destination_id: int, then_deliver: bool = False) -> None:
    """Ask a Dynatrace destination's tenant what it already holds from the journey (finding on the pair);
    ``then_deliver``: start the pair's first run afterwards, so the backfill's own events are not counted."""
    destination_probe(journey_destination_id=journey_destination_id)
    if then_deliver:
        deliver_journey_destination.delay(journey_destination_id)
