from django.contrib import admin

from .models import (
    Destination,
    ErrorRule,
    Host,
    Incident,
    Journey,
    JourneyDestination,
    Location,
    Run,
    SegmentValue,
    Step,
)


class StepInline(admin.TabularInline):
    model = Step
    extra = 0
    ordering = ["position"]


class ErrorInline(admin.TabularInline):
    model = ErrorRule
    extra = 0


class LocationInline(admin.TabularInline):
    model = Location
    extra = 0


class SegmentInline(admin.TabularInline):
    model = SegmentValue
    extra = 0


class HostInline(admin.TabularInline):
    model = Host
    extra = 0


class IncidentInline(admin.TabularInline):
    model = Incident
    extra = 0


@admin.register(Journey)
class JourneyAdmin(admin.ModelAdmin):
    list_display = ["name", "event_provider", "state", "journeys_per_day", "owner", "updated_at"]
    list_filter = ["state"]
    search_fields = ["name", "event_provider", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [StepInline, ErrorInline, LocationInline, SegmentInline, HostInline, IncidentInline]


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
    readonly_fields = ["cursor_ms", "cursor_skip", "origin_ms", "backfill_until_ms", "locked_until", "lock_token"]


@admin.register(Run)
class RunAdmin(admin.ModelAdmin):
    list_display = ["started_at", "journey_destination", "kind", "outcome", "delivered", "rejected", "expired"]
    list_filter = ["outcome", "kind"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
