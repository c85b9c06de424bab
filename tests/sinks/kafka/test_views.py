"""Creating and editing a Kafka destination through the destination pages."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from journeys.models import Destination
from journeys.services.tenancy import tenant_create

pytestmark = pytest.mark.django_db
FIELDS = {
    "name": "BAI",
    "settings-bootstrap_servers": "kafka-1.example:9093",
    "settings-topic": "icp4ba-bai-ads-ingress",
    "settings-client_id": "bizflow-studio",
    "settings-security_protocol": "SASL_SSL",
    "settings-sasl_mechanism": "SCRAM-SHA-512",
    "settings-sasl_username": "bai",
    "settings-sasl_password": "s3cret",
    "settings-ssl_verify_hostname": "on",
    "settings-compression": "lz4",
    "settings-acks": "all",
    "settings-key": "correlation",
    "settings-value_format": "flat",
    "settings-message_timeout_ms": "30000",
}


@pytest.fixture
def as_alice(client):
    alice = get_user_model().objects.create_user("alice")
    tenant_create(name="Alice's team", owner=alice)
    client.force_login(alice)
    return client


def test_it_creates_a_kafka_destination_with_its_password_kept_secret(as_alice):
    created = as_alice.post(reverse("destination_create", args=["kafka"]), FIELDS)
    destination = Destination.objects.get(name="BAI")
    page = as_alice.get(reverse("destination_edit", args=[destination.pk]))

    assert created.status_code == 302
    assert destination.kind == "kafka" and destination.secrets == {"sasl_password": "s3cret"}
    assert (
        destination.config["bootstrap_servers"] == "kafka-1.example:9093" and "sasl_password" not in destination.config
    )
    assert page.status_code == 200 and b"kafka-1.example:9093" in page.content and b"s3cret" not in page.content


def test_it_shows_what_is_wrong_next_to_the_field(as_alice):
    page = as_alice.post(reverse("destination_create", args=["kafka"]), {**FIELDS, "settings-sasl_password": ""})

    assert page.status_code == 200 and b"is needed with SASL_SSL" in page.content
    assert not Destination.objects.exists()
