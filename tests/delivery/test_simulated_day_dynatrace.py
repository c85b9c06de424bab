"""A whole day on the schedule through the Dynatrace destination, to the local receiver, while it misbehaves.

Every five minutes of a simulated day a scheduler pass runs, with the receiver's clock set to that
moment (so its 24-hour and 10-minute rules apply to the simulated time) and one fault or another
injected: down, throttling with Retry-After, failing every other request, answering slower than the
read timeout, answering 503. At the end the receiver holds exactly the events the engine generates
for the day: none missing, none twice, none dropped as too old, none clamped as future-dated.
"""

from collections import Counter
from datetime import timedelta

import pytest
from django.test import override_settings

from journeys.devtools.dynatrace_receiver import DynatraceReceiver
from journeys.models import Run
from journeys.services.destinations import destination_attach, destination_create
from journeys.services.journeys import journey_create_from_spec
from journeys.services.scheduling import delivery_tick, journey_activate
from journeys.services.tenancy import tenant_create

from .conftest import CLUSTERED, T0, expected_ids

pytestmark = pytest.mark.slow

# Short timeouts and a small retry budget: a fault costs a run, not the test's minutes.
QUICK_HTTP = {
    "HTTP_CONNECT_TIMEOUT": 0.5,
    "HTTP_READ_TIMEOUT": 2,
    "HTTP_MAX_ATTEMPTS": 2,
    "HTTP_BACKOFF_SECONDS": 0.01,
    "HTTP_RETRY_BUDGET_SECONDS": 0.5,
    "HTTP_ALLOW_PLAIN": True,
    "BIZFLOW_ALLOW_PRIVATE_DESTINATIONS": True,
}


def inject_fault(receiver: DynatraceReceiver, tick: int) -> str:
    """One fault for this tick (or none), named so a failure says which."""
    if tick % 11 == 3:
        receiver.set_down()
        return "down"
    if tick % 13 == 5:
        receiver.throttle_next(3, retry_after=120)
        return "throttled"
    if tick % 7 == 2:
        receiver.fail_every_other_batch(True)
        return "every other request fails"
    if tick % 17 == 9:
        receiver.delay_seconds(0.15)
        return "slow"
    if tick % 19 == 4:
        receiver.fail_next(2, status=503)
        return "503"
    return ""


def deliver_to(receiver: DynatraceReceiver, *, owner) -> None:
    """The clustered journey, active since T0, delivering to the receiver as a Dynatrace destination."""
    tenant = tenant_create(name="Acme", owner=owner)
    journey = journey_create_from_spec(spec=CLUSTERED, owner=owner, tenant=tenant)
    destination = destination_create(
        owner=owner,
        tenant=tenant,
        name="Tenant",
        kind="dynatrace",
        config={"environment_url": receiver.url, "auth_type": "api_token", "max_batch_bytes": 64 * 1024},
        secrets={"api_token": receiver.api_token},
    )
    destination_attach(journey=journey, destination=destination)
    journey_activate(journey=journey, user=owner, now=T0)


def heal(receiver: DynatraceReceiver) -> None:
    receiver.clear_faults()
    if not receiver.is_up:
        receiver.set_up()


def test_it_delivers_exactly_a_days_events_to_dynatrace_through_faults(alice):
    now = [T0.timestamp()]
    with DynatraceReceiver(clock=lambda: now[0]) as receiver, override_settings(**QUICK_HTTP):
        deliver_to(receiver, owner=alice)

        faults = Counter()
        for tick in range(24 * 12 + 1):
            moment = T0 + timedelta(minutes=5 * tick)
            now[0] = moment.timestamp()
            faults[inject_fault(receiver, tick)] += 1
            delivery_tick(now=moment)
            heal(receiver)
        end = T0 + timedelta(hours=24, minutes=10)  # a quiet tick after the last Retry-After has passed
        now[0] = end.timestamp()
        delivery_tick(now=end)
        counters = receiver.counters
        got = [event["event.id"] for event in receiver.events_for_provider(CLUSTERED.event_provider)]

    origin = T0 - timedelta(hours=23, minutes=30)
    want = expected_ids(CLUSTERED, origin, end, origin)
    assert len(want) > 20_000
    assert [event_id for event_id, n in Counter(got).items() if n > 1] == [], "delivered twice"
    assert set(want) - set(got) == set(), "missing"
    assert sorted(got) == sorted(want)
    assert counters["dropped_too_old"] == 0 and counters["clamped_future"] == 0
    assert all(faults[name] > 5 for name in faults if name), faults  # each fault struck repeatedly
    outcomes = Counter(Run.objects.values_list("outcome", flat=True))
    assert outcomes[Run.Outcome.FAILED] + outcomes[Run.Outcome.PARTIAL] > 50, outcomes
    assert not Run.objects.filter(journey_destination__destination__stopped_reason__gt="").exists()


def test_it_resends_identical_events_when_the_tenant_answers_after_the_timeout(alice):
    """The one case "none twice" cannot hold: the tenant stored a batch but answered too late to say so.

    The batch is sent again and arrives twice, as it would at any HTTP API without idempotency keys;
    each copy is the same event, event.id included, so a query can drop the copies (dedup event.id).
    """
    now = [T0.timestamp()]
    settings = {**QUICK_HTTP, "HTTP_READ_TIMEOUT": 0.3}
    with DynatraceReceiver(clock=lambda: now[0]) as receiver, override_settings(**settings):
        deliver_to(receiver, owner=alice)
        delivery_tick(now=T0)  # the backfill, on time
        for tick in range(1, 13):
            moment = T0 + timedelta(minutes=5 * tick)
            now[0] = moment.timestamp()
            if tick % 3 == 0:
                receiver.delay_seconds(0.6)  # stores the batch, answers after the client gave up
            delivery_tick(now=moment)
            heal(receiver)
        end = T0 + timedelta(hours=1, minutes=5)  # a quiet tick: what failed last is delivered now
        now[0] = end.timestamp()
        delivery_tick(now=end)
        events = receiver.events_for_provider(CLUSTERED.event_provider)

    origin = T0 - timedelta(hours=23, minutes=30)
    want = expected_ids(CLUSTERED, origin, end, origin)
    copies = Counter(event["event.id"] for event in events)
    assert set(copies) == set(want)  # none missing, none foreign
    doubled = {event_id for event_id, n in copies.items() if n > 1}
    assert doubled, "a late answer should have caused a resend"
    for event_id in doubled:
        versions = [event for event in events if event["event.id"] == event_id]
        assert all(version == versions[0] for version in versions), "a resent event differs from the first copy"
