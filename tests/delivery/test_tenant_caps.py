"""Delivery under a tenant's caps: events per UTC day shared by its journeys, and a journey's volume."""

from datetime import timedelta

import pytest

from journeys.engine.spec import JourneySpec, Step
from journeys.models import Destination, Run, TenantDailyUsage
from journeys.services.delivery import delivery_catch_up, delivery_run
from journeys.services.destinations import destination_attach
from journeys.services.journeys import journey_create_from_spec
from journeys.services.scheduling import delivery_tick, journey_activate

from .conftest import CLUSTERED, T0, expected_ids
from .fakes import RECORDERS, Recorder, half, take_then_fail

ORIGIN = T0 - timedelta(hours=23, minutes=30)
MIDNIGHT = T0.replace(hour=0) + timedelta(days=1)
SIGNUPS = JourneySpec(
    name="Signups",
    event_provider="test.signups",
    correlation_field="signup.id",
    seed=5,
    journeys_per_day=1500,
    steps=(Step("Sign up", "signup.started"), Step("Verify", "signup.verified", 20, 0.01, 0.2)),
)


@pytest.fixture
def tenant(journey):
    return journey.tenant


def capped(tenant, **caps):
    for name, value in caps.items():
        setattr(tenant, name, value)
    tenant.save()
    return tenant


def activate_to(journey, alice, recorder) -> int:
    destination = Destination.objects.create(
        owner=alice, tenant=journey.tenant, name=recorder.name, kind="test-recorder", config={"recorder": recorder.name}
    )
    pair = destination_attach(journey=journey, destination=destination)
    journey_activate(journey=journey, user=alice, now=T0)
    return pair.pk


def test_it_stops_exactly_at_the_cap_leaving_the_cursor_after_the_last_delivered_event(
    alice, journey, tenant, recorder
):
    capped(tenant, events_per_day_cap=1234)
    pair_id = activate_to(journey, alice, recorder)

    runs = delivery_catch_up(journey_destination_id=pair_id, now=T0)

    assert [(run.outcome, run.delivered) for run in runs] == [(Run.Outcome.PARTIAL, 1234)]
    assert "stopped at the tenant's cap of 1,234 events per day" in runs[0].error
    assert "the rest goes out tomorrow or expires" in runs[0].error
    assert recorder.event_ids() == expected_ids(CLUSTERED, ORIGIN, T0, ORIGIN)[:1234]
    calls = recorder.calls
    later = delivery_run(journey_destination_id=pair_id, now=T0 + timedelta(minutes=5)).run
    assert (later.outcome, later.delivered, recorder.calls) == (Run.Outcome.SKIPPED, 0, calls)
    assert "cap of 1,234" in later.error

    delivery_catch_up(journey_destination_id=pair_id, now=MIDNIGHT)  # a new UTC day: on from the cursor

    assert recorder.event_ids() == expected_ids(CLUSTERED, ORIGIN, MIDNIGHT, ORIGIN)[: 2 * 1234]


@pytest.fixture
def other_recorder():
    recorder = Recorder()
    yield recorder
    RECORDERS.pop(recorder.name, None)


def test_it_shares_the_cap_between_journeys_running_at_the_same_moment(
    alice, journey, tenant, recorder, other_recorder
):
    other = journey_create_from_spec(spec=SIGNUPS, owner=alice, tenant=tenant)
    capped(tenant, events_per_day_cap=2_000)
    pair_id = activate_to(journey, alice, recorder)
    other_pair_id = activate_to(other, alice, other_recorder)
    other_runs = []

    def run_the_other_journey_meanwhile(batch, recorder):
        # This run has reserved its batch and is sending it: the other journey's run happens now.
        other_runs.append(delivery_run(journey_destination_id=other_pair_id, now=T0).run)

    recorder.faults.append(run_the_other_journey_meanwhile)
    [run] = delivery_catch_up(journey_destination_id=pair_id, now=T0)

    total = len(recorder.lines) + len(other_recorder.lines)
    assert total == 2_000
    assert run.delivered + other_runs[0].delivered == 2_000
    assert {run.outcome, other_runs[0].outcome} == {Run.Outcome.PARTIAL}
    assert TenantDailyUsage.objects.get(tenant=tenant).events == 2_000


def test_it_gives_back_what_a_failing_destination_did_not_take(alice, journey, tenant, recorder):
    capped(tenant, events_per_day_cap=100_000)
    pair_id = activate_to(journey, alice, recorder)
    recorder.faults.append(take_then_fail(half))

    run = delivery_run(journey_destination_id=pair_id, now=T0).run

    assert run.outcome == Run.Outcome.PARTIAL and run.delivered == len(recorder.lines) > 0
    assert TenantDailyUsage.objects.get(tenant=tenant).events == run.delivered


def test_it_delivers_nothing_for_a_journey_above_the_volume_cap_and_says_why(alice, journey, tenant, recorder):
    pair_id = activate_to(journey, alice, recorder)
    capped(tenant, journeys_per_day_cap=1000)  # lowered after the journey (3000 a day) was saved

    run = delivery_run(journey_destination_id=pair_id, now=T0).run

    assert (run.outcome, run.delivered, recorder.calls) == (Run.Outcome.SKIPPED, 0, 0)
    assert "3000 journeys per day" in run.error and "cap of 1000" in run.error


def test_it_cuts_a_simulated_day_of_ticks_at_the_cap_and_goes_on_the_next_day(alice, tenant, recorder):
    journey = journey_create_from_spec(spec=SIGNUPS, owner=alice, tenant=tenant)
    activate_to(journey, alice, recorder)
    backfill = len(expected_ids(SIGNUPS, ORIGIN, T0, ORIGIN))
    whole_day = len(expected_ids(SIGNUPS, ORIGIN, MIDNIGHT - timedelta(milliseconds=1), ORIGIN))
    cap = backfill + (whole_day - backfill) // 2
    capped(tenant, events_per_day_cap=cap)

    moment = T0
    while moment < MIDNIGHT:  # every five minutes until the end of the UTC day
        delivery_tick(now=moment)
        moment += timedelta(minutes=5)

    assert recorder.event_ids() == expected_ids(SIGNUPS, ORIGIN, MIDNIGHT, ORIGIN)[:cap]
    runs = list(Run.objects.order_by("started_at", "id"))
    stopped = [run for run in runs if "cap of" in run.error]
    assert stopped[0].outcome == Run.Outcome.PARTIAL and stopped[0].delivered > 0
    assert all(run.outcome == Run.Outcome.SKIPPED for run in stopped[1:]) and len(stopped) > 10

    next_morning = MIDNIGHT + timedelta(hours=1)
    delivery_tick(now=next_morning)

    assert recorder.event_ids() == expected_ids(SIGNUPS, ORIGIN, next_morning, ORIGIN)[: len(recorder.lines)]
    assert len(recorder.lines) > cap
