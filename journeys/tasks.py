"""Celery tasks: thin wrappers taking ids and calling services (the schedule is in settings.CELERY_BEAT_SCHEDULE)."""

import logging
import time
from datetime import datetime

import redis
from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from bizflow_studio import health

from .models import Destination, Journey, Run
from .services.assets import journey_assets_push
from .services.delivery import delivery_run
from .services.probes import destination_probe
from .services.scheduling import journey_send_now, runs_prune, scheduling_pass

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def schedule_due_runs(now: str | None = None) -> int:
    """The scheduler pass (beat starts one every tick): one query for the due pairs, then one delivery
    task each, queued in bulk; the delivering is the workers'. Returns how many were queued.

    ``now`` (ISO 8601) replays a given moment: every run of the pass delivers up to it.
    """
    try:
        health.pass_started_mark()
    except redis.RedisError:  # the queueing below needs the broker too and will say so
        logger.warning("could not record the scheduler pass's start for /readyz", exc_info=True)
    return scheduling_pass(now=datetime.fromisoformat(now) if now else timezone.now(), replay=bool(now))


@shared_task(ignore_result=True)
def deliver_journey_destination(journey_destination_id: int, kind: str = Run.Kind.SCHEDULED, now: str | None = None):
    outcome = delivery_run(
        journey_destination_id=journey_destination_id,
        now=datetime.fromisoformat(now) if now else timezone.now(),
        kind=kind,
        budget_seconds=settings.BIZFLOW_RUN_BUDGET_SECONDS,
    )
    if outcome.more:  # a long backfill: carry on in a fresh task, so other pairs get a worker in between
        more = {"now": now} if now else {}
        deliver_journey_destination.apply_async((journey_destination_id, Run.Kind.BACKFILL), more)


@shared_task(ignore_result=True)
def deliver_journey_destinations(journey_destination_ids: list[int], now: str | None = None) -> None:
    """A share of a scheduler pass: one run for each pair, one after the other.

    A pair whose run fails unexpectedly is logged and the share goes on with the next. Past the run
    budget (BIZFLOW_RUN_BUDGET_SECONDS), the pairs not started yet go to a fresh share, so that no
    task outlives its time limit; a pair with a long backfill carries on in a task of its own.
    """
    deadline = time.monotonic() + settings.BIZFLOW_RUN_BUDGET_SECONDS
    for index, pair_id in enumerate(journey_destination_ids):
        if index and time.monotonic() >= deadline:
            rest = list(journey_destination_ids[index:])
            deliver_journey_destinations.apply_async((rest,), {"now": now} if now else {})
            return
        try:
            deliver_journey_destination(pair_id, Run.Kind.SCHEDULED, now)
        except Exception:  # noqa: BLE001 - the run records its failure; the share's other pairs still run
            logger.exception("the run of journey-destination %s failed", pair_id)


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
