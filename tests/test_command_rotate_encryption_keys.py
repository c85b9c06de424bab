"""rotate_encryption_keys: every stored secret re-encrypted with the first key, so the old one can go."""

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from journeys.models import Destination
from journeys.services.tenancy import tenant_default_for_user

OLD_KEY, NEW_KEY, OTHER_KEY = (Fernet.generate_key().decode() for _ in range(3))
SECRETS = [{"api_token": "dt0c01.FIRST.SECRET"}, {"sasl_password": "kafka-pass-42"}, {}]


@pytest.fixture
def destinations(db, settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    alice = get_user_model().objects.create_user("alice")
    tenant = tenant_default_for_user(alice)
    return [
        Destination.objects.create(owner=alice, tenant=tenant, name=f"D{i}", kind="webhook", secrets=secrets)
        for i, secrets in enumerate(SECRETS)
    ]


def stored_tokens() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT secrets FROM journeys_destination ORDER BY id")
        return [row[0] for row in cursor.fetchall()]


def rotate() -> str:
    out = StringIO()
    call_command("rotate_encryption_keys", stdout=out)
    return out.getvalue()


def test_it_reencrypts_every_secret_so_the_new_key_alone_reads_them(destinations, settings):
    before = stored_tokens()
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]

    output = rotate()

    assert "Re-encrypted 3 stored secrets" in output and "3 in journeys.Destination" in output
    after = stored_tokens()
    assert all(new != old for new, old in zip(after, before, strict=True))
    assert not any("FIRST.SECRET" in token or "kafka-pass" in token for token in after)
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]  # the old key is gone
    assert [d.secrets for d in Destination.objects.order_by("id")] == SECRETS


def test_it_changes_nothing_when_a_secret_cannot_be_decrypted(destinations, settings):
    before = stored_tokens()
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OTHER_KEY]  # the old key was dropped too early

    with pytest.raises(CommandError, match=f"journeys.Destination {destinations[0].pk}.*nothing was changed"):
        rotate()

    assert stored_tokens() == before
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    assert Destination.objects.get(pk=destinations[1].pk).secrets == SECRETS[1]
