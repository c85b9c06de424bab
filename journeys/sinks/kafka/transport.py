"""The Kafka destination: an idempotent confluent-kafka producer whose delivery reports decide what
counts as delivered.

A batch is produced line by line (each line's bytes as they are), then flushed. Only failed
messages come back as delivery reports (``delivery.report.only.error``); the events before the first
failure, in batch order, count as delivered, and :class:`DeliveryError` says how many, so the
delivery service resends from exactly there. With idempotence a partition keeps produce order across
retries, so a failure is never followed by a success on the same partition; across partitions a
later event may already have arrived, and the resend repeats it with the same event id.
"""

from __future__ import annotations

import logging

from confluent_kafka import KafkaError, KafkaException, Producer

from .. import register
from ..base import DeliveryError, DeliveryReport, Sink
from ..url_safety import UnsafeDestination, check_host, check_servers, private_destinations_allowed
from .config import KafkaConfigError, kafka_client_config, message_headers, with_defaults
from .messages import CLOUDEVENTS_CONTENT_TYPE, cloudevents, message_keys, values

log = logging.getLogger(__name__)


class _ClientLog:
    """librdkafka's own log lines, at INFO at most: while a broker is down it logs every reconnection
    attempt as an error, and each failure it reports reaches the run's record through DeliveryError."""

    logger = logging.getLogger(f"{__name__}.librdkafka")

    def log(self, level: int, message: str, *args) -> None:
        self.logger.log(min(level, logging.INFO), message, *args)


client_log = _ClientLog()

# Errors no retry can fix: the settings or the cluster's set-up must change first.
PERMANENT_ERRORS = {
    KafkaError._AUTHENTICATION,
    KafkaError._INVALID_ARG,
    KafkaError._SSL,
    KafkaError._UNKNOWN_TOPIC,
    KafkaError.CLUSTER_AUTHORIZATION_FAILED,
    KafkaError.INVALID_RECORD,
    KafkaError.TOPIC_EXCEPTION,
    KafkaError.MSG_SIZE_TOO_LARGE,
    KafkaError.POLICY_VIOLATION,
    KafkaError.RECORD_LIST_TOO_LARGE,
    KafkaError.SASL_AUTHENTICATION_FAILED,
    KafkaError.TOPIC_AUTHORIZATION_FAILED,
    KafkaError.UNKNOWN_TOPIC_OR_PART,
    KafkaError.UNSUPPORTED_SASL_MECHANISM,
}
UNREACHABLE_ERRORS = {KafkaError._ALL_BROKERS_DOWN, KafkaError._TRANSPORT, KafkaError._RESOLVE}
FLUSH_GRACE_S = 5.0


def describe(error: KafkaError) -> str:
    return f"{error.str()} ({error.name()})"


@register("kafka")
class KafkaSink(Sink):
    check_timeout_s = 10.0
    # deliver() flushes and waits for every acknowledgement: fewer, larger calls keep the producer busy.
    preferred_batch_events = 131_072

    def __init__(self, config: dict, secrets: dict | None = None):
        super().__init__(config, secrets)
        self.settings = with_defaults(config)
        self._producer: Producer | None = None
        self._failures: list = []  # (error, message) of failed deliveries, from the delivery callback
        self._client_errors: list[KafkaError] = []  # connection-level errors, from the error callback

    # -- librdkafka callbacks (served from flush()/poll() on this thread) --

    def _on_delivery(self, error: KafkaError | None, message) -> None:
        if error is not None:
            self._failures.append((error, message))

    def _on_error(self, error: KafkaError) -> None:
        self._client_errors.append(error)  # reported in the DeliveryError; librdkafka logs it too

    def _client_config(self) -> dict:
        try:
            client = kafka_client_config(self.config, self.secrets)
        except KafkaConfigError as error:
            raise DeliveryError(f"Kafka settings: {error}", permanent=True) from None
        # The settings form's address check again, right before connecting: DNS may have changed since.
        try:
            check_servers(client["bootstrap.servers"])
        except UnsafeDestination as error:
            raise DeliveryError(f"Kafka bootstrap servers refused: {error}", permanent=True) from None
        return client

    def _client(self) -> Producer:
        if self._producer is None:
            # https://docs.confluent.io/platform/current/clients/confluent-kafka-python/html/index.html#producer
            callbacks = {"error_cb": self._on_error, "on_delivery": self._on_delivery, "logger": client_log}
            producer = Producer({**self._client_config(), **callbacks})
            if not private_destinations_allowed():
                try:
                    self._check_advertised(producer.list_topics(timeout=self.check_timeout_s))
                except KafkaException as error:
                    producer.close()
                    raise self._check_failure(error.args[0], list(self._client_errors)) from None
                except DeliveryError:
                    producer.close()
                    raise
            self._producer = producer
        return self._producer

    def _check_advertised(self, metadata) -> None:
        """Refuse a cluster whose metadata sends clients to a broker that is not public, before producing.

        librdkafka connects to the brokers the bootstrap servers advertise; Python's client offers no
        hook into its own name lookups (no resolve_cb), so this checks them as advertised, once per
        producer. See docs/decisions.md for what that leaves open.
        """
        for broker in metadata.brokers.values():
            try:
                check_host(broker.host, broker.port)
            except UnsafeDestination as error:
                raise DeliveryError(
                    f"the cluster advertises a broker that is refused: {broker.host}:{broker.port}: {error}",
                    permanent=True,
                ) from None

    # -- delivery --

    def deliver(self, batch, *, journey_slug: str) -> DeliveryReport:
        count = len(batch)
        if not count:
            return DeliveryReport(delivered=0)
        producer = self._client()
        headers = message_headers(self.config, self.secrets)
        if self.settings["value_format"] == "cloudevents":
            messages = cloudevents(batch, source=f"/bizflow-studio/journeys/{journey_slug}")
            keys = message_keys(batch, self.settings["key"])
            headers.append(CLOUDEVENTS_CONTENT_TYPE)
        else:
            messages = values(batch)
            keys = message_keys(batch, self.settings["key"])
        self._failures.clear()
        self._client_errors.clear()
        queued, refusal = self._produce_all(producer, messages, keys, headers or None)
        self._wait_for_reports(producer)
        first_failed = self._first_failed_index(messages)
        delivered = min(queued, count if first_failed is None else first_failed)
        if delivered == count:
            return DeliveryReport(delivered=count, requests=1, bytes_sent=self._bytes(batch, messages))
        raise self._failure(delivered, count, refusal)

    def _bytes(self, batch, messages: list[bytes]) -> int:
        if self.settings["value_format"] == "flat":
            return batch.nbytes - len(batch)  # the lines without their newlines
        return sum(map(len, messages))

    def _produce_all(self, producer: Producer, messages: list[bytes], keys, headers) -> tuple[int, KafkaError | None]:
        """Queue every message; returns how many were queued and the error that stopped it, if any."""
        topic, produce = self.settings["topic"], producer.produce
        if keys is None:
            keys = [None] * len(messages)
        index, count = 0, len(messages)
        while index < count:
            start = index  # after a full queue, production resumes at the message that did not fit
            try:
                # https://docs.confluent.io/platform/current/clients/confluent-kafka-python/html/index.html#confluent_kafka.Producer.produce
                if headers is None:
                    for index in range(start, count):
                        produce(topic, messages[index], keys[index])
                else:
                    for index in range(start, count):
                        produce(topic, messages[index], keys[index], headers=headers)
                return count, None
            except BufferError:  # the local queue is full: let it drain, then go on from this message
                producer.poll(0.05)
            except KafkaException as error:  # refused before sending, e.g. a message over message.max.bytes
                return index, error.args[0]
        return count, None

    def _wait_for_reports(self, producer: Producer) -> None:
        """Flush; whatever is still undecided after the message timeout is purged, so it reports as failed."""
        timeout = self.settings["message_timeout_ms"] / 1000 + FLUSH_GRACE_S
        if producer.flush(timeout):
            producer.purge(in_queue=True, in_flight=True)
            producer.flush(FLUSH_GRACE_S)

    def _first_failed_index(self, messages: list[bytes]) -> int | None:
        if not self._failures:
            return None
        index_of = {value: index for index, value in enumerate(messages)}  # lines are unique: each has its id
        return min(index_of.get(message.value(), 0) for _, message in self._failures)

    def _failure(self, delivered: int, count: int, refusal: KafkaError | None) -> DeliveryError:
        errors = [refusal] if refusal is not None else []
        errors += [error for error, _ in self._failures]
        fatal = any(e.fatal() for e in errors + self._client_errors)
        if fatal:  # the idempotent producer cannot go on: the next delivery starts a new one
            self.close()
        blocking = [e for e in errors + self._client_errors if e.code() in PERMANENT_ERRORS]
        if blocking:
            reason, permanent = describe(blocking[0]), True
        elif any(e.code() in UNREACHABLE_ERRORS for e in self._client_errors):
            reason = f"cannot reach the brokers at {self.settings.get('bootstrap_servers')}: " + describe(
                next(e for e in self._client_errors if e.code() in UNREACHABLE_ERRORS)
            )
            permanent = False
        else:
            reason, permanent = describe(errors[0]) if errors else "delivery was not confirmed", False
        message = f"Kafka took {delivered} of {count} events, then: {reason}"
        return DeliveryError(message, permanent=permanent, delivered=delivered)

    # -- connection test --

    def check(self) -> str:
        """List the cluster's topics: says whether the brokers answer, accept the credentials and have the topic."""
        errors: list[KafkaError] = []
        # https://docs.confluent.io/platform/current/clients/confluent-kafka-python/html/index.html#confluent_kafka.Producer.list_topics
        probe = Producer({**self._client_config(), "error_cb": errors.append, "logger": client_log})
        topic = self.settings["topic"]
        try:
            metadata = probe.list_topics(timeout=self.check_timeout_s)
        except KafkaException as error:
            probe.poll(0)  # serve the error callback: it tells authentication failures from silence
            raise self._check_failure(error.args[0], errors) from None
        finally:
            probe.close()
        self._check_advertised(metadata)
        if topic not in metadata.topics:
            raise DeliveryError(f"Connected, but topic '{topic}' does not exist on the cluster", permanent=True)
        described = metadata.topics[topic]
        if described.error is not None:
            raise DeliveryError(f"Topic '{topic}': {describe(described.error)}", permanent=True)
        brokers, partitions = len(metadata.brokers), len(described.partitions)
        return f"Connected to {brokers} broker(s); topic '{topic}' has {partitions} partition(s)"

    def _check_failure(self, error: KafkaError, client_errors: list[KafkaError]) -> DeliveryError:
        for seen in client_errors:
            if seen.code() in (KafkaError._AUTHENTICATION, KafkaError.SASL_AUTHENTICATION_FAILED):
                return DeliveryError(f"Authentication failed: {seen.str()}", permanent=True)
            if seen.code() == KafkaError._SSL:
                return DeliveryError(f"TLS handshake failed: {seen.str()}", permanent=True)
        servers = self.settings.get("bootstrap_servers")
        return DeliveryError(f"Cannot reach the brokers at {servers}: {describe(error)}", permanent=False)

    def close(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            producer.close()  # deliver() left nothing outstanding: this only drops the connections
