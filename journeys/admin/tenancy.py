"""Tenants with their members, caps and today's usage; the read-only audit log."""

from django import forms
from django.contrib import admin, messages
from django.db.models import Count
from django.utils import timezone

from ..models import AuditEntry, Invitation, Membership, Tenant, TenantDailyUsage
from ..selectors.delivery import tenant_events_delivered_on
from ..services.quotas import usage_day
from ..services.tenancy import (
    AlreadyMember,
    LastOwner,
    default_caps,
    invitation_cancel,
    invitation_create,
    membership_remove,
    membership_set,
)
from .display import ADMIN_CSS, audit_admin_change, badge


class MembershipFormSet(forms.BaseInlineFormSet):
    """A tenant keeps at least one owner, here as on the team page."""

    def clean(self):
        super().clean()
        roles = [
            form.cleaned_data.get("role")
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        if self.instance.pk and Membership.Role.OWNER not in roles:
            raise forms.ValidationError("A tenant needs at least one owner: make someone else owner first.")


class MembershipInline(admin.TabularInline):
    """Members: their roles changed or removed here. Nobody joins here: they are invited below."""

    model = Membership
    formset = MembershipFormSet
    extra = 0
    fields = ["user", "role"]
    readonly_fields = ["user"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class InvitationInline(admin.TabularInline):
    """Invitations not yet answered: the invitee accepts or declines on their team page."""

    model = Invitation
    extra = 0
    fields = ["user", "role", "invited_by", "created_at"]
    readonly_fields = ["invited_by", "created_at"]
    autocomplete_fields = ["user"]
    verbose_name_plural = "invitations (members once they accept)"


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "member_count", "journey_count", "events_today", "journeys_per_day_cap"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "events_per_day_cap", "journeys_per_day_cap"]
    inlines = [MembershipInline, InvitationInline]

    class Media:
        css = ADMIN_CSS

    def get_changeform_initial_data(self, request):
        """A tenant added here starts with the default caps, like one made on the site."""
        return {**default_caps(), **super().get_changeform_initial_data(request)}

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                members=Count("memberships", distinct=True),
                journey_total=Count("journeys", distinct=True),
                delivered_today=tenant_events_delivered_on(usage_day(timezone.now())),
            )
        )

    @admin.display(description="members", ordering="members")
    def member_count(self, tenant: Tenant) -> int:
        return tenant.members

    @admin.display(description="journeys", ordering="journey_total")
    def journey_count(self, tenant: Tenant) -> int:
        return tenant.journey_total

    @admin.display(description="events today (UTC) / cap", ordering="delivered_today")
    def events_today(self, tenant: Tenant):
        """Events the tenant's runs delivered this UTC day, whether or not a cap is (or was) set."""
        sent = tenant.delivered_today
        cap = tenant.events_per_day_cap
        if cap is None:
            return f"{sent:,} (no cap)"
        return badge(f"{sent:,} / {cap:,}", "bad" if sent >= cap else "good")

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        details = {"changed": form.changed_data} if change else {}
        action = "tenant.updated" if change else "tenant.created"
        audit_admin_change(request, obj, action=action, tenant=obj, details=details)

    def save_formset(self, request, form, formset, change) -> None:
        # Through the services, as on the team page: checked (the last owner stays) and audited.
        tenant = form.instance
        if formset.model is Membership:
            self._save_members(request, tenant, formset)
        elif formset.model is Invitation:
            self._save_invitations(request, tenant, formset)
        else:
            super().save_formset(request, form, formset, change)

    def _save_members(self, request, tenant: Tenant, formset) -> None:
        changed = [f for f in formset.initial_forms if f.has_changed() and f not in formset.deleted_forms]
        # Promotions first, so handing ownership over in one save never leaves the tenant ownerless.
        changed.sort(key=lambda f: f.cleaned_data["role"] != Membership.Role.OWNER)
        try:
            for member_form in changed:
                member = member_form.instance
                membership_set(
                    tenant=tenant, user=member.user, role=member_form.cleaned_data["role"], actor=request.user
                )
            for removed in formset.deleted_forms:
                if removed.instance.pk:
                    membership_remove(tenant=tenant, user=removed.instance.user, actor=request.user)
        except LastOwner as exc:
            self.message_user(request, f"{exc}.", messages.ERROR)
        # What the admin's own history message reads.
        formset.new_objects = []
        formset.changed_objects = [(f.instance, f.changed_data) for f in changed]
        formset.deleted_objects = [f.instance for f in formset.deleted_forms if f.instance.pk]

    def _save_invitations(self, request, tenant: Tenant, formset) -> None:
        formset.deleted_objects = [f.instance for f in formset.deleted_forms if f.instance.pk]
        for invitation in formset.deleted_objects:
            invitation_cancel(invitation=invitation, actor=request.user)
        kept = [f for f in formset.forms if f.has_changed() and f not in formset.deleted_forms and f.cleaned_data]
        formset.new_objects, formset.changed_objects = [], []
        for invitation_form in kept:
            user, role = invitation_form.cleaned_data["user"], invitation_form.cleaned_data["role"]
            try:
                invitation = invitation_create(tenant=tenant, user=user, role=role, actor=request.user)
            except AlreadyMember as exc:
                self.message_user(request, f"{exc}.", messages.WARNING)
            else:
                formset.new_objects.append(invitation)

    def delete_model(self, request, obj) -> None:
        audit_admin_change(request, obj, action="tenant.deleted", tenant=None, details={"name": obj.name})
        super().delete_model(request, obj)


@admin.register(TenantDailyUsage)
class TenantDailyUsageAdmin(admin.ModelAdmin):
    """Events each tenant's runs sent per UTC day: what the events-per-day cap is checked against."""

    list_display = ["day", "tenant", "events"]
    list_filter = [("tenant", admin.RelatedOnlyFieldListFilter)]
    date_hierarchy = "day"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit log: read only, newest first."""

    list_display = ["at", "tenant", "actor", "action", "target_type", "target_label", "details"]
    list_filter = ["action", "target_type", "tenant"]
    search_fields = ["target_label", "actor__username"]
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
