"""The Kafka destination's settings form, used the way the destination pages use every kind's form."""

import pytest

from journeys.delivery_forms import config_form, split_settings
from journeys.models import Destination
from journeys.sinks.kafka.config import kafka_client_config

VALID = {
    "bootstrap_servers": "broker-1:9093,broker-2:9093",
    "topic": "icp4ba-bai-ads-ingress",
    "client_id": "bizflow-studio",
    "security_protocol": "SASL_SSL",
    "sasl_mechanism": "SCRAM-SHA-512",
    "sasl_username": "bai",
    "sasl_password": "s3cret",
    "ssl_ca_pem": "",
    "ssl_verify_hostname": "on",
    "compression": "lz4",
    "acks": "all",
    "key": "event_id",
    "value_format": "flat",
    "headers": "x-source: bizflow\nx-env: test",
    "secret_headers": "x-api-key: k-123",
    "message_timeout_ms": "30000",
}


def posted(**changes) -> dict:
    return {f"settings-{name}": value for name, value in {**VALID, **changes}.items()}


def test_it_gives_the_settings_the_sink_reads_and_keeps_secrets_apart():
    form = config_form("kafka", data=posted())

    assert form.is_valid(), form.errors
    config, secrets = split_settings(form)
    assert config["headers"] == [{"name": "x-source", "value": "bizflow"}, {"name": "x-env", "value": "test"}]
    assert secrets == {"sasl_password": "s3cret", "secret_headers": {"x-api-key": "k-123"}}
    assert "s3cret" not in str(config) and "k-123" not in str(config)
    client = kafka_client_config(config, secrets)
    assert client["sasl.password"] == "s3cret" and client["compression.type"] == "lz4"


def test_it_shows_saved_settings_but_never_the_secrets():
    form = config_form("kafka", data=posted())
    assert form.is_valid()
    config, secrets = split_settings(form)
    destination = Destination(kind="kafka", config=config, secrets=secrets)

    shown = str(config_form("kafka", destination=destination))

    assert "broker-1:9093" in shown and "x-source: bizflow" in shown
    assert "s3cret" not in shown and "k-123" not in shown


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        ({"topic": "bad topic"}, "topic", "letters, digits"),
        ({"bootstrap_servers": "broker-1"}, "bootstrap_servers", "'broker-1' is not host:port"),
        ({"ssl_ca_pem": "not a certificate"}, "ssl_ca_pem", "BEGIN CERTIFICATE"),
        ({"security_protocol": "SASL_SSL", "sasl_username": ""}, "sasl_username", "needed with SASL_SSL"),
        ({"headers": "x-source: bizflow\nno colon here"}, "headers", "Entry 2: write it as name: value"),
        ({"secret_headers": "x-api-key"}, "secret_headers", "Entry 1"),
    ],
)
def test_it_puts_the_problem_next_to_the_field(changes, field, text):
    form = config_form("kafka", data=posted(**changes))

    assert not form.is_valid()
    assert text in form.errors[field][0]
