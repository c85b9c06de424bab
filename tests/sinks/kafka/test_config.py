"""The Kafka destination's settings and the librdkafka configuration built from them."""

import pytest
from confluent_kafka import Producer

from journeys.sinks.kafka.config import KafkaConfigError, config_problems, kafka_client_config, message_headers

CA = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----"
BASE = {"bootstrap_servers": "broker-1:9093, broker-2:9093", "topic": "orders"}


def test_it_builds_an_idempotent_plaintext_producer_by_default():
    client = kafka_client_config(BASE)

    assert client["bootstrap.servers"] == "broker-1:9093,broker-2:9093"
    assert client["security.protocol"] == "plaintext"
    assert client["enable.idempotence"] is True and client["acks"] == "all"
    assert client["client.id"] == "bizflow-studio" and client["compression.type"] == "none"
    assert client["partitioner"] == "murmur2_random"
    assert client["delivery.report.only.error"] is True
    assert not any(key.startswith(("sasl.", "ssl.")) for key in client)


@pytest.mark.parametrize("mechanism", ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"])
def test_it_sets_sasl_over_tls_with_the_password_from_the_secrets(mechanism):
    config = {
        **BASE,
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": mechanism,
        "sasl_username": "bai",
        "ssl_ca_pem": CA,
    }

    client = kafka_client_config(config, {"sasl_password": "s3cret"})

    assert client["security.protocol"] == "sasl_ssl"
    assert (client["sasl.mechanism"], client["sasl.username"], client["sasl.password"]) == (mechanism, "bai", "s3cret")
    assert client["ssl.ca.pem"] == CA and client["ssl.endpoint.identification.algorithm"] == "https"


def test_it_sets_tls_without_sasl_and_can_skip_the_hostname_check():
    client = kafka_client_config({**BASE, "security_protocol": "SSL", "ssl_verify_hostname": False})

    assert client["security.protocol"] == "ssl"
    assert client["ssl.endpoint.identification.algorithm"] == "none"
    assert "ssl.ca.pem" not in client and "sasl.mechanism" not in client


@pytest.mark.parametrize(("acks", "idempotent"), [("all", True), ("1", False), ("0", False)])
def test_it_is_idempotent_only_when_every_replica_acknowledges(acks, idempotent):
    client = kafka_client_config({**BASE, "acks": acks, "compression": "zstd"})

    assert client["enable.idempotence"] is idempotent and client["compression.type"] == "zstd"


@pytest.mark.parametrize(
    "config",
    [
        BASE,
        {**BASE, "acks": "1", "compression": "lz4"},
        {**BASE, "security_protocol": "SSL", "ssl_ca_pem": CA},
        {**BASE, "security_protocol": "SASL_SSL", "sasl_mechanism": "SCRAM-SHA-256", "sasl_username": "u"},
    ],
)
def test_it_produces_configurations_that_librdkafka_accepts(config):
    client = kafka_client_config(config, {"sasl_password": "p"})
    client.pop("ssl.ca.pem", None)  # the fake certificate would be parsed at start-up

    Producer(client).flush(0)  # raises KafkaException on an unknown property or a bad value


@pytest.mark.parametrize(
    ("config", "secrets", "key", "text"),
    [
        ({"topic": "orders"}, {}, "bootstrap_servers", "at least one broker"),
        ({**BASE, "bootstrap_servers": "broker-1"}, {}, "bootstrap_servers", "'broker-1' is not host:port"),
        ({**BASE, "topic": "orders/eu"}, {}, "topic", "letters, digits"),
        ({**BASE, "security_protocol": "SASL_PLAIN"}, {}, "security_protocol", "PLAINTEXT, SSL, SASL_SSL"),
        ({**BASE, "security_protocol": "SASL_SSL", "sasl_username": "u"}, {}, "sasl_password", "needed"),
        (
            {**BASE, "security_protocol": "SASL_SSL", "sasl_mechanism": "GSSAPI"},
            {"sasl_password": "p"},
            "sasl_mechanism",
            "PLAIN",
        ),
        ({**BASE, "ssl_ca_pem": "not a pem"}, {}, "ssl_ca_pem", "BEGIN CERTIFICATE"),
        ({**BASE, "compression": "brotli"}, {}, "compression", "none, gzip, snappy, lz4, zstd"),
        ({**BASE, "key": "host"}, {}, "key", "correlation, event_id, none"),
        ({**BASE, "headers": [{"name": "bad name"}]}, {}, "headers", "'bad name'"),
        ({**BASE, "message_timeout_ms": 10}, {}, "message_timeout_ms", "between 1000"),
    ],
)
def test_it_names_the_setting_at_fault(config, secrets, key, text):
    problems = config_problems(config, secrets)

    assert key in problems and text in problems[key]
    with pytest.raises(KafkaConfigError) as failure:
        kafka_client_config(config, secrets)
    assert failure.value.problems == problems


def test_it_keeps_the_password_out_of_its_error_messages():
    config = {**BASE, "security_protocol": "SASL_SSL", "sasl_mechanism": "GSSAPI"}

    with pytest.raises(KafkaConfigError) as failure:
        kafka_client_config(config, {"sasl_password": "hunter2"})

    assert "hunter2" not in str(failure.value)


def test_it_sends_plain_then_secret_headers():
    config = {**BASE, "headers": [{"name": "x-source", "value": "bizflow"}]}

    headers = message_headers(config, {"secret_headers": {"x-api-key": "k-123"}})

    assert headers == [("x-source", b"bizflow"), ("x-api-key", b"k-123")]
