"""A destination's secrets never follow a changed address, and its audit line says exactly what changed.

A stored token is meant for the address it was entered with: changing the URL, the environment, the
token URL or the bootstrap servers without entering the secrets again clears them, in the service
(whatever the caller) and, with a message beside the field, on the destination's page.
"""

import pytest
from django.urls import reverse

from journeys.models import AuditEntry, Destination
from journeys.services.destinations import destination_create, destination_update

pytestmark = pytest.mark.django_db

DYNATRACE = {
    "environment_url": "https://abc12345.live.dynatrace.com",
    "auth_type": "api_token",
    "max_batch_bytes": 524288,
    "gzip": False,
}
WEBHOOK = {"url": "https://hooks.example.com/in", "format": "json", "headers": {}, "max_batch_bytes": 524288}
KAFKA = {"bootstrap_servers": "broker-1:9093", "topic": "events", "security_protocol": "SASL_SSL"}


def stored(destination) -> Destination:
    return Destination.objects.get(pk=destination.pk)


def last_audit() -> dict:
    return AuditEntry.objects.filter(action="destination.updated").latest("id").details


@pytest.mark.parametrize(
    ("kind", "config", "secrets", "change"),
    [
        ("dynatrace", DYNATRACE, {"api_token": "dt0c01.OLD"}, {"environment_url": "https://evil.example.com"}),
        ("dynatrace", {**DYNATRACE, "auth_type": "oauth"}, {"client_secret": "s"}, {"token_url": "https://x.test/t"}),
        ("webhook", WEBHOOK, {"headers": {"Authorization": "Bearer OLD"}}, {"url": "https://evil.example.com/"}),
        ("kafka", KAFKA, {"sasl_password": "OLD"}, {"bootstrap_servers": "evil.example.com:9093"}),
    ],
)
def test_it_clears_secrets_that_would_follow_a_changed_address(alice, kind, config, secrets, change):
    destination = destination_create(owner=alice, name="D", kind=kind, config=config, secrets=secrets)

    # The caller hands the stored secrets back unchanged, as a form does for an empty secret box.
    destination_update(destination=destination, name="D", config={**config, **change}, secrets=dict(secrets))

    assert stored(destination).secrets == {}
    assert last_audit() == {"changed": sorted(change), "secrets_removed": sorted(secrets)}


def test_it_clears_the_stored_secrets_when_none_are_given_with_a_new_address(alice):
    destination = destination_create(
        owner=alice, name="D", kind="webhook", config=WEBHOOK, secrets={"headers": {"X-Key": "k"}}
    )

    destination_update(destination=destination, name="D", config={**WEBHOOK, "url": "https://other.example.com/"})

    assert stored(destination).secrets == {}


def test_it_keeps_secrets_entered_again_with_the_new_address(alice):
    destination = destination_create(
        owner=alice, name="D", kind="dynatrace", config=DYNATRACE, secrets={"api_token": "A"}
    )
    moved = {**DYNATRACE, "environment_url": "https://xyz98765.live.dynatrace.com"}

    destination_update(
        destination=destination, name="D", config=moved, secrets={"api_token": "A"}, secrets_reentered=True
    )

    assert stored(destination).secrets == {"api_token": "A"}
    assert last_audit() == {"changed": ["environment_url"]}  # the same token again: nothing replaced


def test_it_keeps_the_secrets_when_the_address_stays(alice):
    destination = destination_create(
        owner=alice, name="D", kind="dynatrace", config=DYNATRACE, secrets={"api_token": "A"}
    )

    destination_update(
        destination=destination, name="Renamed", config={**DYNATRACE, "gzip": True}, secrets={"api_token": "A"}
    )

    assert stored(destination).secrets == {"api_token": "A"}
    # Today's audit said every secret was replaced when only the name and a setting changed.
    assert last_audit() == {"changed": ["gzip", "name"]}


def test_it_says_which_secret_was_replaced_and_never_its_value(alice):
    destination = destination_create(
        owner=alice, name="D", kind="dynatrace", config=DYNATRACE, secrets={"api_token": "A"}
    )

    destination_update(destination=destination, name="D", config=DYNATRACE, secrets={"api_token": "NEW-VALUE-123"})

    assert stored(destination).secrets == {"api_token": "NEW-VALUE-123"}
    assert last_audit() == {"secrets_replaced": ["api_token"]}
    assert "NEW-VALUE-123" not in str(AuditEntry.objects.values_list("details", flat=True))


def settings_post(destination, **changes) -> dict:
    data = {
        "name": destination.name,
        "settings-environment_url": DYNATRACE["environment_url"],
        "settings-auth_type": "api_token",
        "settings-api_token": "",
        "settings-max_batch_kib": "512",
    }
    data.update({f"settings-{key}": value for key, value in changes.items()})
    return data


def test_it_asks_for_the_token_again_on_the_page_when_the_environment_changes(client, alice):
    destination = destination_create(
        owner=alice, name="Tenant", kind="dynatrace", config=DYNATRACE, secrets={"api_token": "dt0c01.OLD"}
    )
    client.force_login(alice)
    url = reverse("destination_edit", args=[destination.pk])

    moved = client.post(url, settings_post(destination, environment_url="https://xyz98765.live.dynatrace.com"))
    entered = client.post(
        url, settings_post(destination, environment_url="https://xyz98765.live.dynatrace.com", api_token="dt0c01.NEW")
    )

    assert moved.status_code == 200
    assert "The address changed: enter it again" in moved.content.decode()
    assert "dt0c01.OLD" not in moved.content.decode()
    assert entered.status_code == 302
    assert stored(destination).secrets == {"api_token": "dt0c01.NEW"}
    assert stored(destination).config["environment_url"] == "https://xyz98765.live.dynatrace.com"


def test_it_keeps_the_token_on_the_page_when_only_the_name_changes(client, alice):
    destination = destination_create(
        owner=alice, name="Tenant", kind="dynatrace", config=DYNATRACE, secrets={"api_token": "dt0c01.OLD"}
    )
    client.force_login(alice)

    response = client.post(
        reverse("destination_edit", args=[destination.pk]), {**settings_post(destination), "name": "T2"}
    )

    assert response.status_code == 302
    assert stored(destination).secrets == {"api_token": "dt0c01.OLD"}
    assert last_audit() == {"changed": ["name"]}


def kafka_destination(alice):
    from tests.sinks.kafka.test_forms import saved

    kept = saved()
    return destination_create(owner=alice, name="Bus", kind="kafka", config=kept.config, secrets=kept.secrets)


def test_it_keeps_a_kafka_password_left_empty_on_the_page(client, alice):
    from tests.sinks.kafka.test_forms import posted

    destination = kafka_destination(alice)
    client.force_login(alice)

    response = client.post(
        reverse("destination_edit", args=[destination.pk]),
        {"name": "Bus", **posted(sasl_password="", secret_headers="", topic="other")},
    )

    assert response.status_code == 302
    assert stored(destination).secrets == {"sasl_password": "s3cret", "secret_headers": {"x-api-key": "k-123"}}
    assert last_audit() == {"changed": ["topic"]}


def test_it_asks_for_the_kafka_password_again_when_the_brokers_change(client, alice):
    from tests.sinks.kafka.test_forms import posted

    destination = kafka_destination(alice)
    client.force_login(alice)

    response = client.post(
        reverse("destination_edit", args=[destination.pk]),
        {
            "name": "Bus",
            **posted(sasl_password="", secret_headers="x-api-key: typed-9931", bootstrap_servers="elsewhere:9093"),
        },
    )

    assert response.status_code == 200
    assert "The address changed: enter it again" in response.content.decode()
    assert "typed-9931" not in response.content.decode()  # a secret typed in is never sent back either
    assert stored(destination).config["bootstrap_servers"] == "broker-1:9093,broker-2:9093"
