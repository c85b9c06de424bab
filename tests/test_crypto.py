"""Destinations' secrets: encrypted at rest, rotatable, never printed."""

import pytest
from cryptography.fernet import Fernet
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from journeys.crypto import SecretDict, decrypt_json, encrypt_json, reencrypt
from journeys.models import Destination
from journeys.services.tenancy import tenant_default_for_user

OLD_KEY, NEW_KEY = Fernet.generate_key().decode(), Fernet.generate_key().decode()


@pytest.fixture
def alice(db):
    return get_user_model().objects.create_user("alice")


def stored_secrets(destination) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT secrets FROM journeys_destination WHERE id = %s", [destination.pk])
        return cursor.fetchone()[0]


def test_it_stores_secrets_encrypted_and_reads_them_back(alice):
    destination = Destination.objects.create(
        owner=alice,
        tenant=tenant_default_for_user(alice),
        name="Tenant",
        kind="dynatrace",
        secrets={"token": "dt0c01.SECRET"},
    )

    assert "dt0c01.SECRET" not in stored_secrets(destination)
    assert Destination.objects.get(pk=destination.pk).secrets == {"token": "dt0c01.SECRET"}


def test_it_never_prints_a_secret(alice):
    destination = Destination.objects.create(
        owner=alice,
        tenant=tenant_default_for_user(alice),
        name="Tenant",
        kind="dynatrace",
        secrets={"token": "dt0c01.SECRET"},
    )
    loaded = Destination.objects.get(pk=destination.pk)

    printed = " ".join([str(loaded), repr(loaded), repr(loaded.secrets), str(loaded.secrets), f"{loaded.secrets}"])

    assert "SECRET" not in printed
    assert repr(loaded.secrets) == "<secrets: token>"


def test_it_decrypts_with_an_older_key_and_rotates_to_the_new_one(settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    token = encrypt_json({"password": "hunter2"})
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]

    rotated = reencrypt(token)

    assert decrypt_json(token) == {"password": "hunter2"}
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    assert decrypt_json(rotated) == {"password": "hunter2"}
    with pytest.raises(ImproperlyConfigured, match="was a key removed"):
        decrypt_json(token)


def test_it_names_the_setting_when_a_key_is_malformed(settings):
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, "not-a-key"]

    with pytest.raises(ImproperlyConfigured, match="FIELD_ENCRYPTION_KEYS: key number 2"):
        encrypt_json({})


def test_it_reads_nothing_as_no_secrets():
    assert decrypt_json("") == SecretDict() == {}


def test_it_keeps_secrets_out_of_the_admin_form(admin_client, alice):
    destination = Destination.objects.create(
        owner=alice,
        tenant=tenant_default_for_user(alice),
        name="Tenant",
        kind="dynatrace",
        secrets={"token": "dt0c01.SECRET"},
    )

    page = admin_client.get(f"/admin/journeys/destination/{destination.pk}/change/")

    assert page.status_code == 200
    assert b"SECRET" not in page.content and b'name="secrets"' not in page.content
    assert stored_secrets(destination).encode() not in page.content
