"""Settings of a webhook destination: where, in which format, with which headers."""

from __future__ import annotations

import re

from django import forms

from ..forms import KIB, SinkForm, WriteOnlyTextarea, batch_kib_field, check_scheme, timeout_field

HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")  # an RFC 9110 token
# Set by the sink itself, or by the HTTP layer: a custom value would break the request.
RESERVED_HEADERS = frozenset(
    {"content-type", "content-length", "content-encoding", "transfer-encoding", "host", "connection"}
)


def parse_headers(text: str) -> dict[str, str]:
    """``Name: value`` lines into a dict; ValidationError naming the line at fault."""
    headers: dict[str, str] = {}
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        name, colon, value = line.partition(":")
        name, value = name.strip(), value.strip()
        if not colon or not HEADER_NAME.match(name):
            problems.append(f"Line {number}: write it as Name: value (the name without spaces).")
        elif name.lower() in RESERVED_HEADERS:
            problems.append(f"Line {number}: {name} is set by BizFlow Studio and cannot be replaced.")
        elif name.lower() in {existing.lower() for existing in headers}:
            problems.append(f"Line {number}: {name} is already given above.")
        else:
            headers[name] = value
    if problems:
        raise forms.ValidationError(problems)
    return headers


class WebhookForm(SinkForm):
    secret_fields = ("secret_headers",)

    url = forms.CharField(label="URL", max_length=2000)
    format = forms.ChoiceField(
        label="Body",
        initial="json",
        choices=[
            ("json", "JSON array of events (application/json)"),
            ("cloudevents", "CloudEvents batch (application/cloudevents-batch+json)"),
        ],
    )
    headers = forms.CharField(
        label="Headers",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line, Name: value. Shown to everyone who can edit the destination.",
    )
    secret_headers = forms.CharField(
        label="Secret headers",
        required=False,
        widget=WriteOnlyTextarea(attrs={"rows": 2}),
        help_text="One per line, Name: value, e.g. Authorization: Bearer …. Never shown again once saved.",
    )
    clear_secret_headers = forms.BooleanField(label="Remove the secret headers", required=False)
    max_batch_kib = batch_kib_field(512 * KIB, maximum_kib=64 * KIB)
    connect_timeout = timeout_field("Connect timeout")
    read_timeout = timeout_field("Read timeout")

    def initial_from_config(self, config: dict) -> dict:
        initial = {key: config[key] for key in ("url", "format", "connect_timeout", "read_timeout") if key in config}
        initial["headers"] = "\n".join(f"{name}: {value}" for name, value in (config.get("headers") or {}).items())
        if config.get("max_batch_bytes"):
            initial["max_batch_kib"] = int(config["max_batch_bytes"]) // KIB
        return initial

    def secret_is_set(self, name: str) -> bool:
        return name == "secret_headers" and bool(self.stored_secrets.get("headers"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        stored = self.stored_secrets.get("headers") or {}
        if stored:
            self.fields[
                "secret_headers"
            ].help_text = f"Set: {', '.join(stored)}. Leave empty to keep them; lines typed here replace them all."

    def clean_url(self) -> str:
        url = self.cleaned_data["url"].strip()
        if not url.lower().startswith(("https://", "http://")):
            raise forms.ValidationError("Enter a URL starting with https://.")
        if not forms.URLField().clean(url):
            raise forms.ValidationError("Enter a valid URL.")
        check_scheme(url)
        return url

    def clean_headers(self) -> dict[str, str]:
        return parse_headers(self.cleaned_data.get("headers") or "")

    def clean_secret_headers(self) -> dict[str, str]:
        return parse_headers(self.cleaned_data.get("secret_headers") or "")

    def clean(self) -> dict:
        cleaned = super().clean()
        plain = {name.lower() for name in cleaned.get("headers") or {}}
        secret = set(self._secret_headers(cleaned))
        both = sorted(name for name in secret if name.lower() in plain)
        if both:
            self.add_error("headers", f"{', '.join(both)} is also a secret header: give it in one place only.")
        return cleaned

    def _secret_headers(self, cleaned: dict) -> dict[str, str]:
        if cleaned.get("secret_headers"):
            return cleaned["secret_headers"]
        if cleaned.get("clear_secret_headers"):
            return {}
        return dict(self.stored_secrets.get("headers") or {})

    def to_config(self) -> dict:
        data = self.cleaned_data
        config = {
            "url": data["url"],
            "format": data["format"],
            "headers": data.get("headers") or {},
            "max_batch_bytes": data["max_batch_kib"] * KIB,
        }
        for key in ("connect_timeout", "read_timeout"):
            if data.get(key) is not None:
                config[key] = data[key]
        return config

    def to_secrets(self) -> dict:
        headers = self._secret_headers(self.cleaned_data)
        return {"headers": headers} if headers else {}
