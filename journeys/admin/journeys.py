"""The Django admin for journeys: every bad value gets a message next to it.

The browser editor validates the whole journey through the engine; here each inline formset checks
its own rows with the same engine rules, so the admin never saves a journey the engine would refuse.
"""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from ..engine.spec import SpecError, validate_step
from ..engine.spec import Step as StepSpec
from ..models import ErrorRule, Host, Incident, Journey, Location, SegmentValue, Step
from ..services.quotas import volume_problems


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
        fields = "__all__"

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
        if data.get("tenant") and data.get("journeys_per_day") is not None:
            for problem in volume_problems(tenant=data["tenant"], journeys_per_day=data["journeys_per_day"]):
                self.add_error("journeys_per_day", problem.message)
        return data


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
            problems: list[SpecError] = []
            validate_step(problems, index, StepSpec(**fields))
            for problem in problems:
                field = problem.path.rsplit(".", 1)[-1]
                form.add_error(field if field in form.fields else None, problem.message)
            event_type = data.get("event_type")
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


@admin.register(Journey)
class JourneyAdmin(admin.ModelAdmin):
    form = JourneyAdminForm
    list_display = ["name", "tenant", "event_provider", "state", "journeys_per_day", "owner", "updated_at"]
    list_filter = ["state", "tenant"]
    list_select_related = ["tenant", "owner"]
    search_fields = ["name", "event_provider", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [StepInline, ErrorInline, LocationInline, SegmentInline, HostInline, IncidentInline]
