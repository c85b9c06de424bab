"""The delivery service against the real generator and database, through a recording test sink."""

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from journeys.engine.generator import generate_columns, generate_dicts, to_epoch_ms
from journeys.models import Destination, JourneyDestination, Run
from journeys.selectors.delivery import due_pair_ids
from journeys.services.delivery import accept_from_ms, delivery_catch_up, delivery_run, max_event_age_ms
from journeys.services.destinations import destination_attach
from journeys.services.scheduling import delivery_tick, journey_activate, journey_pause, journey_resume
from journeys.services.tenancy import tenant_default_for_user

from .conftest import CLUSTERED, T0, expected_ids
from .fakes import down, forbidden, half, inside_equal_timestamps, take_then_fail, throttled

ORIGIN = T0 - timedelta(hours=23, minutes=30)
HOUR_MS = 3_600_000


@pytest.fixture
def active_pair(journey, alice, pair):
    journey_activate(journey=journey, user=alice, now=T0)
    pair.refresh_from_db()
    return pair


def run_once(pair, now, **kwargs):
    return delivery_run(journey_destination_id=pair.pk, now=now, **kwargs).run


def assert_exactly(recorder, ids):
    got = recorder.event_ids()
    assert len(got) == len(set(got)), "an event was delivered twice"
    assert got == ids


def test_it_backfills_the_last_24_hours_less_the_margin(active_pair, recorder):
    runs = delivery_catch_up(journey_destination_id=active_pair.pk, now=T0)

    active_pair.refresh_from_db()
    assert active_pair.origin_ms == to_epoch_ms(ORIGIN)
    assert active_pair.backfill_until_ms == to_epoch_ms(T0)
    assert [run.kind for run in runs] == [Run.Kind.BACKFILL]
    assert_exactly(recorder, expected_ids(CLUSTERED, ORIGIN, T0, ORIGIN))
    assert runs[0].delivered == len(recorder.lines) > 1000


def test_it_starts_no_journey_before_the_backfill_origin(active_pair, recorder):
    delivery_catch_up(journey_destination_id=active_pair.pk, now=T0)

    first_event_of = {}
    for event in recorder.events():
        first_event_of.setdefault(event["order.id"], event)
    assert {event["event.type"] for event in first_event_of.values()} == {"order.placed"}
    assert min(event["timestamp"] for event in first_event_of.values()) >= ORIGIN.isoformat()[:19]
    # Journeys started before the origin do have events in the window: they were left out on purpose.
    earlier = {e["order.id"] for e in generate_dicts(CLUSTERED, ORIGIN, T0, ORIGIN - timedelta(hours=6))}
    assert earlier - set(first_event_of)


def test_it_never_delivers_an_event_before_its_time(active_pair, recorder):
    recorder.now_ms = to_epoch_ms(T0)
    delivery_catch_up(journey_destination_id=active_pair.pk, now=T0)
    for minutes in (5, 10, 15):
        recorder.now_ms = to_epoch_ms(T0 + timedelta(minutes=minutes))
        delivery_catch_up(journey_destination_id=active_pair.pk, now=T0 + timedelta(minutes=minutes))

    assert recorder.future_dated == []
    assert_exactly(recorder, expected_ids(CLUSTERED, ORIGIN, T0 + timedelta(minutes=15), ORIGIN))
    active_pair.refresh_from_db()
    assert active_pair.cursor_ms == to_epoch_ms(T0 + timedelta(minutes=15)) + 1


def test_it_resumes_exactly_after_a_cut_among_equal_timestamps(active_pair, recorder):
    recorder.faults.extend([None, None, take_then_fail(inside_equal_timestamps)])

    first = run_once(active_pair, T0)

    active_pair.refresh_from_db()
    assert first.outcome == Run.Outcome.PARTIAL
    assert active_pair.cursor_skip > 0  # the cut fell among events sharing a millisecond
    assert first.delivered == len(recorder.lines)
    second = run_once(active_pair, T0)
    assert second.outcome == Run.Outcome.SUCCESS
    assert_exactly(recorder, expected_ids(CLUSTERED, ORIGIN, T0, ORIGIN))


@pytest.mark.parametrize("fault", [down, take_then_fail(half), take_then_fail(lambda batch: 1)])
def test_it_resends_nothing_and_loses_nothing_after_a_failure(active_pair, recorder, fault):
    recorder.faults.extend([None, fault, None, fault])

    runs = [run_once(active_pair, T0) for _ in range(3)]

    assert [run.outcome for run in runs][:2] != [Run.Outcome.SUCCESS] * 2
    assert runs[-1].outcome == Run.Outcome.SUCCESS
    assert sum(run.delivered for run in runs) == len(recorder.lines)
    assert_exactly(recorder, expected_ids(CLUSTERED, ORIGIN, T0, ORIGIN))


def test_it_keeps_the_cursor_and_records_the_error_on_a_temporary_failure(active_pair, recorder):
    recorder.faults.append(down)

    run = run_once(active_pair, T0)

    active_pair.refresh_from_db()
    destination = active_pair.destination
    assert (run.outcome, run.delivered, run.error) == (Run.Outcome.FAILED, 0, "connection refused")
    assert run.events_generated > 0  # generated, offered, refused: counted all the same
    assert active_pair.cursor_ms == to_epoch_ms(ORIGIN)
    assert destination.last_error == "connection refused" and destination.last_error_at is not None
    assert not destination.is_stopped


def test_it_waits_as_long_as_the_destination_asks(active_pair, recorder):
    recorder.faults.append(throttled(600))

    run_once(active_pair, T0)

    assert active_pair.pk not in due_pair_ids(now=T0 + timedelta(seconds=599))
    assert active_pair.pk in due_pair_ids(now=T0 + timedelta(seconds=600))


def test_it_stops_the_destination_on_a_permanent_error(active_pair, recorder):
    recorder.faults.append(forbidden)

    run = run_once(active_pair, T0)

    destination = Destination.objects.get(pk=active_pair.destination_id)
    assert run.outcome == Run.Outcome.FAILED
    assert destination.stopped_reason.startswith("403 Forbidden")
    assert due_pair_ids(now=T0) == []
    assert run_once(active_pair, T0).outcome == Run.Outcome.SKIPPED


def test_it_counts_rejected_events_and_does_not_resend_them(journey, alice, recorder):
    destination = Destination.objects.create(
        owner=alice,
        tenant=tenant_default_for_user(alice),
        name="Picky",
        kind="test-rejecting",
        config={"recorder": recorder.name, "reject": 2},
    )
    pair = destination_attach(journey=journey, destination=destination)
    journey_activate(journey=journey, user=alice, now=T0)

    runs = delivery_catch_up(journey_destination_id=pair.pk, now=T0)
    runs += delivery_catch_up(journey_destination_id=pair.pk, now=T0)

    batches = runs[0].rejected // 2
    assert runs[0].outcome == Run.Outcome.PARTIAL and batches > 0
    assert "timestamp is invalid" in runs[0].error
    assert runs[0].delivered + runs[0].rejected == len(expected_ids(CLUSTERED, ORIGIN, T0, ORIGIN))
    assert runs[1].delivered == runs[1].rejected == 0


def test_it_counts_events_too_old_for_the_destination_as_expired(journey, alice, recorder):
    destination = Destination.objects.create(
        owner=alice,
        tenant=tenant_default_for_user(alice),
        name="Short memory",
        kind="test-recorder",
        config={"recorder": recorder.name, "max_event_age_hours": 2},
    )
    pair = destination_attach(journey=journey, destination=destination)
    journey_activate(journey=journey, user=alice, now=T0)
    delivery_catch_up(journey_destination_id=pair.pk, now=T0)
    journey_pause(journey=journey, user=alice)
    later = T0 + timedelta(hours=5)

    journey_resume(journey=journey, user=alice, now=later)
    (run,) = delivery_catch_up(journey_destination_id=pair.pk, now=later)

    origin = T0 - timedelta(hours=2)  # the destination keeps 2 hours: no backfill beyond that
    accept_from = later - timedelta(hours=2)
    too_old = sum(len(c) for c in generate_columns(CLUSTERED, to_epoch_ms(T0) + 1, to_epoch_ms(accept_from), origin))
    assert too_old > 100
    assert run.expired == too_old
    assert run.delivered == len(expected_ids(CLUSTERED, accept_from, later, origin))
    assert_exactly(
        recorder, expected_ids(CLUSTERED, origin, T0, origin) + expected_ids(CLUSTERED, accept_from, later, origin)
    )


def test_it_keeps_dynatrace_events_within_24_hours_less_the_margin(alice):
    destination = Destination(owner=alice, name="Tenant", kind="dynatrace", config={})

    assert max_event_age_ms(destination) == 24 * HOUR_MS - 30 * 60_000
    assert accept_from_ms(destination, to_epoch_ms(T0)) == to_epoch_ms(ORIGIN)
    assert max_event_age_ms(Destination(owner=alice, name="Disk", kind="file", config={})) is None


def test_it_stops_for_pause_and_catches_up_on_resume(journey, alice, active_pair, recorder):
    delivery_tick(now=T0)
    journey_pause(journey=journey, user=alice)

    assert delivery_tick(now=T0 + timedelta(hours=1)) == []
    delivered_while_paused = len(recorder.lines)
    journey_resume(journey=journey, user=alice, now=T0 + timedelta(hours=2))
    runs = delivery_tick(now=T0 + timedelta(hours=2))

    assert len(runs) == 1 and runs[0].delivered > 0
    assert delivered_while_paused == len(expected_ids(CLUSTERED, ORIGIN, T0, ORIGIN))
    assert_exactly(recorder, expected_ids(CLUSTERED, ORIGIN, T0 + timedelta(hours=2), ORIGIN))


def test_it_hands_over_to_a_fresh_run_when_its_time_is_up(active_pair, recorder):
    outcomes = []
    while not outcomes or outcomes[-1].more:
        outcomes.append(delivery_run(journey_destination_id=active_pair.pk, now=T0, budget_seconds=0))

    assert len(outcomes) > 3
    assert all(o.run.kind == Run.Kind.BACKFILL for o in outcomes[:-1])
    assert_exactly(recorder, expected_ids(CLUSTERED, ORIGIN, T0, ORIGIN))


def test_it_shows_backfill_progress(active_pair, recorder):
    assert active_pair.is_backfilling and active_pair.backfill_progress == 0
    delivery_run(journey_destination_id=active_pair.pk, now=T0, budget_seconds=0)

    active_pair.refresh_from_db()
    assert 0 < active_pair.backfill_progress < 1
    delivery_catch_up(journey_destination_id=active_pair.pk, now=T0)
    active_pair.refresh_from_db()
    assert not active_pair.is_backfilling and active_pair.backfill_percent == 100


def test_it_delivers_no_more_than_the_tenants_cap_and_resumes_the_next_day(active_pair, recorder):
    tenant = active_pair.journey.tenant
    tenant.events_per_day_cap = 10
    tenant.save()

    run = run_once(active_pair, T0)

    assert (run.delivered, run.outcome) == (10, Run.Outcome.PARTIAL)
    assert "cap of 10 events per day" in run.error
    tenant.events_per_day_cap = None
    tenant.save()
    run_once(active_pair, T0)
    assert_exactly(recorder, expected_ids(CLUSTERED, ORIGIN, T0, ORIGIN))


def test_it_never_runs_a_pair_twice_at_once(active_pair, recorder):
    JourneyDestination.objects.filter(pk=active_pair.pk).update(
        locked_until=timezone.now() + timedelta(minutes=5), lock_token="someone-else"
    )

    run = run_once(active_pair, T0)

    assert run.outcome == Run.Outcome.SKIPPED and "in progress" in run.error
    assert recorder.calls == 0
    assert active_pair.pk not in due_pair_ids(now=T0)


def test_it_takes_over_a_pair_whose_run_died(active_pair, recorder):
    dead = Run.objects.create(journey_destination=active_pair, started_at=timezone.now() - timedelta(minutes=10))
    JourneyDestination.objects.filter(pk=active_pair.pk).update(
        locked_until=timezone.now() - timedelta(seconds=1), lock_token="dead-worker"
    )

    run = run_once(active_pair, T0)

    dead.refresh_from_db()
    assert run.outcome == Run.Outcome.SUCCESS
    assert dead.outcome == Run.Outcome.FAILED and dead.error.startswith("interrupted")
    assert_exactly(recorder, expected_ids(CLUSTERED, ORIGIN, T0, ORIGIN))


def test_it_stops_without_saving_progress_once_another_run_took_over(active_pair, recorder):
    before_takeover = []

    def taken_over(batch, rec):
        before_takeover.append(len(rec.lines))
        JourneyDestination.objects.filter(pk=active_pair.pk).update(lock_token="a-newer-run")

    recorder.faults.extend([None, taken_over])

    run = run_once(active_pair, T0)

    active_pair.refresh_from_db()
    assert run.outcome == Run.Outcome.PARTIAL and "took over" in run.error
    assert active_pair.lock_token == "a-newer-run"  # its claim is left alone
    assert run.delivered == before_takeover[0] < len(recorder.lines)  # the batch sent after the takeover is not counted


def test_it_writes_one_run_row_per_run(active_pair, recorder):
    delivery_catch_up(journey_destination_id=active_pair.pk, now=T0)
    delivery_catch_up(journey_destination_id=active_pair.pk, now=T0 + timedelta(minutes=5))

    runs = list(Run.objects.filter(journey_destination=active_pair).order_by("id"))
    assert [run.kind for run in runs] == [Run.Kind.BACKFILL, Run.Kind.SCHEDULED]
    assert all(run.finished_at and run.window_start <= run.window_end for run in runs)
    assert runs[1].window_end == T0 + timedelta(minutes=5, milliseconds=1)
    assert Counter(run.outcome for run in runs) == {Run.Outcome.SUCCESS: 2}


def test_a_scheduled_run_costs_a_handful_of_queries(active_pair, recorder, django_assert_max_num_queries):
    # Every active journey-destination runs on every tick, so a run reads the journey from its snapshot
    # (not its ten tables) and saves the last batch's progress and the run's end in one write.
    delivery_catch_up(journey_destination_id=active_pair.pk, now=T0)
    sent = len(recorder.event_ids())

    # Claim, read, run row, reserve from the tenant's daily cap, then one write of the progress, the
    # run's end and the pair given back (two updates, in a savepoint here: the test runs in a
    # transaction): 8.
    with django_assert_max_num_queries(8) as queries:
        run = run_once(active_pair, T0 + timedelta(minutes=5))

    assert run.outcome == Run.Outcome.SUCCESS and run.delivered == len(recorder.event_ids()) - sent > 0
    assert not any("journeys_step" in query["sql"] for query in queries.captured_queries)
    active_pair.refresh_from_db()
    assert active_pair.lock_token == "" and active_pair.locked_until is None
    assert active_pair.cursor_ms == to_epoch_ms(T0 + timedelta(minutes=5)) + 1
    stored = Run.objects.get(pk=run.pk)
    assert (stored.outcome, stored.delivered, stored.window_end) == (Run.Outcome.SUCCESS, run.delivered, run.window_end)
    assert stored.finished_at is not None
