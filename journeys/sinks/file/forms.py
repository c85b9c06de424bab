"""Settings of a file destination."""

from django import forms
from django.conf import settings

from .transport import resolve_directory


class ConfigForm(forms.Form):
    """The destination's settings. Fields named in ``secret_fields`` are stored encrypted (none here)."""

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

    def clean_directory(self) -> str:
        value = self.cleaned_data["directory"].strip()
        try:
            resolve_directory(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None
        return value
