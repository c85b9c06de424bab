"""Settings of a Kafka destination, checked as the sink checks them (see config.py for each key).

Built from the stored ``config`` and ``secrets``, the form gives back new ones with ``to_config()``
and ``to_secrets()``; the fields named in ``secret_fields`` are stored encrypted and never shown
again (left empty, the stored value stays).
"""

from __future__ import annotations

import re
from typing import Any

from django import forms

from ..url_safety import UnsafeDestination, check_servers
from .config import (
    ACKS,
    COMPRESSIONS,
    DEFAULT_CLIENT_ID,
    DEFAULT_MESSAGE_TIMEOUT_MS,
    KEYS,
    SASL_MECHANISMS,
    SECURITY_PROTOCOLS,
    config_problems,
)

HEADER_SEPARATORS = re.compile(r"[\n;]")


def _choices(values: tuple[str, ...], labels: dict[str, str] | None = None) -> list[tuple[str, str]]:
    return [(value, (labels or {}).get(value, value)) for value in values]


def parse_headers(text: str) -> dict[str, str]:
    """``name: value`` entries, one per line (or separated by ``;``); a bad entry is named by its number."""
    headers: dict[str, str] = {}
    for number, entry in enumerate(HEADER_SEPARATORS.split(text or ""), start=1):
        if not entry.strip():
            continue
        name, colon, value = entry.partition(":")
        if not colon or not name.strip():
            raise forms.ValidationError(f"Entry {number}: write it as name: value")
        headers[name.strip()] = value.strip()
    return headers


class KafkaForm(forms.Form):
    secret_fields: tuple[str, ...] = ("sasl_password", "secret_headers")

    bootstrap_servers = forms.CharField(help_text="host:port of one or more brokers, separated by commas.")
    topic = forms.CharField(max_length=249)
    client_id = forms.CharField(initial=DEFAULT_CLIENT_ID, max_length=200)
    security_protocol = forms.ChoiceField(choices=_choices(SECURITY_PROTOCOLS), initial="PLAINTEXT")
    sasl_mechanism = forms.ChoiceField(choices=_choices(SASL_MECHANISMS), initial="SCRAM-SHA-512", required=False)
    sasl_username = forms.CharField(required=False, help_text="With SASL_SSL.")
    sasl_password = forms.CharField(required=False, widget=forms.PasswordInput(render_value=False))
    ssl_ca_pem = forms.CharField(
        label="CA certificate (PEM)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Empty: the system's trusted certificates.",
    )
    ssl_verify_hostname = forms.BooleanField(initial=True, required=False, label="Check the broker's host name")
    compression = forms.ChoiceField(choices=_choices(COMPRESSIONS), initial="none")
    acks = forms.ChoiceField(
        choices=_choices(ACKS, {"all": "all (idempotent)", "1": "1 (leader only)", "0": "0 (no acknowledgement)"}),
        initial="all",
    )
    key = forms.ChoiceField(
        label="Message key",
        choices=_choices(KEYS, {"correlation": "Correlation id", "event_id": "Event id", "none": "No key"}),
        initial="correlation",
    )
    value_format = forms.ChoiceField(
        choices=[("flat", "Event JSON as it is"), ("cloudevents", "CloudEvents (structured JSON)")], initial="flat"
    )
    headers = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="name: value per line, sent with every message.",
    )
    secret_headers = forms.CharField(
        required=False, help_text="Headers whose values are secret (an API key...): name: value, separated by ';'."
    )
    message_timeout_ms = forms.IntegerField(
        initial=DEFAULT_MESSAGE_TIMEOUT_MS, min_value=1000, max_value=900_000, label="Delivery timeout (ms)"
    )

    def __init__(self, data=None, *, config: dict | None = None, secrets: dict | None = None, **kwargs: Any):
        self.stored_secrets = dict(secrets or {})
        if config:
            initial = {name: value for name, value in config.items() if name not in self.secret_fields}
            if isinstance(initial.get("headers"), list):  # stored as name/value pairs, edited as lines
                initial["headers"] = "\n".join(f"{h.get('name', '')}: {h.get('value', '')}" for h in initial["headers"])
            kwargs.setdefault("initial", initial)
        super().__init__(data, **kwargs)

    def clean_headers(self) -> list[dict[str, str]]:
        return [{"name": name, "value": value} for name, value in parse_headers(self.cleaned_data["headers"]).items()]

    def clean_secret_headers(self) -> dict[str, str]:
        return parse_headers(self.cleaned_data["secret_headers"])

    def clean(self):
        data = super().clean()
        if not self.errors:
            secrets = {**self.stored_secrets, **self.to_secrets()}
            for name, message in config_problems(self.to_config(), secrets).items():
                self.add_error(name if name in self.fields else None, message)
        if not self.has_error("bootstrap_servers") and data.get("bootstrap_servers"):
            try:
                check_servers(data["bootstrap_servers"])
            except UnsafeDestination as exc:
                self.add_error("bootstrap_servers", str(exc))
        return data

    def to_config(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name not in self.secret_fields}

    def to_secrets(self) -> dict:
        """The whole new set: the secrets typed in this time, and for an empty box what is stored."""
        typed = {name: self.cleaned_data[name] for name in self.secret_fields if self.cleaned_data.get(name)}
        return {**self.stored_secrets, **typed}
