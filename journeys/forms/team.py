"""The team page's forms: invite someone by username, change a member's role."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model

from ..models import Membership


class MemberAddForm(forms.Form):
    username = forms.CharField(max_length=150)
    role = forms.ChoiceField(choices=Membership.Role.choices, initial=Membership.Role.VIEWER)

    def __init__(self, *args, tenant, **kwargs):
        self.tenant = tenant
        super().__init__(*args, **kwargs)
        # Ids unique on the page, which shows one of these forms per tenant.
        self.auto_id = f"id_{tenant.slug}_%s"

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username__iexact=username).first()
        if user is None:
            raise forms.ValidationError(f"There is no user named {username}: they need an account first.")
        if Membership.objects.filter(tenant=self.tenant, user=user).exists():
            raise forms.ValidationError(f"{user.username} is already a member: change their role below.")
        # Inviting again only changes the role offered; they still have to accept.
        self.user = user
        return user.username


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Membership.Role.choices)
