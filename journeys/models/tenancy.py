"""Tenants: a team's workspace, its members and their roles, and the audit log of what they did."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models


class Tenant(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    events_per_day_cap = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="Most events the tenant's journeys may deliver per UTC day (empty: no cap)."
    )
    journeys_per_day_cap = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(0)], help_text="Highest volume any one journey may have."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", "Owner"  # everything, members and credentials included
        EDITOR = "editor", "Editor"  # journeys: design, activate, push; no members, no credentials
        VIEWER = "viewer", "Viewer"  # read only

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["tenant", "user__username"]
        constraints = [models.UniqueConstraint(fields=["tenant", "user"], name="one_membership_per_user_and_tenant")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}) in {self.tenant}"


class Invitation(models.Model):
    """An owner's offer of a role in a tenant: the invitee becomes a member only by accepting it.

    Until then the invitee has no :class:`Membership`, so every access check (which asks only about
    memberships) treats them as an outsider: they see the invitation on their team page, nothing else.
    """

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(max_length=10, choices=Membership.Role.choices, default=Membership.Role.VIEWER)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["tenant", "user__username"]
        constraints = [models.UniqueConstraint(fields=["tenant", "user"], name="one_invitation_per_user_and_tenant")]

    def __str__(self) -> str:
        return f"{self.user} invited as {self.get_role_display().lower()} to {self.tenant}"


class TenantDailyUsage(models.Model):
    """Events a tenant's runs sent on one UTC day: the counter its events-per-day cap is checked against.

    Runs reserve events here before sending (a conditional update), so two runs at once cannot both
    pass the cap; what a sink did not take is given back.
    """

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="daily_usage")
    day = models.DateField()
    events = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["-day", "tenant"]
        constraints = [models.UniqueConstraint(fields=["tenant", "day"], name="one_usage_row_per_tenant_and_day")]
        verbose_name_plural = "tenant daily usage"

    def __str__(self) -> str:
        return f"{self.tenant} on {self.day}: {self.events} events"


class AuditEntry(models.Model):
    tenant = models.ForeignKey(Tenant, null=True, on_delete=models.SET_NULL, related_name="audit_entries")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=40)  # e.g. journey.updated, journey.activated, assets.pushed
    target_type = models.CharField(max_length=40)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=255, blank=True)
    details = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.target_label}"
