"""Forms for destinations: a name, plus the settings form that the destination's kind provides.

Each kind's package has ``forms.py`` with a ``ConfigForm``; the fields it names in ``secret_fields``
are stored encrypted and never sent back to the browser: an edit form shows only that a value is set,
with an empty box to type a replacement into.
"""

from __future__ import annotations

import importlib

from django import forms
from django.http import Http404

from .models import Destination, Journey

SECRET_IS_SET = "Set. Leave empty to keep it, or type a new value to replace it."


class DestinationForm(forms.Form):
    name = forms.CharField(max_length=200)


class AttachForm(forms.Form):
    destination = forms.ModelChoiceField(queryset=Destination.objects.none(), empty_label=None)

    def __init__(self, *args, journey: Journey, **kwargs):
        super().__init__(*args, **kwargs)
        attached = journey.deliveries.filter(active=True).values_list("destination_id", flat=True)
        self.fields["destination"].queryset = Destination.objects.filter(owner=journey.owner).exclude(pk__in=attached)


def config_form_class(kind: str) -> type[forms.Form]:
    try:
        module = importlib.import_module(f"journeys.sinks.{kind}.forms")
    except ModuleNotFoundError:
        raise Http404(f"no settings form for destination kind {kind!r}") from None
    return module.ConfigForm


def config_form(kind: str, *, destination: Destination | None = None, data=None) -> forms.Form:
    """The kind's settings form, filled from ``destination`` (secrets excepted) or from ``data``."""
    form_class = config_form_class(kind)
    secret_fields = tuple(getattr(form_class, "secret_fields", ()))
    initial = {k: v for k, v in (destination.config if destination else {}).items() if k not in secret_fields}
    form = form_class(data=data, initial=initial, prefix="settings")
    stored = destination.secrets if destination else {}
    for name in secret_fields:
        field = form.fields[name]
        field.widget = forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"})
        if name in stored:
            field.required = False
            field.help_text = SECRET_IS_SET
    return form


def split_settings(form: forms.Form) -> tuple[dict, dict]:
    """(config, secrets) from a valid settings form; empty secret boxes are left out (kept as stored)."""
    secret_fields = set(getattr(form, "secret_fields", ()))
    config = {k: v for k, v in form.cleaned_data.items() if k not in secret_fields}
    secrets = {k: v for k, v in form.cleaned_data.items() if k in secret_fields and v not in (None, "")}
    return config, secrets
