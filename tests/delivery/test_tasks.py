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


def recording(monkeypatch, task) -> list:
    """Tasks sent through ``task.apply_async``, recorded instead of going to the broker."""
    sent = []

    def record(args, kwargs=None, producer=None, **options):
        sent.append((args, {**(kwargs or {}), **options}))

    monkeypatch.setattr(task, "apply_async", record)
    return sent


@pytest.fixture
def queued(monkeypatch):
    return recording(monkeypatch, tasks.deliver_journey_destination)


@pytest.fixture
def shares(monkeypatch):
    return recording(monkeypatch, tasks.deliver_journey_destinations)


def test_it_queues_one_share_with_every_due_pair(shares, settings, alice, journey, pair, destination):
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
    assert shares == [(([pair.pk],), {"expires": settings.BIZFLOW_TICK_SECONDS})]


def test_it_splits_the_pass_into_shares_of_the_set_size(shares, settings, alice, destination):
    settings.BIZFLOW_PASS_SHARE_PAIRS = 2
    pairs = []
    for _ in range(5):
        journey = journey_create_from_spec(spec=CLUSTERED, owner=alice)
        pairs.append(destination_attach(journey=journey, destination=destination).pk)
        journey_activate(journey=journey, user=alice)

    assert tasks.schedule_due_runs(now="2026-11-20T12:05:00+00:00") == 5

    assert [args[0] for args, _ in shares] == [pairs[0:2], pairs[2:4], pairs[4:]]
    assert {options["now"] for _, options in shares} == {"2026-11-20T12:05:00+00:00"}


def test_a_share_runs_each_of_its_pairs_and_a_failure_stops_none_of_the_others(
    monkeypatch, queued, alice, journey, pair, recorder
):
    journey_activate(journey=journey, user=alice)
    ran = []

    def run(pair_id, kind, now):
        ran.append(pair_id)
        if pair_id == -1:
            raise RuntimeError("unexpected")
        return real(pair_id, kind, now)

    real = tasks.deliver_journey_destination.run
    monkeypatch.setattr(tasks.deliver_journey_destination, "run", run)

    tasks.deliver_journey_destinations([-1, pair.pk, 123456])

    assert ran == [-1, pair.pk, 123456]
    assert list(Run.objects.values_list("journey_destination_id", "outcome")) == [(pair.pk, Run.Outcome.SUCCESS)]


def test_a_share_past_its_budget_hands_the_rest_to_a_fresh_share(
    shares, queued, settings, alice, journey, pair, recorder
):
    settings.BIZFLOW_RUN_BUDGET_SECONDS = 0
    journey_activate(journey=journey, user=alice)

    tasks.deliver_journey_destinations([pair.pk, 7, 8], now="2026-11-20T12:05:00+00:00")

    assert Run.objects.filter(journey_destination=pair).count() == 1  # the first pair always runs
    assert shares == [(([7, 8],), {"now": "2026-11-20T12:05:00+00:00"})]


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
