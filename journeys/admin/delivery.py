"""Destinations with their health, journey-destination progress and the run history.

A destination's credentials are never shown here, not even encrypted: the list and the page name the
secrets that are set, nothing more. Settings and credentials are edited on the destination's own page
(Destinations), where each kind's form checks them; here they are read only.
"""

from django.contrib import admin
from django.db.models import Count
from django.utils.html import format_html

from .. import formatting
from ..models import Destination, JourneyDestination, Run, TenantAssets
from .display import ADMIN_CSS, audit_admin_change, badge, when


class StoppedFilter(admin.SimpleListFilter):
    title = "stopped"
    parameter_name = "stopped"

    def lookups(self, request, model_admin):
        return [("yes", "Stopped"), ("no", "Running")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(stopped_reason="")
        if self.value() == "no":
            return queryset.filter(stopped_reason="")
        return queryset


@admin.register(Destination)
class DestinationAdmin(admin.ModelAdmin):
    list_display = ["name", "tenant", "kind", "health", "journey_count", "owner"]
    list_filter = [("tenant", admin.RelatedOnlyFieldListFilter), "kind", StoppedFilter]
    list_select_related = ["tenant", "owner"]
    search_fields = ["name", "tenant__name"]
    fields = ["name", "tenant", "owner", "kind", "config", "secrets_set", "health", "last_error", "stopped_at"]
    readonly_fields = ["tenant", "owner", "kind", "config", "secrets_set", "health", "last_error", "stopped_at"]
    actions = ["restart_selected"]

    class Media:
        css = ADMIN_CSS

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(journeys=Count("deliveries", distinct=True))

    def has_add_permission(self, request) -> bool:
        return False  # on the Destinations page, where the kind's form checks settings and credentials

    @admin.display(description="journeys", ordering="journeys")
    def journey_count(self, destination: Destination) -> int:
        return destination.journeys

    @admin.display(description="secrets")
    def secrets_set(self, destination: Destination) -> str:
        names = sorted(destination.secrets)
        return f"set: {', '.join(names)}" if names else "none"

    @admin.display(description="health", ordering="last_success_at")
    def health(self, destination: Destination):
        if destination.is_stopped:
            head = badge("stopped", "bad", f"since {when(destination.stopped_at)}")
            detail = destination.stopped_reason
        elif destination.last_error_at and (
            not destination.last_success_at or destination.last_error_at > destination.last_success_at
        ):
            head = badge("failing", "warn", f"last error {when(destination.last_error_at)}")
            detail = f"last error {when(destination.last_error_at)}: {destination.last_error}"
        elif destination.last_success_at:
            head = badge("healthy", "good")
            detail = f"last success {when(destination.last_success_at)}"
            if destination.last_error_at:
                detail += f"; last error {when(destination.last_error_at)}"
        else:
            return badge("not used yet", "quiet")
        return format_html('{}<span class="bf-detail">{}</span>', head, _short(detail))

    def save_model(self, request, obj, form, change) -> None:
        # Only the name is editable here; the service saves it, keeps the stored settings and secrets,
        # and writes the audit line naming what changed, as the Destinations page does.
        from ..services.destinations import destination_update

        stored = Destination.objects.get(pk=obj.pk)
        destination_update(destination=stored, name=obj.name, config=stored.config, actor=request.user)

    def delete_model(self, request, obj) -> None:
        audit_admin_change(request, obj, action="destination.deleted", tenant=obj.tenant)
        super().delete_model(request, obj)

    @admin.action(description="Try selected destinations again (clear their stop)")
    def restart_selected(self, request, queryset) -> None:
        from ..services.destinations import destination_restart

        stopped = [destination for destination in queryset if destination.is_stopped]
        for destination in stopped:
            destination_restart(destination=destination)
            audit_admin_change(request, destination, action="destination.restarted", tenant=destination.tenant)
        self.message_user(request, f"{len(stopped)} destination(s) will be tried again at the next tick.")


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@admin.register(JourneyDestination)
class JourneyDestinationAdmin(admin.ModelAdmin):
    list_display = ["journey", "destination", "active", "delivered_until", "backfill_percent", "locked_until"]
    list_filter = ["active", ("journey__tenant", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["journey", "destination"]
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

    fields = ["journey", "destination", "active", *readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        # What a pair joins is fixed: a journey is attached to a destination of its own tenant on its page.
        return ["journey", "destination", *self.readonly_fields]

    def has_add_permission(self, request) -> bool:
        return False  # attached on the journey's page, which starts the backfill

    def save_model(self, request, obj, form, change) -> None:
        # Switching a pair on or off goes through the services: the same checks and audit as the page.
        from ..services.destinations import destination_attach, destination_detach

        if "active" not in form.changed_data:
            return
        pair = JourneyDestination.objects.select_related("journey", "destination").get(pk=obj.pk)
        if obj.active:
            destination_attach(journey=pair.journey, destination=pair.destination, actor=request.user)
        else:
            destination_detach(journey_destination=pair, actor=request.user)
        obj.refresh_from_db()

    def delete_model(self, request, obj) -> None:
        details = {"destination": obj.destination.name, "kind": obj.destination.kind}
        audit_admin_change(
            request, obj.journey, action="destination.unlinked", tenant=obj.journey.tenant, details=details
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        for pair in queryset.select_related("journey__tenant", "destination"):
            self.delete_model(request, pair)


OUTCOME_TONES = {
    Run.Outcome.SUCCESS: "good",
    Run.Outcome.PARTIAL: "warn",
    Run.Outcome.FAILED: "bad",
    Run.Outcome.SKIPPED: "quiet",
    Run.Outcome.RUNNING: "quiet",
}


@admin.register(Run)
class RunAdmin(admin.ModelAdmin):
    list_display = [
        "started_at",
        "journey_name",
        "destination_name",
        "kind",
        "outcome_badge",
        "delivered_count",
        "rejected_count",
        "expired_count",
        "duration",
        "why",
    ]
    list_display_links = ["started_at"]
    list_filter = [
        "outcome",
        "kind",
        ("journey_destination__journey__tenant", admin.RelatedOnlyFieldListFilter),
        ("journey_destination__destination", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["journey_destination__journey", "journey_destination__destination", "journey", "destination"]
    date_hierarchy = "started_at"
    search_fields = [
        "journey_destination__journey__name",
        "journey_destination__destination__name",
        "journey__name",
        "error",
    ]

    class Media:
        css = ADMIN_CSS

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    # Deliveries belong to a journey-destination; asset pushes name their journey and destination.
    @admin.display(description="journey", ordering="journey_destination__journey__name")
    def journey_name(self, run: Run) -> str:
        return run.journey.name if run.is_push else run.journey_destination.journey.name

    @admin.display(description="destination", ordering="journey_destination__destination__name")
    def destination_name(self, run: Run) -> str:
        return run.destination.name if run.is_push else run.journey_destination.destination.name

    @admin.display(description="outcome", ordering="outcome")
    def outcome_badge(self, run: Run):
        return badge(run.get_outcome_display(), OUTCOME_TONES.get(run.outcome, "quiet"))

    @admin.display(description="delivered", ordering="delivered")
    def delivered_count(self, run: Run) -> str:
        return formatting.integer(run.delivered)

    @admin.display(description="rejected", ordering="rejected")
    def rejected_count(self, run: Run) -> str:
        return formatting.integer(run.rejected)

    @admin.display(description="expired", ordering="expired")
    def expired_count(self, run: Run) -> str:
        return formatting.integer(run.expired)

    @admin.display(description="took", ordering="duration_ms")
    def duration(self, run: Run) -> str:
        return f"{run.duration_ms / 1000:.1f} s"

    @admin.display(description="why it ended so")
    def why(self, run: Run) -> str:
        return _short(run.error, 120) if run.error else ""


@admin.register(TenantAssets)
class TenantAssetsAdmin(admin.ModelAdmin):
    list_display = ["journey", "environment_url", "status", "finished_at", "pushed_by"]
    list_filter = ["status"]
    readonly_fields = [field.name for field in TenantAssets._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
