"""The Kafka destination against a real broker: what is sent, what counts as delivered, what check() says."""

import time
from datetime import UTC, datetime, timedelta

import numpy as np
import orjson
import pytest

from journeys.devtools.kafka_broker import free_port
from journeys.engine.decisions import DecisionSpec, Rule, generate_decisions
from journeys.engine.encode import EncodedBatch
from journeys.engine.generator import generate
from journeys.engine.spec import JourneySpec, Revenue, Step, Weighted
from journeys.sinks import sink_class
from journeys.sinks.base import DeliveryError
from journeys.sinks.kafka import KafkaSink

START = datetime(2026, 3, 2, 8, tzinfo=UTC)
HOUR = (START, START + timedelta(hours=1))


def journey() -> JourneySpec:
    return JourneySpec(
        name="Loans",
        event_provider="quickloan.lending",
        correlation_field="loan.id",
        steps=(
            Step("Requested", "loan.requested", carries_location=True, carries_revenue=True),
            Step("Decided", "loan.decided", min_delay_hours=0.01, max_delay_hours=0.1, is_decision=True),
            Step("Accepted", "offer.accepted", drop_off_pct=20, min_delay_hours=0.1, max_delay_hours=0.5),
        ),
        journeys_per_day=24_000,
        locations=(Weighted("London", 2), Weighted("Leeds", 1)),
        revenue=Revenue("loan.amount", 1000, 25000),
        hosts=(Weighted("HOST-4B8D2F0A6C9E1735", 1),),
    )


DECISION = DecisionSpec(
    step=1,
    decision_service_id="samples.LoanValidation",
    decision_service_name="LoanValidation",
    decision_service_version="3.1.2",
    decision_operation="LoanValidation",
    rules=(Rule("/LoanValidation/Grade/grade"), Rule("/LoanValidation/Approval/bad score", 1, rejects=True)),
)


def events(period=HOUR) -> EncodedBatch:
    return EncodedBatch.concat(list(generate(journey(), *period)))


def sink_for(broker, topic, **config) -> KafkaSink:
    return KafkaSink({"bootstrap_servers": broker.bootstrap, "topic": topic, **config}, config.pop("secrets", None))


def test_it_is_registered_as_the_kafka_kind():
    assert sink_class("kafka") is KafkaSink


def test_it_delivers_each_event_as_one_message_keyed_by_correlation_id_with_headers(kafka_broker, topic):
    batch = events()
    sink = KafkaSink(
        {
            "bootstrap_servers": kafka_broker.bootstrap,
            "topic": topic,
            "headers": [{"name": "x-source", "value": "bizflow"}],
        },
        {"secret_headers": {"x-api-key": "k-123"}},
    )

    report = sink.deliver(batch, journey_slug="loans")
    sink.close()
    messages = kafka_broker.consume(topic, expected=len(batch), partitions=3)

    assert report.delivered == len(batch) > 500 and report.bytes_sent == batch.nbytes - len(batch)
    sent = {m.value(): m for m in messages}
    assert len(messages) == len(sent) == len(batch)
    for event in batch.to_dicts()[:200]:
        message = sent[orjson.dumps(event)]
        assert message.key() == event["loan.id"].encode()
        assert message.headers() == [("x-source", b"bizflow"), ("x-api-key", b"k-123")]
    assert set(sent) == set(batch.lines())


def test_it_sends_decision_events_to_their_own_topic_keyed_by_execution_id(kafka_broker, topic):
    decisions = list(generate_decisions(journey(), DECISION, *HOUR))
    sink = sink_for(kafka_broker, topic, key="event_id")

    delivered = sum(sink.deliver(batch, journey_slug="loans").delivered for batch in decisions)
    sink.close()
    messages = kafka_broker.consume(topic, expected=delivered, partitions=3)

    expected = [d for batch in decisions for d in batch.to_dicts()]
    assert delivered == len(expected) > 100
    assert sorted(orjson.loads(m.value())["executionId"].encode() for m in messages) == sorted(
        m.key() for m in messages
    )
    assert sorted(m.value() for m in messages) == sorted(line for batch in decisions for line in batch.lines())


def test_it_sends_cloudevents_with_their_content_type(kafka_broker, topic):
    batch = events().slice(0, 100)
    sink = sink_for(kafka_broker, topic, value_format="cloudevents", key="event_id")

    sink.deliver(batch, journey_slug="loans")
    sink.close()
    messages = kafka_broker.consume(topic, expected=100, partitions=3)

    envelopes = [orjson.loads(m.value()) for m in messages]
    assert sorted(e["id"] for e in envelopes) == sorted(e["event.id"] for e in batch.to_dicts())
    assert all(e["source"] == "/bizflow-studio/journeys/loans" and e["data"]["event.id"] == e["id"] for e in envelopes)
    assert {m.headers()[0] for m in messages} == {("content-type", b"application/cloudevents+json; charset=UTF-8")}


def test_it_counts_the_events_before_a_refused_message_as_delivered(kafka_broker, topic):
    lines = events().lines()[:10]
    lines[6] = b'{"event.id":"big","pad":"' + b"x" * 1_200_000 + b'"}'  # over message.max.bytes (1 MB)
    data = b"".join(line + b"\n" for line in lines)
    offsets = np.concatenate([[0], np.cumsum([len(line) + 1 for line in lines])]).astype(np.int64)
    batch = EncodedBatch(data, offsets, np.arange(10, dtype=np.int64))
    sink = sink_for(kafka_broker, topic, key="none")

    with pytest.raises(DeliveryError) as failure:
        sink.deliver(batch, journey_slug="loans")
    sink.close()

    assert failure.value.delivered == 6 and failure.value.permanent
    assert "MSG_SIZE_TOO_LARGE" in failure.value.message
    assert sorted(m.value() for m in kafka_broker.consume(topic, expected=6, partitions=3)) == sorted(lines[:6])


def test_it_asks_for_a_retry_when_the_broker_is_down_and_delivers_once_it_is_back(own_broker):
    batch = events().slice(0, 300)
    sink = sink_for(own_broker, "loans", message_timeout_ms=1000)

    started = time.monotonic()
    with pytest.raises(DeliveryError) as failure:
        sink.deliver(batch, journey_slug="loans")
    waited = time.monotonic() - started
    sink.close()
    own_broker.start()
    next_run = sink_for(own_broker, "loans")  # each delivery run makes its own sink
    report = next_run.deliver(batch, journey_slug="loans")
    next_run.close()

    assert failure.value.delivered == 0 and not failure.value.permanent
    assert f"cannot reach the brokers at {own_broker.bootstrap}" in failure.value.message
    assert waited < 4
    assert report.delivered == 300
    assert len(own_broker.consume("loans", expected=300)) == 300  # the broker made the topic on first use


def test_it_reports_a_working_connection_and_the_topics_partitions(kafka_broker, topic):
    outcome = sink_for(kafka_broker, topic).check()

    assert outcome == f"Connected to 1 broker(s); topic '{topic}' has 3 partition(s)"


def test_it_reports_a_missing_topic_as_permanent(kafka_broker):
    with pytest.raises(DeliveryError) as failure:
        sink_for(kafka_broker, "no-such-topic").check()

    assert failure.value.permanent and "topic 'no-such-topic' does not exist" in failure.value.message


def test_it_reports_an_unreachable_broker_as_temporary(monkeypatch):
    monkeypatch.setattr(KafkaSink, "check_timeout_s", 1.5)
    sink = KafkaSink({"bootstrap_servers": f"127.0.0.1:{free_port()}", "topic": "orders"})

    with pytest.raises(DeliveryError) as failure:
        sink.check()

    assert not failure.value.permanent and failure.value.message.startswith("Cannot reach the brokers at 127.0.0.1:")


def test_it_reports_unusable_settings_as_permanent_without_connecting():
    sink = KafkaSink(
        {"bootstrap_servers": "broker:9093", "topic": "t", "security_protocol": "SASL_SSL", "sasl_username": "u"}
    )

    with pytest.raises(DeliveryError) as failure:
        sink.deliver(events().slice(0, 5), journey_slug="loans")

    assert failure.value.permanent and "sasl_password: is needed with SASL_SSL" in failure.value.message
