"""The Django admin for journeys: every bad value gets a message next to it.

The browser editor validates the whole journey through the engine; here each inline formset checks
its own rows with the same engine rules (errors beside the fields), and the journey as saved is then
validated whole, so the admin never keeps a journey the engine would refuse.
"""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Q
from django.http import HttpResponseRedirect

from ..engine.limits import limit_problems
from ..engine.spec import InvalidJourney, JourneySpec, SpecError, ensure_valid, validate_step
from ..engine.spec import Step as StepSpec
from ..models import ErrorRule, Host, Incident, Journey, Location, SegmentValue, Step
from ..selectors.journeys import journey_to_spec, variant_from_row
from ..services.editing import journey_delete
from ..services.quotas import volume_problems
from ..services.scheduling import journey_pause, journey_resume
from ..services.snapshots import journey_snapshot_write
from .display import ADMIN_CSS, audit_admin_change, badge, when


def _weights(value, count: int, label: str) -> None:
    if not isinstance(value, list) or len(value) != count:
        raise ValidationError(f"{label} needs exactly {count} numbers, e.g. [{', '.join(['1'] * min(count, 3))}, ...]")
    if any(not isinstance(v, int | float) or isinstance(v, bool) or v < 0 for v in value):
        raise ValidationError(f"{label} must all be numbers, 0 or more")
    if sum(value) <= 0:
        raise ValidationError(f"at least one of the {label} must be above zero")


class JourneyAdminForm(forms.ModelForm):
    class Meta:
        model = Journey
        fields = "__all__"  # noqa: DJ007  (the admin edits every field of a journey)

    def clean_timezone(self):
        name = self.cleaned_data["timezone"]
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError(f"'{name}' is not a known IANA timezone (e.g. Europe/London)") from None
        return name

    def clean_hour_weights(self):
        _weights(self.cleaned_data["hour_weights"], 24, "hour weights")
        return self.cleaned_data["hour_weights"]

    def clean_weekday_weights(self):
        _weights(self.cleaned_data["weekday_weights"], 7, "weekday weights (Monday first)")
        return self.cleaned_data["weekday_weights"]

    def clean(self):
        data = super().clean()
        if data.get("revenue_field") and data.get("revenue_min", 0) > data.get("revenue_max", 0):
            self.add_error("revenue_min", "must not be above the maximum")
        tenant = self.instance.tenant if self.instance.tenant_id else None
        if tenant is not None and data.get("journeys_per_day") is not None:
            for problem in volume_problems(tenant=tenant, journeys_per_day=data["journeys_per_day"]):
                self.add_error("journeys_per_day", problem.message)
        self._apply_ceilings(data)
        return data

    def _apply_ceilings(self, data: dict) -> None:
        """The engine's ceilings on the journey's own fields (its steps' are checked with the steps)."""
        texts = ("name", "event_provider", "correlation_field", "timezone", "location_field", "segment_field")
        fields = {name: data[name] for name in texts if isinstance(data.get(name), str)}
        volume = data.get("journeys_per_day")
        spec = JourneySpec(
            **{"name": "", "event_provider": "", "correlation_field": "", **fields},
            steps=(),
            journeys_per_day=volume if isinstance(volume, float | int) else 0,
        )
        for path, message in limit_problems(spec):
            if path in self.fields and path not in self.errors:
                self.add_error(path, message)


class StepFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        forms_kept = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        if any(f.errors for f in forms_kept):
            return
        forms_kept.sort(key=lambda f: f.cleaned_data.get("position") or 0)
        if len(forms_kept) < 2:
            raise ValidationError("A journey needs at least two steps.")
        seen: dict[str, int] = {}
        for index, form in enumerate(forms_kept):
            data = form.cleaned_data
            fields = {name: data.get(name) for name in StepSpec.__dataclass_fields__ if name in data}
            if form.instance.pk:  # a step with variants keeps them (they are edited in the journey editor)
                fields["variants"] = tuple(variant_from_row(v) for v in form.instance.variants.all())
            problems: list[SpecError] = []
            validate_step(problems, index, StepSpec(**fields), last=index == len(forms_kept) - 1)
            for problem in problems:
                field = problem.path.rsplit(".", 1)[-1]
                form.add_error(field if field in form.fields else None, problem.message)
            event_type = data.get("event_type")
            if fields.get("variants"):  # its variants' event types are checked where they are edited
                continue
            if event_type in seen:
                form.add_error("event_type", f"'{event_type}' is already used by step {seen[event_type] + 1}")
            seen.setdefault(event_type, index)


class ErrorFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        totals: dict[Step, float] = {}
        for form in self.forms:
            data = form.cleaned_data
            if data and not data.get("DELETE") and data.get("step") and data.get("pct") is not None:
                totals[data["step"]] = totals.get(data["step"], 0) + data["pct"]
        over = [f"'{step.name}' ({total:g}%)" for step, total in totals.items() if total > 100]
        if over:
            raise ValidationError(f"The error %s of a step may add up to 100 at most: {', '.join(over)}.")


class StepInline(admin.TabularInline):
    model = Step
    formset = StepFormSet
    extra = 0
    ordering = ["position"]


class ErrorInline(admin.TabularInline):
    model = ErrorRule
    formset = ErrorFormSet
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


STATE_TONES = {Journey.State.ACTIVE: "good", Journey.State.PAUSED: "warn", Journey.State.DRAFT: "quiet"}


@admin.register(Journey)
class JourneyAdmin(admin.ModelAdmin):
    form = JourneyAdminForm
    list_display = ["name", "tenant", "state_badge", "volume", "destination_count", "last_run", "owner", "updated_at"]
    list_filter = ["state", ("tenant", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["tenant", "owner"]
    search_fields = ["name", "event_provider", "slug"]
    # Whose journey it is and where it lives are not for the console to change: a journey is created
    # on the site, in the tenant its author chose, and a copy goes to another tenant by duplicating.
    readonly_fields = ["tenant", "owner", "slug", "state"]
    inlines = [StepInline, ErrorInline, LocationInline, SegmentInline, HostInline, IncidentInline]
    actions = ["pause_selected", "resume_selected"]

    class Media:
        css = ADMIN_CSS

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                destinations=Count("deliveries", filter=Q(deliveries__active=True), distinct=True),
                last_run_at=Max("deliveries__runs__started_at"),
            )
        )

    @admin.display(description="state", ordering="state")
    def state_badge(self, journey: Journey):
        return badge(journey.get_state_display(), STATE_TONES.get(journey.state, "quiet"))

    @admin.display(description="journeys per day", ordering="journeys_per_day")
    def volume(self, journey: Journey) -> str:
        return f"{journey.journeys_per_day:,g}"

    @admin.display(description="destinations", ordering="destinations")
    def destination_count(self, journey: Journey) -> int:
        return journey.destinations

    @admin.display(description="last run", ordering="last_run_at")
    def last_run(self, journey: Journey) -> str:
        return when(journey.last_run_at)

    def has_add_permission(self, request) -> bool:
        return False  # on the site, where the author chooses the tenant (see journeys.forms.tenancy)

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        audit_admin_change(
            request, obj, action="journey.updated", tenant=obj.tenant, details={"changed": form.changed_data}
        )

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        # The journey as saved goes through the engine's one validation, as the site's editor does, so a
        # rule that spans rows (a journey's length against the volume ceiling, steps with their
        # variants) holds here too. A refusal undoes the whole change: the admin's view is atomic.
        spec = journey_to_spec(form.instance)
        ensure_valid(spec)
        journey_snapshot_write(form.instance, spec)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except InvalidJourney as exc:
            messages.error(request, f"Nothing was saved: {exc}")
            return HttpResponseRedirect(request.get_full_path())

    def delete_model(self, request, obj) -> None:
        journey_delete(journey=obj, actor=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for journey in queryset.select_related("tenant"):
            journey_delete(journey=journey, actor=request.user)

    @admin.action(description="Pause selected journeys")
    def pause_selected(self, request, queryset) -> None:
        active = list(queryset.filter(state=Journey.State.ACTIVE).select_related("tenant"))
        for journey in active:
            journey_pause(journey=journey, user=request.user)
        self._report(request, "Paused", active, queryset.count())

    @admin.action(description="Resume selected journeys")
    def resume_selected(self, request, queryset) -> None:
        resumed = []
        for journey in queryset.filter(state=Journey.State.PAUSED).select_related("tenant"):
            try:
                journey_resume(journey=journey, user=request.user)
            except InvalidJourney as exc:
                self.message_user(request, f"{journey.name} cannot run: {exc}", messages.ERROR)
            else:
                resumed.append(journey)
        self._report(request, "Resumed", resumed, queryset.count())

    def _report(self, request, verb: str, done: list[Journey], selected: int) -> None:
        names = ", ".join(journey.name for journey in done[:10]) + (" and more" if len(done) > 10 else "")
        text = f"{verb} {len(done)} of {selected} selected journeys" + (f": {names}." if done else ".")
        if len(done) < selected:
            text += " The others were not in a state to change (a draft is activated from its page)."
        self.message_user(request, text, messages.SUCCESS if done else messages.WARNING)
