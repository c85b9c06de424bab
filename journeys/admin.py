from django.contrib import admin

from .models import ErrorRule, Host, Incident, Journey, Location, SegmentValue, Step


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
