"""What counts as delivered when the producer reports failures: a stand-in producer plays the broker."""

from datetime import UTC, datetime, timedelta

import pytest
from confluent_kafka import KafkaError

from journeys.engine.encode import EncodedBatch
from journeys.engine.generator import generate
from journeys.engine.spec import JourneySpec, Step
from journeys.sinks.base import DeliveryError
from journeys.sinks.kafka import transport
from journeys.sinks.kafka.transport import KafkaSink

START = datetime(2026, 3, 2, 8, tzinfo=UTC)


class _Message:
    def __init__(self, value: bytes):
        self._value = value

    def value(self) -> bytes:
        return self._value


class StandInProducer:
    """Takes messages like confluent_kafka.Producer; on flush, reports the chosen ones as failed."""

    failing: dict[int, KafkaError] = {}
    client_errors: list[KafkaError] = []
    outstanding_after_flush = 0

    def __init__(self, config: dict):
        self.config = config
        self.sent: list[tuple[bytes, bytes | None]] = []
        self.purged = False

    def produce(self, topic, value, key=None, headers=None):
        self.sent.append((value, key))

    def flush(self, timeout=None):
        for error in self.client_errors:
            self.config["error_cb"](error)
        for index, error in sorted(self.failing.items(), reverse=True):  # reports need not come in order
            self.config["on_delivery"](error, _Message(self.sent[index][0]))
        return 0 if self.purged else self.outstanding_after_flush

    def purge(self, in_queue=True, in_flight=True):
        self.purged = True
        self.config["on_delivery"](KafkaError(KafkaError._PURGE_INFLIGHT), _Message(self.sent[-1][0]))

    def poll(self, timeout=None):
        return 0

    def close(self):
        return True


@pytest.fixture
def stand_in(monkeypatch):
    monkeypatch.setattr(transport, "Producer", StandInProducer)
    monkeypatch.setattr(StandInProducer, "failing", {})
    monkeypatch.setattr(StandInProducer, "client_errors", [])
    monkeypatch.setattr(StandInProducer, "outstanding_after_flush", 0)
    return StandInProducer


def batch() -> EncodedBatch:
    spec = JourneySpec(
        name="Orders",
        event_provider="shop",
        correlation_field="order.id",
        steps=(Step("Placed", "order.placed"), Step("Paid", "order.paid", max_delay_hours=0.1)),
        journeys_per_day=5000,
    )
    return EncodedBatch.concat(list(generate(spec, START, START + timedelta(hours=1))))


def sink() -> KafkaSink:
    return KafkaSink({"bootstrap_servers": "broker:9092", "topic": "orders"})


def test_it_counts_every_event_when_no_failure_is_reported(stand_in):
    events = batch()
    kafka = sink()

    report = kafka.deliver(events, journey_slug="orders")

    assert report.delivered == len(events)
    assert [value for value, _ in kafka._producer.sent] == events.lines()


def test_it_counts_only_the_events_before_the_earliest_failure(stand_in):
    stand_in.failing = {9: KafkaError(KafkaError._MSG_TIMED_OUT), 5: KafkaError(KafkaError._MSG_TIMED_OUT)}

    with pytest.raises(DeliveryError) as failure:
        sink().deliver(batch(), journey_slug="orders")

    assert failure.value.delivered == 5 and not failure.value.permanent
    assert "Kafka took 5 of" in failure.value.message and "_MSG_TIMED_OUT" in failure.value.message


@pytest.mark.parametrize(
    ("code", "permanent"),
    [
        (KafkaError.TOPIC_AUTHORIZATION_FAILED, True),
        (KafkaError.UNKNOWN_TOPIC_OR_PART, True),
        (KafkaError.MSG_SIZE_TOO_LARGE, True),
        (KafkaError.NOT_ENOUGH_REPLICAS, False),
        (KafkaError.REQUEST_TIMED_OUT, False),
    ],
)
def test_it_calls_a_failure_permanent_only_when_retrying_cannot_help(stand_in, code, permanent):
    stand_in.failing = {3: KafkaError(code)}

    with pytest.raises(DeliveryError) as failure:
        sink().deliver(batch(), journey_slug="orders")

    assert failure.value.delivered == 3 and failure.value.permanent is permanent


def test_it_blames_failed_authentication_rather_than_the_timeouts_it_causes(stand_in):
    stand_in.failing = {0: KafkaError(KafkaError._MSG_TIMED_OUT)}
    stand_in.client_errors = [KafkaError(KafkaError._AUTHENTICATION, "SASL authentication error: bad password")]

    with pytest.raises(DeliveryError) as failure:
        sink().deliver(batch(), journey_slug="orders")

    assert failure.value.permanent and "bad password" in failure.value.message


def test_it_purges_what_is_still_undecided_and_does_not_count_it(stand_in):
    stand_in.outstanding_after_flush = 1
    events = batch()
    kafka = sink()

    with pytest.raises(DeliveryError) as failure:
        kafka.deliver(events, journey_slug="orders")

    assert kafka._producer.purged and failure.value.delivered == len(events) - 1


def test_it_starts_a_new_producer_after_a_fatal_error(stand_in):
    stand_in.failing = {2: KafkaError(KafkaError._FATAL, "out of order sequence", fatal=True)}
    kafka = sink()

    with pytest.raises(DeliveryError):
        kafka.deliver(batch(), journey_slug="orders")
    stand_in.failing = {}
    first = kafka._producer
    kafka.deliver(batch(), journey_slug="orders")

    assert first is None and kafka._producer is not None
