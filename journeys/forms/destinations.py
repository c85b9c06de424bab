"""Forms for destinations: a name, plus the settings form that the destination's kind provides.

Each kind's package has ``forms.py`` with one settings form class, built as
``Form(data, config=..., secrets=...)`` and giving back ``to_config()`` and ``to_secrets()``; the
fields it names in ``secret_fields`` are stored encrypted and never sent back to the browser: an
edit form shows only that a value is set, with an empty box to type a replacement into.
"""

from __future__ import annotations

import importlib
import inspect

from django import forms
from django.http import Http404

from ..models import Destination, Journey

SECRET_IS_SET = "Set. Leave empty to keep it, or type a new value to replace it."
ENTER_AGAIN = "The address changed: enter it again (a stored secret never follows a new address)."


class DestinationForm(forms.Form):
    name = forms.CharField(max_length=200)


class AttachForm(forms.Form):
    destination = forms.ModelChoiceField(queryset=Destination.objects.none(), empty_label=None)

    def __init__(self, *args, journey: Journey, **kwargs):
        super().__init__(*args, **kwargs)
        attached = journey.deliveries.filter(active=True).values_list("destination_id", flat=True)
        self.fields["destination"].queryset = Destination.objects.filter(tenant=journey.tenant).exclude(pk__in=attached)
        self.fields["destination"].label_from_instance = lambda d: f"{d.name} · {d.get_kind_display()}"


def settings_form_class(kind: str) -> type[forms.Form]:
    """The settings form a kind's package defines in its forms.py (the one form class written there)."""
    try:
        module = importlib.import_module(f"journeys.sinks.{kind}.forms")
    except ModuleNotFoundError:
        raise Http404(f"no settings form for destination kind {kind!r}") from None
    found = [
        value
        for value in vars(module).values()
        if inspect.isclass(value)
        and issubclass(value, forms.BaseForm)
        and value.__module__ == module.__name__
        and hasattr(value, "to_config")
    ]
    if len(found) != 1:
        raise LookupError(f"journeys/sinks/{kind}/forms.py should define one settings form, found {len(found)}")
    return found[0]


def settings_form(
    kind: str, *, destination: Destination | None = None, data=None, tenant=None, stored_secrets: bool = True
) -> forms.Form:
    """The kind's settings form; ``tenant`` (the destination's, when editing) for a form that checks against it.

    ``stored_secrets=False`` builds it as if the destination had no secret stored (they must be entered again).
    """
    form_class = settings_form_class(kind)
    config = destination.config if destination else {}
    secrets = destination.secrets if destination and stored_secrets else {}
    extra = {}
    if getattr(form_class, "takes_tenant", False):
        extra["tenant"] = destination.tenant if destination else tenant
    form = form_class(data, config=config, secrets=secrets, prefix="settings", **extra)
    # Whatever the kind's form does, a secret never goes back to the browser.
    for name in getattr(form_class, "secret_fields", ()):
        field = form.fields[name]
        if "WriteOnly" not in type(field.widget).__name__:  # the kinds' own write-only widgets are kept
            field.widget = forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"})
        if name in secrets:
            field.required = False
            field.help_text = field.help_text or SECRET_IS_SET
    return form


def settings_form_for_edit(destination: Destination, data) -> forms.Form:
    """The settings form for saving ``destination``: when the posted address differs from the stored
    one, the form is checked again as if no secret were stored, so each secret the kind needs is
    asked for again beside its field (and optional ones are cleared) rather than kept.

    ``form.secrets_reentered`` then says that every secret in ``to_secrets()`` was typed in this time.
    """
    from ..services.destinations import destination_address_changed

    form = settings_form(destination.kind, destination=destination, data=data)
    form.secrets_reentered = False
    if data is None or not form.is_valid():
        return form
    if not destination_address_changed(destination=destination, config=form.to_config()):
        return form
    fresh = settings_form(destination.kind, destination=destination, data=data, stored_secrets=False)
    for name in getattr(fresh, "secret_fields", ()):
        if name in fresh.fields:
            fresh.fields[name].help_text = ENTER_AGAIN
    fresh.secrets_reentered = True
    if not fresh.is_valid():
        for name in getattr(fresh, "secret_fields", ()):
            if fresh.has_error(name):
                fresh.add_error(name, ENTER_AGAIN)
    return fresh
