"""Settings of a file destination.

The interface every kind's settings form offers the destination pages: built from the stored
``config`` and ``secrets``, it gives back new ones with ``to_config()`` and ``to_secrets()``, and
lists in ``secret_fields`` the fields stored encrypted (none here). The folder is relative to the
tenant's own folder; given the tenant (``tenant=``), the form also refuses a folder that a symbolic
link leads out of it. It never names a server path.
"""

from typing import Any

from django import forms

from .transport import FolderRefused, clean_folder, resolve_directory


class FileForm(forms.Form):
    secret_fields: tuple[str, ...] = ()
    takes_tenant = True  # settings_form() passes the destination's tenant

    directory = forms.CharField(
        label="Folder",
        required=False,
        max_length=500,
        help_text="A folder inside your tenant's own folder on the server, e.g. exports/orders. "
        "Empty: the tenant's folder itself. Each journey writes into a folder of its own there.",
    )
    fsync = forms.BooleanField(
        required=False,
        initial=True,
        label="Flush to disk after every batch",
        help_text="Slower, but a power cut loses nothing that was reported delivered.",
    )

    def __init__(
        self, data=None, *, config: dict | None = None, secrets: dict | None = None, tenant=None, **kwargs: Any
    ):
        self.stored_config = dict(config or {})
        self.tenant = tenant
        if config:
            kwargs.setdefault("initial", {"directory": "", "fsync": True, **self.stored_config})
        super().__init__(data, **kwargs)

    def clean_directory(self) -> str:
        value = self.cleaned_data["directory"]
        try:
            folder = clean_folder(value)
            if self.tenant is not None:
                resolve_directory(folder, self.tenant.slug)
        except FolderRefused as exc:
            raise forms.ValidationError(str(exc)) from None
        return folder

    def to_config(self) -> dict:
        return {"directory": self.cleaned_data["directory"], "fsync": self.cleaned_data["fsync"]}

    def to_secrets(self) -> dict:
        return {}
