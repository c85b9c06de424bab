"""Message values and keys taken from encoded batches."""

from datetime import UTC, datetime, timedelta

import numpy as np
import orjson
import pytest

from journeys.engine.decisions import DecisionSpec, generate_decisions
from journeys.engine.encode import EncodedBatch
from journeys.engine.generator import generate
from journeys.engine.spec import JourneySpec, Revenue, Step, Weighted
from journeys.sinks.kafka.messages import cloudevents, message_keys, values

START = datetime(2026, 3, 2, 8, tzinfo=UTC)


def journey(**fields) -> JourneySpec:
    return JourneySpec(
        name="Orders",
        event_provider='shop "eu" \u00e9',  # escaped in every line: the key offset must allow for it
        correlation_field="order.id",
        steps=(
            Step("Placed", "order.placed", carries_location=True, carries_revenue=True),
            Step("Decided", "order.checked", max_delay_hours=0.2, is_decision=True),
            Step("Paid", "order.paid", max_delay_hours=0.5, drop_off_pct=10, carries_revenue=True),
        ),
        journeys_per_day=20_000,
        locations=(Weighted("Linz", 1), Weighted("Zürich", 1)),
        revenue=Revenue("order.value", 5, 500.5),
        hosts=(Weighted("HOST-0A1B2C3D4E5F6071", 1),),
        **fields,
    )


def batch(timestamp_format="rfc3339", **fields) -> EncodedBatch:
    return EncodedBatch.concat(
        list(generate(journey(**fields), START, START + timedelta(hours=1), timestamp_format=timestamp_format))
    )


@pytest.mark.parametrize("timestamp_format", ["rfc3339", "epoch_ms"])
def test_it_takes_the_correlation_and_event_ids_from_the_batchs_columns(timestamp_format):
    generated = list(generate(journey(), START, START + timedelta(hours=1), timestamp_format=timestamp_format))
    events = EncodedBatch.concat([generated[0].slice(0, 0)] + generated + [generated[1].slice(0, 0)])
    parsed = events.to_dicts()

    assert len(generated) > 2 and len(events) > 1000
    assert message_keys(events, "correlation") == [e["order.id"].encode() for e in parsed]
    assert message_keys(events, "event_id") == [e["event.id"].encode() for e in parsed]
    assert message_keys(events.slice(7, 19), "event_id") == [e["event.id"].encode() for e in parsed[7:19]]
    assert message_keys(events, "none") is None


def test_it_refuses_to_key_a_batch_without_id_columns_rather_than_guess_from_the_json():
    line = b'{"p":"a","order.id":"11111111-1111-4111-8111-111111111111","event.id":"x1"}\n'
    bare = EncodedBatch(line, np.array([0, len(line)], np.int64), np.array([1], np.int64))

    with pytest.raises(ValueError, match="no correlation column"):
        message_keys(bare, "correlation")
    with pytest.raises(ValueError, match="no event_id column"):
        message_keys(bare, "event_id")
    assert message_keys(bare, "none") is None


def test_it_gives_the_lines_as_they_are():
    events = batch()

    assert values(events) == [events.line(i) for i in range(len(events))]
    assert values(events.slice(0, 0)) == []


def test_it_takes_decision_keys_from_the_batchs_own_columns():
    decision = DecisionSpec(
        step=1,
        decision_service_id="shop.Check",
        decision_service_name="Check",
        decision_service_version="1",
        decision_operation="check",
    )
    decisions = next(generate_decisions(journey(), decision, START, START + timedelta(hours=1)))
    parsed = decisions.to_dicts()

    assert message_keys(decisions, "event_id") == [d["executionId"].encode() for d in parsed]
    assert message_keys(decisions, "correlation") == [d["data"]["inputParameters"]["order.id"].encode() for d in parsed]


def test_it_wraps_each_event_unchanged_in_a_cloudevents_envelope():
    events = batch().slice(0, 50)

    wrapped = [orjson.loads(m) for m in cloudevents(events, source="/bizflow-studio/journeys/orders")]

    first = wrapped[0]
    assert list(first) == ["specversion", "id", "source", "type", "time", "datacontenttype", "data"]
    assert first["specversion"] == "1.0" and first["source"] == "/bizflow-studio/journeys/orders"
    assert [w["data"] for w in wrapped] == events.to_dicts()
    assert [w["id"] for w in wrapped] == [e["event.id"] for e in events.to_dicts()]
    assert first["type"] == "order.placed" and first["time"] == first["data"]["timestamp"]


def test_it_gives_decision_events_a_cloudevents_type_subject_and_time():
    decision = DecisionSpec(
        step=1,
        decision_service_id="shop.Check",
        decision_service_name="Check",
        decision_service_version="1",
        decision_operation="check",
        timestamp_unit="s",
    )
    decisions = next(generate_decisions(journey(), decision, START, START + timedelta(hours=1)))

    first = orjson.loads(cloudevents(decisions, source="/x")[0])

    assert (first["type"], first["subject"]) == ("decision.execution", "check")
    assert first["id"] == first["data"]["executionId"]
    assert first["time"] == datetime.fromtimestamp(first["data"]["timestamp"], UTC).isoformat(
        timespec="milliseconds"
    ).replace("+00:00", "Z")
