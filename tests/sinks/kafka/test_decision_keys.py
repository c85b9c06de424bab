"""Decision events joined from many generated batches keep their keys and each journey's order on a real broker.

A backfill or a catch-up after an outage hands the sink one joined batch per run (``regroup``); the keys
must still be the journey's correlation id or the execution id, read from the generator's columns.
"""

from collections import defaultdict
from datetime import UTC, datetime, timedelta

import orjson
import pytest

from journeys.engine.decision_stream import DecisionStream
from journeys.engine.decisions import DecisionSpec, Rule
from journeys.engine.encode import regroup
from journeys.engine.spec import JourneySpec, Revenue, Step, Weighted
from journeys.sinks.kafka import KafkaSink

START = datetime(2026, 3, 2, 6, tzinfo=UTC)
SIX_HOURS = (START, START + timedelta(hours=6))

JOURNEY = JourneySpec(
    name="Loans",
    event_provider="quickloan.lending",
    correlation_field="loan.id",
    steps=(
        Step("Requested", "loan.requested", carries_location=True, carries_revenue=True),
        Step("Reviewed", "loan.reviewed", min_delay_hours=0.05, max_delay_hours=0.4, max_loops=3, is_decision=True),
        Step("Decided", "loan.decided", min_delay_hours=0.01, max_delay_hours=0.1, is_decision=True),
        Step("Accepted", "offer.accepted", drop_off_pct=20, min_delay_hours=0.1, max_delay_hours=0.5),
    ),
    journeys_per_day=6_000,
    locations=(Weighted("London", 2), Weighted("Leeds", 1)),
    revenue=Revenue("loan.amount", 1000, 25000),
    hosts=(Weighted("HOST-4B8D2F0A6C9E1735", 1),),
)


def decision(step: int, operation: str) -> DecisionSpec:
    return DecisionSpec(
        step=step,
        decision_service_id="samples.LoanValidation",
        decision_service_name="LoanValidation",
        decision_service_version="3.1.2",
        decision_operation=operation,
        rules=(Rule("/LoanValidation/Grade/grade"), Rule("/LoanValidation/Approval/bad score", 5, rejects=True)),
        incident_pct=2,
    )


@pytest.mark.parametrize("mode", ["correlation", "event_id", "none"])
def test_it_keys_joined_decision_batches_by_the_generators_ids_and_keeps_each_journeys_order(kafka_broker, topic, mode):
    stream = DecisionStream(JOURNEY, [decision(1, "reviewEvidence"), decision(2, "LoanValidation")])
    generated = list(stream.batches(*SIX_HOURS))
    sink = KafkaSink({"bootstrap_servers": kafka_broker.bootstrap, "topic": topic, "key": mode})
    joined = list(regroup(generated, sink.preferred_batch_events))

    delivered = sum(sink.deliver(batch, journey_slug="loans").delivered for batch in joined)
    sink.close()
    messages = kafka_broker.consume(topic, expected=delivered, partitions=3)

    lines = [line for batch in generated for line in batch.lines()]
    assert len(generated) > 20 and len(joined) < len(generated)  # the run really joined batches
    assert delivered == len(lines) == len(messages) > 1500
    events = [orjson.loads(m.value()) for m in messages]
    assert sorted(m.value() for m in messages) == sorted(lines)  # each exactly once, bytes as generated
    if mode == "correlation":
        assert [m.key() for m in messages] == [e["data"]["inputParameters"]["loan.id"].encode() for e in events]
    elif mode == "event_id":
        assert [m.key() for m in messages] == [e["executionId"].encode() for e in events]
    else:
        assert {m.key() for m in messages} == {None}
    # Within a partition, messages keep the stream's order; with correlation keys a journey's decision
    # events all share one partition, so each journey's executions arrive in the order they happened.
    position = {line: index for index, line in enumerate(lines)}
    by_partition = defaultdict(list)
    for message in sorted(messages, key=lambda m: (m.partition(), m.offset())):
        by_partition[message.partition()].append(position[message.value()])
    assert all(order == sorted(order) for order in by_partition.values())
    partitions_of_journey = defaultdict(set)
    for message, event in zip(messages, events, strict=True):
        partitions_of_journey[event["data"]["inputParameters"]["loan.id"]].add(message.partition())
    looping = sum(1 for e in events if e["decisionOperation"] == "reviewEvidence") > len(partitions_of_journey)
    assert looping  # some journeys executed the looping decision more than once
    if mode == "correlation":
        assert all(len(found) == 1 for found in partitions_of_journey.values())
