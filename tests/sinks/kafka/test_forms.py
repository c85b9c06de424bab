"""The Kafka destination's settings form, used the way the destination pages use every kind's form."""

import pytest

from journeys.forms.destinations import settings_form, settings_form_class
from journeys.models import Destination
from journeys.sinks.kafka.config import kafka_client_config
from journeys.sinks.kafka.forms import KafkaForm

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


def saved() -> Destination:
    form = settings_form("kafka", data=posted())
    assert form.is_valid(), form.errors
    return Destination(kind="kafka", config=form.to_config(), secrets=form.to_secrets())


def test_it_is_the_kafka_kinds_settings_form():
    assert settings_form_class("kafka") is KafkaForm


def test_it_gives_the_settings_the_sink_reads_and_keeps_secrets_apart():
    form = settings_form("kafka", data=posted())

    assert form.is_valid(), form.errors
    config, secrets = form.to_config(), form.to_secrets()
    assert config["headers"] == [{"name": "x-source", "value": "bizflow"}, {"name": "x-env", "value": "test"}]
    assert secrets == {"sasl_password": "s3cret", "secret_headers": {"x-api-key": "k-123"}}
    assert "s3cret" not in str(config) and "k-123" not in str(config)
    client = kafka_client_config(config, secrets)
    assert client["sasl.password"] == "s3cret" and client["compression.type"] == "lz4"


def test_it_shows_saved_settings_but_never_the_secrets_and_keeps_them_when_left_empty():
    destination = saved()

    shown = str(settings_form("kafka", destination=destination))
    edited = settings_form("kafka", destination=destination, data=posted(sasl_password="", secret_headers=""))

    assert "broker-1:9093" in shown and "x-source: bizflow" in shown
    assert "s3cret" not in shown and "k-123" not in shown
    assert edited.is_valid(), edited.errors
    assert edited.to_secrets() == destination.secrets  # kept: the service takes the whole set


def test_it_asks_for_a_password_only_when_none_is_stored():
    form = settings_form("kafka", data=posted(sasl_password=""))

    assert not form.is_valid()
    assert form.errors["sasl_password"] == ["is needed with SASL_SSL"]


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        ({"topic": "bad topic"}, "topic", "letters, digits"),
        ({"bootstrap_servers": "broker-1"}, "bootstrap_servers", "'broker-1' is not host:port"),
        ({"ssl_ca_pem": "not a certificate"}, "ssl_ca_pem", "BEGIN CERTIFICATE"),
        ({"sasl_username": ""}, "sasl_username", "needed with SASL_SSL"),
        ({"headers": "x-source: bizflow\nno colon here"}, "headers", "Entry 2: write it as name: value"),
        ({"secret_headers": "x-api-key"}, "secret_headers", "Entry 1"),
    ],
)
def test_it_puts_the_problem_next_to_the_field(changes, field, text):
    form = settings_form("kafka", data=posted(**changes))

    assert not form.is_valid()
    assert text in form.errors[field][0]
