"""Destinations with their health, journey-destination progress and the run history."""

from django.contrib import admin

from ..models import Destination, JourneyDestination, Run, TenantAssets


@admin.register(Destination)
class DestinationAdmin(admin.ModelAdmin):
    # ``secrets`` is not editable and never listed: the admin shows neither it nor its ciphertext.
    list_display = ["name", "kind", "owner", "last_success_at", "last_error_at", "stopped_reason"]
    list_filter = ["kind"]
    search_fields = ["name"]
    readonly_fields = ["last_success_at", "last_error_at", "last_error", "stopped_at"]
    exclude = ["secrets"]


@admin.register(JourneyDestination)
class JourneyDestinationAdmin(admin.ModelAdmin):
    list_display = ["journey", "destination", "active", "cursor_ms", "cursor_skip", "locked_until"]
    list_filter = ["active"]
    readonly_fields = [
        "cursor_ms",
        "cursor_skip",
        "origin_ms",
        "backfill_until_ms",
        "locked_until",
        "lock_token",
        "probe_requested_at",
        "probed_at",
        "probe_events",
        "probe_error",
    ]


@admin.register(Run)
class RunAdmin(admin.ModelAdmin):
    list_display = ["started_at", "where", "kind", "outcome", "delivered", "rejected", "expired"]
    list_filter = ["outcome", "kind"]
    list_select_related = ["journey_destination__journey", "journey_destination__destination", "journey", "destination"]

    @admin.display(description="Journey and destination")
    def where(self, run: Run) -> str:
        # Deliveries belong to a journey-destination; asset pushes name their journey and destination.
        return f"{run.journey} -> {run.destination}" if run.is_push else str(run.journey_destination)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(TenantAssets)
class TenantAssetsAdmin(admin.ModelAdmin):
    list_display = ["journey", "environment_url", "status", "finished_at", "pushed_by"]
    list_filter = ["status"]
    readonly_fields = [field.name for field in TenantAssets._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
