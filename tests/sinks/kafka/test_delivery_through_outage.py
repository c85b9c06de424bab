"""Scheduled delivery of a journey's events and decision events to Kafka while the broker goes away.

The broker keeps its data in memory only, so a restart loses what it held: the consumer reads
everything before the broker is stopped, and everything again after it is back. Together the two
reads must hold every event of the period exactly once: none missing, none twice.
"""

from collections import Counter
from datetime import UTC, datetime, timedelta

import orjson
import pytest
from django.contrib.auth import get_user_model

from journeys.engine.compiled import compile_journey
from journeys.engine.decision_stream import generate_decision_stream
from journeys.engine.generator import generate_dicts, to_epoch_ms
from journeys.engine.spec import JourneySpec, Revenue, Step, Weighted
from journeys.models import Destination, JourneyDestination, Run
from journeys.selectors.journeys import journey_decisions, journey_to_spec
from journeys.services.decisions import decision_destination_set, decisions_replace_from_document
from journeys.services.destinations import destination_attach, destination_create
from journeys.services.journeys import journey_create_from_spec
from journeys.services.scheduling import delivery_tick, journey_activate

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
TICK = timedelta(minutes=5)
LOANS = JourneySpec(
    name="Loans",
    event_provider="quickloan.lending",
    correlation_field="loan.id",
    seed=11,
    journeys_per_day=1200,
    steps=(
        Step("Requested", "loan.requested", carries_location=True, carries_revenue=True),
        Step("Decided", "loan.decided", min_delay_hours=0.01, max_delay_hours=0.1, is_decision=True, max_loops=2),
        Step("Accepted", "offer.accepted", drop_off_pct=20, min_delay_hours=0.05, max_delay_hours=0.3),
    ),
    locations=(Weighted("London", 2), Weighted("Leeds", 1)),
    revenue=Revenue("loan.amount", 1000, 25000),
)
DECISIONS = {
    "format": "bizflow-studio/decisions",
    "version": 1,
    "decisions": [
        {
            "step": "loan.decided",
            "decision_service_id": "samples.LoanValidation",
            "decision_service_name": "LoanValidation",
            "decision_service_version": "3.1.2",
            "decision_operation": "LoanValidation",
            "incident": {"pct": 2},
        }
    ],
}


def consume_all(broker, topic: str, expected: int) -> list[dict]:
    return [orjson.loads(m.value()) for m in broker.consume(topic, expected=expected, partitions=3, timeout=30)]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_it_delivers_every_event_and_decision_event_exactly_once_around_a_broker_outage(own_broker):
    alice = get_user_model().objects.create_user("alice")
    journey = journey_create_from_spec(spec=LOANS, owner=alice)
    [settings] = decisions_replace_from_document(journey=journey, document=DECISIONS)
    broker = own_broker.start()
    for topic in ("loans", "icp4ba-bai-ads-ingress"):
        broker.create_topic(topic, partitions=3)
    config = {"bootstrap_servers": broker.bootstrap, "message_timeout_ms": 2000}
    events_to = destination_create(owner=alice, name="Events", kind="kafka", config={**config, "topic": "loans"})
    decisions_to = destination_create(owner=alice, name="BAI", kind="kafka", config={**config, "topic": "unused"})
    destination_attach(journey=journey, destination=events_to, now=T0)
    decision_destination_set(settings=settings, destination=decisions_to, now=T0)
    journey_activate(journey=journey, user=alice, now=T0)
    origin = JourneyDestination.objects.get(destination=events_to).origin_ms

    def ticks(first: int, last: int) -> list[Run]:
        return [run for n in range(first, last + 1) for run in delivery_tick(now=T0 + n * TICK, owner=alice)]

    before = ticks(0, 2)
    events_before = consume_all(
        broker, "loans", sum(r.delivered for r in before if r.journey_destination.destination == events_to)
    )
    decisions_before = consume_all(
        broker,
        "icp4ba-bai-ads-ingress",
        sum(r.delivered for r in before if r.journey_destination.destination == decisions_to),
    )
    broker.stop()
    during = ticks(3, 4)
    broker.start()
    for topic in ("loans", "icp4ba-bai-ads-ingress"):
        broker.create_topic(topic, partitions=3, exist_ok=True)
    after = ticks(5, 6)
    events_after = consume_all(
        broker, "loans", sum(r.delivered for r in after if r.journey_destination.destination == events_to)
    )
    decisions_after = consume_all(
        broker,
        "icp4ba-bai-ads-ingress",
        sum(r.delivered for r in after if r.journey_destination.destination == decisions_to),
    )

    end = to_epoch_ms(T0 + 6 * TICK) + 1
    expected_events = [e["event.id"] for e in generate_dicts(LOANS, origin, end, origin)]
    [(_, decision)] = journey_decisions(journey)
    stream = generate_decision_stream(compile_journey(journey_to_spec(journey)), [decision], origin, end, origin)
    expected_decisions = [d["executionId"] for batch in stream for d in batch.to_dicts()]
    # (a run before or after the outage may still time out on a busy machine: its events then go in
    # the next run, which the counts below cover as well)
    assert {r.outcome for r in after[-2:]} == {Run.Outcome.SUCCESS}
    assert {r.outcome for r in during} == {Run.Outcome.FAILED} and len(during) == 4
    assert all("cannot reach the brokers" in r.error for r in during)
    assert events_before and events_after and decisions_before and decisions_after
    assert Counter(e["event.id"] for e in events_before + events_after) == Counter(expected_events)
    assert Counter(d["executionId"] for d in decisions_before + decisions_after) == Counter(expected_decisions)
    assert len(expected_decisions) > 500 and all(d["decisionOperation"] == "LoanValidation" for d in decisions_after)
    assert not any(d.is_stopped for d in Destination.objects.filter(pk__in=[events_to.pk, decisions_to.pk]))
