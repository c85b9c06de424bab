"""A whole day on the schedule, replayed with ``tick --now`` every five minutes while the destination misbehaves.

At the end the destination holds exactly the events the engine generates for the day: none
missing, none twice, none delivered before its time.
"""

from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from journeys.engine.generator import to_epoch_ms
from journeys.engine.spec import JourneySpec, Step
from journeys.models import Run
from journeys.services.destinations import destination_attach
from journeys.services.journeys import journey_create_from_spec
from journeys.services.scheduling import journey_activate

from .conftest import CLUSTERED, T0, expected_ids
from .fakes import down, half, inside_equal_timestamps, take_then_fail, throttled

QUICK = JourneySpec(
    name="Quick signups",
    event_provider="test.signups",
    correlation_field="signup.id",
    seed=99,
    journeys_per_day=1500,
    steps=(Step("Sign up", "signup.started"), Step("Verify", "signup.verified", 20, 0.01, 0.2, max_loops=2)),
)


def faults_for(tick: int) -> list:
    """What goes wrong at this tick: down, throttled, half taken, cut among equal timestamps."""
    faults = []
    if tick % 7 == 3:
        faults.append(down)
    if tick % 29 == 11:
        faults.append(throttled(900))
    if tick % 5 == 1:
        faults.append(take_then_fail(half))
    if tick % 13 == 0:
        faults.append(take_then_fail(inside_equal_timestamps))
    if tick % 17 == 8:
        faults.append(take_then_fail(lambda batch: len(batch) - 1))
    return faults


def tick(moment) -> str:
    out = StringIO()
    call_command("tick", now=moment.isoformat(), stdout=out)
    return out.getvalue()


@pytest.mark.slow
def test_it_delivers_exactly_a_days_events_through_failures(alice, journey, destination, recorder):
    quick = journey_create_from_spec(spec=QUICK, owner=alice)
    for each in (journey, quick):
        destination_attach(journey=each, destination=destination)
        journey_activate(journey=each, user=alice, now=T0)
    origin = T0 - timedelta(hours=23, minutes=30)

    for number in range(24 * 12 + 1):
        moment = T0 + timedelta(minutes=5 * number)
        recorder.now_ms = to_epoch_ms(moment)
        recorder.faults.extend(faults_for(number))
        tick(moment)
    end = T0 + timedelta(hours=24, minutes=30)  # one quiet tick after the last Retry-After has passed
    recorder.now_ms = to_epoch_ms(end)
    recorder.faults.clear()
    tick(end)

    assert recorder.future_dated == []
    by_provider = {"test.clustered": [], "test.signups": []}
    for event in recorder.events():
        by_provider[event["event.provider"]].append(event["event.id"])
    for spec in (CLUSTERED, QUICK):
        got, want = by_provider[spec.event_provider], expected_ids(spec, origin, end, origin)
        assert len(want) > 20_000 if spec is CLUSTERED else len(want) > 5_000
        assert [i for i, n in Counter(got).items() if n > 1] == [], "delivered twice"
        assert set(want) - set(got) == set(), "missing"
        assert got == want
    outcomes = Counter(Run.objects.values_list("outcome", flat=True))
    assert outcomes[Run.Outcome.FAILED] > 10 and outcomes[Run.Outcome.PARTIAL] > 30
    assert sum(Run.objects.values_list("delivered", flat=True)) == len(recorder.lines)


def test_it_replays_a_given_moment_from_the_command_line(alice, journey, pair, recorder):
    journey_activate(journey=journey, user=alice, now=T0)

    output = tick(T0 + timedelta(minutes=5))

    origin = T0 - timedelta(hours=23, minutes=30)
    count = len(expected_ids(CLUSTERED, origin, T0 + timedelta(minutes=5), origin))
    assert output.startswith(f"2026-11-20T12:05:00+00:00: 1 runs, {count} events delivered, 0 expired, 0 with errors.")
    assert len(recorder.lines) == count


def test_it_says_what_is_wrong_with_a_bad_moment():
    with pytest.raises(CommandError, match="has no timezone"):
        call_command("tick", now="2026-11-20T12:00:00")
    with pytest.raises(CommandError, match="not an ISO 8601"):
        call_command("tick", now="yesterday")
