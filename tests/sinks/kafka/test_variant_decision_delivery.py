"""A variant marked as a decision sends its decision events to Kafka through scheduled delivery, as a
decision step does: one message per execution of that variant, keyed by the journey's correlation id."""

from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import orjson
import pytest
from django.contrib.auth import get_user_model

from journeys.engine.compiled import compile_journey
from journeys.engine.decision_stream import generate_decision_stream
from journeys.engine.generator import generate_dicts, to_epoch_ms
from journeys.engine.jsonformat import JourneyDocument, dumps_document
from journeys.models import DecisionSettings, JourneyDestination, Run
from journeys.selectors.journeys import journey_decisions, journey_to_spec
from journeys.services.decisions import decision_destination_set
from journeys.services.destinations import destination_create
from journeys.services.imports import journey_import_text
from journeys.services.scheduling import delivery_tick, journey_activate

from ...engine.test_decisions import loan_decision
from ...engine.test_decisions_variants import branching_loan

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
TICK = timedelta(minutes=5)


@pytest.mark.django_db(transaction=True)
def test_a_decision_variants_events_reach_the_broker_keyed_by_the_journeys_correlation_id(kafka_broker, topic):
    alice = get_user_model().objects.create_user("alice")
    spec = replace(branching_loan(), journeys_per_day=40_000)
    decision = loan_decision(variant=0, topic=topic)
    journey = journey_import_text(text=dumps_document(JourneyDocument(spec, "", (decision,))), owner=alice)
    bai = destination_create(
        owner=alice,
        name="BAI",
        kind="kafka",
        config={"bootstrap_servers": kafka_broker.bootstrap, "topic": "not-this-one", "key": "correlation"},
    )
    decision_destination_set(settings=DecisionSettings.objects.get(), destination=bai, now=T0)
    journey_activate(journey=journey, user=alice, now=T0)
    origin = JourneyDestination.objects.get(destination=bai).origin_ms

    runs = [run for n in range(1, 5) for run in delivery_tick(now=T0 + n * TICK, owner=alice)]
    delivered = sum(run.delivered for run in runs)
    messages = kafka_broker.consume(topic, expected=delivered, partitions=3, timeout=30)

    end = to_epoch_ms(T0 + 4 * TICK) + 1
    compiled = compile_journey(journey_to_spec(journey))
    executions = [
        e["loan.id"] for e in generate_dicts(compiled, origin, end, origin) if e["event.type"] == "loan.decided"
    ]
    [(_, stored)] = journey_decisions(journey)
    expected = [d for batch in generate_decision_stream(compiled, [stored], origin, end, origin) for d in batch.lines()]
    events = [orjson.loads(m.value()) for m in messages]
    assert {run.outcome for run in runs} == {Run.Outcome.SUCCESS}
    assert delivered == len(messages) == len(executions) > 200  # one per execution of the variant, none else
    assert sorted(m.value() for m in messages) == sorted(expected)  # the bytes the engine writes
    assert Counter(m.key().decode() for m in messages) == Counter(executions)
    assert all(
        m.key().decode() == e["data"]["inputParameters"]["loan.id"] for m, e in zip(messages, events, strict=True)
    )
    assert {e["decisionOperation"] for e in events} == {"approveLoan"}
