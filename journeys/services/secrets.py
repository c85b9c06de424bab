"""Stored secrets: re-encrypt them all with the current key, the middle step of rotating a key.

Rotation (README, "Rotating the encryption key"): put a new key first in FIELD_ENCRYPTION_KEYS and
keep the old ones after it, re-encrypt everything with :func:`secrets_reencrypt`, then drop the old
keys. Tokens are rotated as they are stored (MultiFernet.rotate): the plain text never leaves the
crypto layer, and a token no key can open stops the whole rotation before anything is written.
"""

from __future__ import annotations

from cryptography.fernet import InvalidToken
from django.apps import apps
from django.db import models, transaction
from django.db.models.functions import Cast

from ..crypto import EncryptedJSONField, reencrypt


class Unreadable(Exception):
    """Stored secrets none of the keys can decrypt: (model label, primary key) of each."""

    def __init__(self, rows: list[tuple[str, str]]):
        self.rows = rows
        shown = ", ".join(f"{label} {pk}" for label, pk in rows[:20])
        super().__init__(f"no key in FIELD_ENCRYPTION_KEYS decrypts the secrets of {shown}; nothing was changed")


def encrypted_fields() -> list[tuple[type[models.Model], str]]:
    """Every (model, field name) of the project's apps that holds encrypted values."""
    return [
        (model, field.name)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedJSONField)
    ]


@transaction.atomic
def secrets_reencrypt() -> dict[str, int]:
    """Re-encrypt every stored secret with the first key; returns how many values, per model label.

    Raises :class:`Unreadable` (and changes nothing) when a value cannot be decrypted with any key.
    """
    counts: dict[str, int] = {}
    unreadable: list[tuple[str, str]] = []
    for model, name in encrypted_fields():
        # Read and write the stored token as text: the field itself would decrypt it on the way.
        rows = model._base_manager.select_for_update().annotate(token=Cast(name, models.TextField()))
        counts[model._meta.label] = 0
        for pk, token in rows.values_list("pk", "token"):
            if not token:
                continue
            try:
                rotated = reencrypt(token)
            except InvalidToken:
                unreadable.append((model._meta.label, str(pk)))
                continue
            model._base_manager.filter(pk=pk).update(**{name: models.Value(rotated, output_field=models.TextField())})
            counts[model._meta.label] += 1
    if unreadable:
        raise Unreadable(unreadable)
    return counts
