"""What a run's record says when its process died, and when its destination answered too slowly."""

from datetime import timedelta

import orjson
import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from journeys.models import Destination, JourneyDestination, Run
from journeys.services.delivery import delivery_run
from journeys.services.destinations import destination_attach, destination_create
from journeys.services.scheduling import journey_activate

from ..sinks.helpers import ScriptedServer
from .conftest import T0

# A read timeout that a 0.5 s answer always misses, even grown to its ceiling.
SLOW_RECEIVER = override_settings(
    HTTP_READ_TIMEOUT=0.1, HTTP_READ_TIMEOUT_MAX=0.2, HTTP_BACKOFF_SECONDS=0.01, HTTP_MAX_ATTEMPTS=4
)


@pytest.fixture
def receiver():
    server = ScriptedServer()
    yield server
    server.stop()


@pytest.fixture
def webhook_pair(alice, journey, receiver):
    destination = destination_create(owner=alice, name="Hook", kind="webhook", config={"url": receiver.url + "/in"})
    pair = destination_attach(journey=journey, destination=destination)
    journey_activate(journey=journey, user=alice, now=T0)
    return pair


def _dead_run(pair, *, delivered: int) -> Run:
    """A run as a killed process leaves it: still marked running, with the counts it saved per batch,
    and its claim on the pair left to run out."""
    JourneyDestination.objects.filter(pk=pair.pk).update(
        locked_until=timezone.now() - timedelta(seconds=1), lock_token="killed"
    )
    return Run.objects.create(
        journey_destination=pair,
        outcome=Run.Outcome.RUNNING,
        started_at=timezone.now() - timedelta(minutes=10),
        events_generated=delivered,
        delivered=delivered,
    )


def test_it_records_an_interrupted_run_with_what_it_delivered(alice, journey, pair):
    journey_activate(journey=journey, user=alice, now=T0)
    delivered_some, delivered_none = _dead_run(pair, delivered=4321), _dead_run(pair, delivered=0)

    delivery_run(journey_destination_id=pair.pk, now=T0)

    delivered_some.refresh_from_db()
    delivered_none.refresh_from_db()
    assert delivered_some.outcome == Run.Outcome.PARTIAL and delivered_some.delivered == 4321
    assert delivered_none.outcome == Run.Outcome.FAILED
    for run in (delivered_some, delivered_none):
        assert run.error.startswith("interrupted") and run.finished_at is not None


@SLOW_RECEIVER
def test_it_sends_a_batch_at_most_twice_a_run_to_a_destination_too_slow_for_three_ticks(webhook_pair, receiver):
    receiver.default = _slow_answer(0.5)

    runs = [
        delivery_run(journey_destination_id=webhook_pair.pk, now=T0 + timedelta(minutes=5 * tick)).run
        for tick in range(3)
    ]

    bodies = [request.body for request in receiver.received]
    assert len(bodies) == 6 and len(set(bodies)) == 1  # the same first batch, twice per run
    events_in_batch = len(orjson.loads(bodies[0]))
    for run in runs:
        assert run.outcome == Run.Outcome.FAILED and "no answer within 0.2 s (read)" in run.error
        assert run.maybe_duplicated == events_in_batch
    webhook_pair.destination.refresh_from_db()
    assert webhook_pair.destination.slow_read_timeout == pytest.approx(0.2)  # grown to the ceiling, kept


@SLOW_RECEIVER
def test_it_forgets_the_longer_timeout_when_the_destination_is_quick_again(webhook_pair, receiver):
    Destination.objects.filter(pk=webhook_pair.destination_id).update(slow_read_timeout=0.2)
    receiver.then(_slow_answer(0.15))  # answered within the remembered 0.2 s: no copy

    run = delivery_run(journey_destination_id=webhook_pair.pk, now=T0).run

    assert run.outcome == Run.Outcome.SUCCESS and run.maybe_duplicated == 0
    assert len({request.body for request in receiver.received}) == len(receiver.received)
    webhook_pair.destination.refresh_from_db()
    assert webhook_pair.destination.slow_read_timeout is None


def test_it_shows_the_events_that_may_be_duplicated_in_run_history(client, alice, journey, pair):
    Run.objects.create(
        journey_destination=pair,
        outcome=Run.Outcome.SUCCESS,
        started_at=timezone.now(),
        delivered=9000,
        maybe_duplicated=1234,
    )
    client.force_login(alice)

    page = client.get(reverse("journey_delivery", args=[journey.slug])).content.decode()

    assert "May be duplicated" in page and "1,234" in page and "1,234 may be duplicated" in page


def _slow_answer(seconds: float):
    import time

    def answer(request):
        time.sleep(seconds)
        return 202, {}, b""

    return answer
