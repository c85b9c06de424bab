"""The Kafka destination's settings form: plain settings and secrets, checked like the sink checks them."""

from __future__ import annotations

from django import forms

from .config import (
    ACKS,
    COMPRESSIONS,
    DEFAULT_CLIENT_ID,
    DEFAULT_MESSAGE_TIMEOUT_MS,
    KEYS,
    SASL_MECHANISMS,
    SECURITY_PROTOCOLS,
    config_problems,
    with_defaults,
)

KEEP_SECRET = "Leave blank to keep the saved value."


def _choices(values: tuple[str, ...], labels: dict[str, str] | None = None) -> list[tuple[str, str]]:
    return [(value, (labels or {}).get(value, value)) for value in values]


def _parse_headers(text: str, field: str) -> dict[str, str]:
    """``name: value`` lines; a bad line is named by its number."""
    headers: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        name, colon, value = line.partition(":")
        if not colon or not name.strip():
            raise forms.ValidationError(f"Line {number}: write it as name: value", code=field)
        headers[name.strip()] = value.strip()
    return headers


class KafkaSettingsForm(forms.Form):
    bootstrap_servers = forms.CharField(help_text="host:port of one or more brokers, separated by commas.")
    topic = forms.CharField(max_length=249)
    client_id = forms.CharField(initial=DEFAULT_CLIENT_ID, max_length=200)
    security_protocol = forms.ChoiceField(choices=_choices(SECURITY_PROTOCOLS), initial="PLAINTEXT")
    sasl_mechanism = forms.ChoiceField(choices=_choices(SASL_MECHANISMS), initial="SCRAM-SHA-512", required=False)
    sasl_username = forms.CharField(required=False)
    sasl_password = forms.CharField(
        required=False, widget=forms.PasswordInput(render_value=False), help_text=KEEP_SECRET
    )
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
        help_text="One name: value per line, on every message.",
    )
    secret_headers = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Headers whose values are secret (e.g. an API key), one name: value per line. " + KEEP_SECRET,
    )
    message_timeout_ms = forms.IntegerField(
        initial=DEFAULT_MESSAGE_TIMEOUT_MS, min_value=1000, max_value=900_000, label="Delivery timeout (ms)"
    )

    def __init__(self, *args, config: dict | None = None, secrets: dict | None = None, **kwargs):
        self.saved_secrets = dict(secrets or {})
        if config:
            saved = with_defaults(config)
            initial = {name: saved[name] for name in self.base_fields if name in saved and name != "headers"}
            initial["headers"] = "\n".join(f"{h['name']}: {h.get('value', '')}" for h in saved["headers"] or [])
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        try:
            headers = _parse_headers(data.get("headers", ""), "headers")
        except forms.ValidationError as error:
            self.add_error("headers", error)
            return data
        try:
            secret_headers = _parse_headers(data.get("secret_headers", ""), "secret_headers")
        except forms.ValidationError as error:
            self.add_error("secret_headers", error)
            return data
        self.config = {
            name: data.get(name)
            for name in self.base_fields
            if name not in ("sasl_password", "headers", "secret_headers")
        }
        self.config["headers"] = [{"name": name, "value": value} for name, value in headers.items()]
        self.secrets = {
            "sasl_password": data.get("sasl_password") or self.saved_secrets.get("sasl_password", ""),
            "headers": secret_headers or self.saved_secrets.get("headers", {}),
        }
        for name, message in config_problems(self.config, self.secrets).items():
            if name not in self.errors:
                self.add_error(name if name in self.fields else None, message)
        return data
