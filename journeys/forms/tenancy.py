"""Which tenant something new goes into: every form that creates inside a tenant asks with this.

The choice lists the tenants where the user has the role the new thing needs (editor for a journey,
owner for a destination), and starts at the tenant the user is working in (see
``journeys.views.working``); with one such tenant, that one. It never starts at "the first": a
user in several tenants with none to go by picks one.
"""

from __future__ import annotations

from django import forms

from ..access import tenants_for_user
from ..models import Tenant


class TenantChoiceForm(forms.Form):
    tenant = forms.ModelChoiceField(
        queryset=Tenant.objects.none(),
        to_field_name="slug",
        label="Tenant",
        empty_label="Choose a tenant…",
        error_messages={
            "required": "Choose the tenant it goes into.",
            "invalid_choice": "Choose one of your tenants where you have the role this needs.",
        },
    )

    def __init__(self, data=None, *, user, role: str, working: Tenant | None = None, help_text: str = "", **kwargs):
        choices = list(tenants_for_user(user, role=role).order_by("name"))
        if data is not None and len(choices) == 1 and not data.get("tenant"):
            # The only tenant possible is no guess: a post that names none (a script, an older page) goes there.
            data = data.copy()
            data["tenant"] = choices[0].slug
        super().__init__(data, **kwargs)
        field = self.fields["tenant"]
        field.queryset = tenants_for_user(user, role=role).order_by("name")
        self.choices = choices
        field.help_text = help_text
        if working is not None and working in self.choices:
            field.initial = working.slug
        elif len(self.choices) == 1:
            field.initial = self.choices[0].slug
        if len(self.choices) == 1:
            field.empty_label = None

    @property
    def asks(self) -> bool:
        """Whether there is a choice to show: a user with no such tenant gets a workspace of their own."""
        return bool(self.choices)

    def chosen(self) -> Tenant | None:
        """The tenant chosen (after ``is_valid()``); None when there was nothing to choose from."""
        return self.cleaned_data.get("tenant") if self.asks else None

    def is_valid(self) -> bool:
        return True if not self.asks else super().is_valid()
