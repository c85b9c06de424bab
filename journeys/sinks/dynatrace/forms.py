"""Settings of a Dynatrace destination: the environment, how to sign in, and how to send."""

from __future__ import annotations

from django import forms
from django.conf import settings

from ..forms import KIB, SinkForm, batch_kib_field, check_scheme, timeout_field
from .auth import normalize_account_urn
from .client import normalize_environment_url
from .transport import MAX_REQUEST_BYTES


class DynatraceForm(SinkForm):
    secret_fields = ("api_token", "client_id", "client_secret", "account_urn")

    environment_url = forms.CharField(
        label="Environment URL",
        max_length=500,
        help_text="https://<environment-id>.live.dynatrace.com or https://<environment-id>.apps.dynatrace.com",
    )
    auth_type = forms.ChoiceField(
        label="Sign in with",
        choices=[
            ("api_token", "Access token (classic API token with scope bizevents.ingest)"),
            ("oauth", "OAuth client (platform, scope storage:events:write)"),
        ],
        initial="api_token",
    )
    api_token = forms.CharField(label="Access token", max_length=500)
    client_id = forms.CharField(label="OAuth client id", max_length=500)
    client_secret = forms.CharField(label="OAuth client secret", max_length=500)
    account_urn = forms.CharField(
        label="Account URN", max_length=100, help_text="urn:dtaccount:<account UUID>, or just the UUID"
    )
    token_url = forms.URLField(
        label="SSO token URL",
        required=False,
        max_length=500,
        help_text="Empty for Dynatrace's (https://sso.dynatrace.com/sso/oauth2/token).",
    )
    max_batch_kib = batch_kib_field(512 * KIB, maximum_kib=MAX_REQUEST_BYTES // KIB)
    gzip = forms.BooleanField(label="Compress requests (gzip)", required=False)
    connect_timeout = timeout_field("Connect timeout")
    read_timeout = timeout_field("Read timeout")

    def initial_from_config(self, config: dict) -> dict:
        initial = {key: value for key, value in config.items() if key in self.base_fields}
        initial.setdefault("gzip", getattr(settings, "DYNATRACE_GZIP", False))
        if config.get("max_batch_bytes"):
            initial["max_batch_kib"] = int(config["max_batch_bytes"]) // KIB
        return initial

    def clean_environment_url(self) -> str:
        try:
            url = normalize_environment_url(self.cleaned_data["environment_url"])
        except ValueError as exc:
            raise forms.ValidationError(f"{str(exc)[:1].upper()}{str(exc)[1:]}.") from None
        check_scheme(url)
        return url

    def clean_token_url(self) -> str:
        url = self.cleaned_data.get("token_url") or ""
        if url:
            check_scheme(url)
        return url

    def clean_api_token(self) -> str:
        token = self.cleaned_data.get("api_token", "").strip()
        if token.lower().startswith("api-token "):  # pasted with the header's scheme
            token = token[len("api-token ") :].strip()
        if any(character.isspace() for character in token):
            raise forms.ValidationError("A token has no spaces or line breaks: paste it again.")
        return token

    def clean_account_urn(self) -> str:
        value = self.cleaned_data.get("account_urn", "").strip()
        if not value:
            return ""
        try:
            return normalize_account_urn(value)
        except ValueError as exc:
            raise forms.ValidationError(f"{str(exc)[:1].upper()}{str(exc)[1:]}.") from None

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("auth_type") == "oauth":
            self.require_secret("client_id", "Enter the OAuth client id (dt0s02.…).")
            self.require_secret("client_secret", "Enter the OAuth client secret.")
            self.require_secret("account_urn", "Enter the account URN (urn:dtaccount:<account UUID>).")
        else:
            self.require_secret("api_token", "Enter an access token with the bizevents.ingest scope.")
        return cleaned

    def to_config(self) -> dict:
        data = self.cleaned_data
        config = {
            "environment_url": data["environment_url"],
            "auth_type": data["auth_type"],
            "max_batch_bytes": data["max_batch_kib"] * KIB,
            "gzip": bool(data.get("gzip")),
        }
        for key in ("connect_timeout", "read_timeout"):
            if data.get(key) is not None:
                config[key] = data[key]
        if data["auth_type"] == "oauth" and data.get("token_url"):
            config["token_url"] = data["token_url"]
        return config

    def to_secrets(self) -> dict:
        """Only the secrets the chosen sign-in uses: switching kinds forgets the other kind's."""
        if self.cleaned_data["auth_type"] == "oauth":
            return {name: self.secret(name) for name in ("client_id", "client_secret", "account_urn")}
        return {"api_token": self.secret("api_token")}
