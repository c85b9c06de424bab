"""The Celery tasks stay thin: they pick the due pairs, call the services and hand over long backfills."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bizflow_studio.celery import app
from journeys import tasks
from journeys.models import Destination, Journey, JourneyDestination, Run
from journeys.services.destinations import destination_attach
from journeys.services.journeys import journey_create_from_spec
from journeys.services.scheduling import journey_activate
from journeys.services.tenancy import tenant_default_for_user

from .conftest import CLUSTERED


@pytest.fixture
def queued(monkeypatch):
    """Tasks sent through apply_async, recorded instead of going to the broker."""
    sent = []

    def record(args, kwargs=None, producer=None, **options):
        sent.append((args, {**(kwargs or {}), **options}))

    monkeypatch.setattr(tasks.deliver_journey_destination, "apply_async", record)
    return sent


def test_it_fans_out_one_delivery_per_due_pair(queued, settings, alice, journey, pair, destination):
    journey_activate(journey=journey, user=alice)
    paused = journey_create_from_spec(spec=CLUSTERED, owner=alice)
    destination_attach(journey=paused, destination=destination)
    stopped = Destination.objects.create(
        owner=alice, tenant=tenant_default_for_user(alice), name="Stopped", kind="file", stopped_reason="403"
    )
    destination_attach(journey=journey, destination=stopped)
    Journey.objects.filter(pk=paused.pk).update(state=Journey.State.PAUSED)

    count = tasks.schedule_due_runs()

    assert count == 1
    assert queued == [((pair.pk,), {"expires": settings.BIZFLOW_TICK_SECONDS})]


def test_it_hands_a_long_backfill_to_a_fresh_task(queued, settings, alice, journey, pair, recorder):
    settings.BIZFLOW_RUN_BUDGET_SECONDS = 0
    journey_activate(journey=journey, user=alice)

    tasks.deliver_journey_destination(pair.pk)

    assert queued == [((pair.pk, Run.Kind.BACKFILL), {})]
    assert len(recorder.lines) > 0


def test_it_does_not_hand_over_once_caught_up(queued, alice, journey, pair, recorder):
    journey_activate(journey=journey, user=alice)

    tasks.deliver_journey_destination(pair.pk)

    assert queued == []
    assert not JourneyDestination.objects.get(pk=pair.pk).is_backfilling


def test_it_ignores_a_pair_deleted_after_it_was_queued(queued, db):
    tasks.deliver_journey_destination(123456)

    assert queued == [] and Run.objects.count() == 0


def test_it_sends_now_for_every_destination_of_the_journey(alice, journey, pair, recorder):
    journey_activate(journey=journey, user=alice)

    tasks.send_journey_now(journey.pk)

    assert list(Run.objects.values_list("kind", "outcome")) == [(Run.Kind.BACKFILL, Run.Outcome.SUCCESS)]
    assert len(recorder.lines) > 0


def test_it_prunes_old_runs_only(settings, pair):
    settings.BIZFLOW_RUN_RETENTION_DAYS = 14
    old = Run.objects.create(
        journey_destination=pair, outcome="success", started_at=timezone.now() - timedelta(days=15)
    )
    recent = Run.objects.create(
        journey_destination=pair, outcome="success", started_at=timezone.now() - timedelta(days=13)
    )

    assert tasks.prune_old_runs() == 1
    assert list(Run.objects.values_list("pk", flat=True)) == [recent.pk] and old.pk != recent.pk


def test_the_beat_schedule_ticks_and_expires_before_the_next_tick(settings):
    entry = app.conf.beat_schedule["schedule-due-runs"]

    assert entry["task"] == tasks.schedule_due_runs.name
    assert entry["schedule"] == settings.BIZFLOW_TICK_SECONDS == 300
    assert 0 < entry["options"]["expires"] < entry["schedule"]
