"""What every destination's settings form shares: write-only secrets and URL checks.

A destination form is built from the stored ``config`` and ``secrets`` and gives back new ones::

    form = DynatraceForm(request.POST or None, config=destination.config, secrets=destination.secrets)
    if form.is_valid():
        destination.config, destination.secrets = form.to_config(), form.to_secrets()

Secret fields never render a value, not even the one just typed when the form comes back with an
error. A secret already stored shows as "set"; leaving its input empty keeps it, typing replaces it.
"""

from __future__ import annotations

from typing import Any

from django import forms

from .url_safety import UnsafeDestination, check_url

KIB = 1024


class WriteOnlyInput(forms.PasswordInput):
    def __init__(self, attrs: dict | None = None):
        super().__init__(attrs={"autocomplete": "new-password", **(attrs or {})}, render_value=False)


class WriteOnlyTextarea(forms.Textarea):
    def format_value(self, value: Any) -> None:
        return None


def check_scheme(url: str) -> None:
    """https only (unless HTTP_ALLOW_PLAIN), to a public address (unless BIZFLOW_ALLOW_PRIVATE_DESTINATIONS)."""
    try:
        check_url(url)
    except UnsafeDestination as exc:
        raise forms.ValidationError(str(exc)) from None


class SinkForm(forms.Form):
    """Base for destination forms; subclasses list ``secret_fields`` and implement ``to_config``/``to_secrets``."""

    secret_fields: tuple[str, ...] = ()

    def __init__(self, data=None, *, config: dict | None = None, secrets: dict | None = None, **kwargs: Any):
        self.stored_config = dict(config or {})
        self.stored_secrets = dict(secrets or {})
        kwargs.setdefault("initial", self.initial_from_config(self.stored_config))
        super().__init__(data, **kwargs)
        for name in self.secret_fields:
            field = self.fields[name]
            field.required = False
            if not isinstance(field.widget, WriteOnlyTextarea):
                field.widget = WriteOnlyInput()
            if self.secret_is_set(name):
                field.help_text = "Set. Leave empty to keep it, or type a new value to replace it."
                field.widget.attrs["placeholder"] = "set"

    def initial_from_config(self, config: dict) -> dict:
        return dict(config)

    def secret_is_set(self, name: str) -> bool:
        return bool(self.stored_secrets.get(name))

    def secret(self, name: str) -> Any:
        """The value typed now, else the one stored."""
        return self.cleaned_data.get(name) or self.stored_secrets.get(name) or ""

    def require_secret(self, name: str, message: str) -> Any:
        value = self.secret(name)
        if not value:
            self.add_error(name, message)
        return value

    def to_config(self) -> dict:
        raise NotImplementedError

    def to_secrets(self) -> dict:
        raise NotImplementedError


def batch_kib_field(initial_bytes: int, *, maximum_kib: int) -> forms.IntegerField:
    return forms.IntegerField(
        label="Largest request (KiB)",
        min_value=1,
        max_value=maximum_kib,
        initial=initial_bytes // KIB,
        help_text="Events are sent in requests of at most this size.",
    )


def timeout_field(label: str) -> forms.FloatField:
    return forms.FloatField(
        label=label, required=False, min_value=0.1, max_value=300, help_text="Seconds; empty for the server's default."
    )
