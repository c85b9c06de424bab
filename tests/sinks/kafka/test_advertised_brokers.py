"""The brokers a Kafka cluster advertises are checked like its bootstrap servers, before anything is produced."""

from __future__ import annotations

import ipaddress
import socket

import pytest
from django.test import override_settings

from journeys.sinks.base import DeliveryError
from journeys.sinks.kafka.transport import KafkaSink

from ..helpers import recent_events

PRODUCTION = override_settings(HTTP_ALLOW_PLAIN=False, BIZFLOW_ALLOW_PRIVATE_DESTINATIONS=False)


@pytest.fixture
def names_look_public(monkeypatch):
    """Python's lookups answer every name with a public address (librdkafka still resolves for itself)."""
    real = socket.getaddrinfo

    def resolve(host, port, *args, **kwargs):
        try:
            ipaddress.ip_address(host)
        except ValueError:
            return real("93.184.216.34", port, socket.AF_INET, socket.SOCK_STREAM)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)


def _sink(kafka_broker, topic) -> KafkaSink:
    port = kafka_broker.bootstrap.rpartition(":")[2]
    # The bootstrap name passes the check; the broker then advertises itself as 127.0.0.1.
    return KafkaSink({"bootstrap_servers": f"localhost:{port}", "topic": topic, "message_timeout_ms": 5000})


@PRODUCTION
def test_it_refuses_a_cluster_advertising_a_loopback_broker_when_testing(kafka_broker, topic, names_look_public):
    with pytest.raises(
        DeliveryError, match=r"advertises a broker that is refused: 127.0.0.1:\d+: 127.0.0.1 is a loopback"
    ):
        _sink(kafka_broker, topic).check()


@PRODUCTION
def test_it_refuses_a_cluster_advertising_a_loopback_broker_before_producing(kafka_broker, topic, names_look_public):
    sink = _sink(kafka_broker, topic)
    try:
        with pytest.raises(DeliveryError, match="advertises a broker that is refused") as caught:
            sink.deliver(recent_events(5), journey_slug="orders")
    finally:
        sink.close()

    assert caught.value.permanent and caught.value.delivered == 0
    assert kafka_broker.consume(topic, expected=0, timeout=2.0) == []
