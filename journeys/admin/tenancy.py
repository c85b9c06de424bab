"""Tenants with their members, and the read-only audit log."""

from django.contrib import admin

from ..models import AuditEntry, Membership, Tenant


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "member_count", "journey_count", "events_per_day_cap", "journeys_per_day_cap"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]

    @admin.display(description="members")
    def member_count(self, tenant: Tenant) -> int:
        return tenant.memberships.count()

    @admin.display(description="journeys")
    def journey_count(self, tenant: Tenant) -> int:
        return tenant.journeys.count()


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit log: read only, newest first."""

    list_display = ["at", "tenant", "actor", "action", "target_type", "target_label"]
    list_filter = ["action", "target_type", "tenant"]
    search_fields = ["target_label", "actor__username"]
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
