"""The Kafka destination's settings form."""

from journeys.sinks.kafka.config import kafka_client_config
from journeys.sinks.kafka.forms import KafkaSettingsForm

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
    "headers": "x-source: bizflow\n",
    "secret_headers": "x-api-key: k-123",
    "message_timeout_ms": "30000",
}


def test_it_splits_plain_settings_from_secrets():
    form = KafkaSettingsForm(data=VALID)

    assert form.is_valid(), form.errors
    assert form.config["headers"] == [{"name": "x-source", "value": "bizflow"}]
    assert form.secrets == {"sasl_password": "s3cret", "headers": {"x-api-key": "k-123"}}
    assert "sasl_password" not in form.config and "k-123" not in str(form.config)
    assert kafka_client_config(form.config, form.secrets)["sasl.password"] == "s3cret"


def test_it_keeps_the_saved_secrets_when_left_blank_and_never_shows_them():
    saved = {"sasl_password": "old-pass", "headers": {"x-api-key": "old-key"}}
    form = KafkaSettingsForm(data={**VALID, "sasl_password": "", "secret_headers": ""}, secrets=saved)

    assert form.is_valid(), form.errors
    assert form.secrets == saved
    shown = str(KafkaSettingsForm(config=form.config, secrets=saved))
    assert "old-pass" not in shown and "old-key" not in shown
    assert "broker-1:9093" in shown and "x-source: bizflow" in shown


def test_it_puts_the_problem_next_to_the_field():
    form = KafkaSettingsForm(data={**VALID, "sasl_password": "", "topic": "bad topic"})

    assert not form.is_valid()
    assert form.errors["sasl_password"] == ["is needed with SASL_SSL"]
    assert "letters, digits" in form.errors["topic"][0]


def test_it_names_the_header_line_at_fault():
    form = KafkaSettingsForm(data={**VALID, "headers": "x-source: bizflow\nno colon here"})

    assert not form.is_valid()
    assert form.errors["headers"] == ["Line 2: write it as name: value"]
