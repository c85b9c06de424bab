"""Settings of a file destination.

The interface every kind's settings form offers the destination pages: built from the stored
``config`` and ``secrets``, it gives back new ones with ``to_config()`` and ``to_secrets()``, and
lists in ``secret_fields`` the fields stored encrypted (none here).
"""

from typing import Any

from django import forms
from django.conf import settings

from .transport import resolve_directory


class FileForm(forms.Form):
    secret_fields: tuple[str, ...] = ()

    directory = forms.CharField(
        required=False,
        max_length=500,
        help_text=f"Folder for the files; relative to {settings.BIZFLOW_EVENTS_DIR}. Empty: that folder itself.",
    )
    fsync = forms.BooleanField(
        required=False,
        initial=True,
        label="Flush to disk after every batch",
        help_text="Slower, but a power cut loses nothing that was reported delivered.",
    )

    def __init__(self, data=None, *, config: dict | None = None, secrets: dict | None = None, **kwargs: Any):
        self.stored_config = dict(config or {})
        if config:
            kwargs.setdefault("initial", {"directory": "", "fsync": True, **self.stored_config})
        super().__init__(data, **kwargs)

    def clean_directory(self) -> str:
        value = self.cleaned_data["directory"].strip()
        try:
            resolve_directory(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None
        return value

    def to_config(self) -> dict:
        return {"directory": self.cleaned_data["directory"], "fsync": self.cleaned_data["fsync"]}

    def to_secrets(self) -> dict:
        return {}
