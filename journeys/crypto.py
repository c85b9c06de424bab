"""Secrets at rest: destinations' tokens and passwords are stored encrypted.

Fernet (AES-128-CBC with an HMAC) through :class:`~cryptography.fernet.MultiFernet`: the first key of
``settings.FIELD_ENCRYPTION_KEYS`` encrypts, every key decrypts. Rotating a key is therefore: put a
new key first, keep the old one after it, run :func:`reencrypt` over the stored values, then drop the
old key. Decrypted values come back as :class:`SecretDict`, whose ``repr`` shows key names only, so a
secret does not leak into a log line or a traceback by being printed.
"""

from __future__ import annotations

import json
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


class SecretDict(dict):
    """A plain dict of secrets that never prints its values."""

    def __repr__(self) -> str:
        return f"<secrets: {', '.join(sorted(self)) or 'none'}>"

    __str__ = __repr__


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty: set at least one Fernet key")
    fernets = []
    for position, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key))
        except (ValueError, TypeError):
            raise ImproperlyConfigured(
                f"FIELD_ENCRYPTION_KEYS: key number {position} is not a Fernet key "
                "(32 random bytes in URL-safe base64, e.g. from Fernet.generate_key())"
            ) from None
    return MultiFernet(fernets)


def _current() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt_json(value: dict) -> str:
    return _current().encrypt(json.dumps(value, sort_keys=True).encode()).decode("ascii")


def decrypt_json(token: str) -> SecretDict:
    if not token:
        return SecretDict()
    try:
        return SecretDict(json.loads(_current().decrypt(token.encode("ascii"))))
    except InvalidToken:
        raise ImproperlyConfigured(
            "a stored secret cannot be decrypted with any of FIELD_ENCRYPTION_KEYS (was a key removed?)"
        ) from None


def reencrypt(token: str) -> str:
    """The same secret encrypted with the current (first) key."""
    return _current().rotate(token.encode("ascii")).decode("ascii") if token else token


class EncryptedJSONField(models.TextField):
    """A dict stored as one Fernet token; the database never sees the plain text."""

    description = "A JSON object, encrypted"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", dict)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)  # never in a ModelForm or the admin by accident
        super().__init__(*args, **kwargs)

    def from_db_value(self, value, expression, connection):
        return decrypt_json(value) if value is not None else SecretDict()

    def to_python(self, value):
        if isinstance(value, dict):
            return SecretDict(value)
        return decrypt_json(value) if value else SecretDict()

    def get_prep_value(self, value):
        if value is None:
            return None
        if not isinstance(value, dict):
            raise TypeError("an encrypted JSON field holds a dict")
        return encrypt_json(dict(value))

    def value_to_string(self, obj):
        # Serialisation (dumpdata) gets the ciphertext, never the plain text.
        return self.get_prep_value(self.value_from_object(obj))
