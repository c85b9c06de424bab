"""The journey editor's Django forms: one form for the journey's own fields, one formset per list.

Field validation here covers what a single input can get wrong (not a number, out of range, too
long); everything that depends on more than one value is the engine's ``validate()``, run on the
specification built from these forms (see :mod:`journeys.forms.convert`).
"""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.utils.dateparse import parse_datetime

HOURS = range(24)
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
HOUR_FIELDS = tuple(f"hour_{hour}" for hour in HOURS)
WEEKDAY_FIELDS = tuple(f"weekday_{day}" for day in range(len(WEEKDAYS)))


class DecimalInput(forms.NumberInput):
    """A number input that takes any decimal (browsers otherwise only accept whole numbers)."""

    def __init__(self, attrs=None):
        super().__init__({"step": "any", "inputmode": "decimal", **(attrs or {})})


def _number(*, label: str, help_text: str = "", required: bool = False, low=None, high=None, css: str = "num"):
    return forms.FloatField(
        label=label,
        help_text=help_text,
        required=required,
        min_value=low,
        max_value=high,
        widget=DecimalInput({"class": css}),
    )


def _text(*, label: str, max_length: int, help_text: str = "", required: bool = True, css: str = "", **attrs):
    if css:
        attrs["class"] = css
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=max_length,
        required=required,
        widget=forms.TextInput(attrs or None),
    )


class BasicsForm(forms.Form):
    """The journey's own fields: basics, field names, revenue and the hour and weekday weights."""

    name = _text(label="Name", max_length=200, help_text="Also the Business Flow's name in Dynatrace.")
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea({"rows": 2}), help_text="For your team; not sent."
    )
    event_provider = _text(
        label="Event provider", max_length=200, help_text="event.provider of every event, e.g. acme.retail."
    )
    correlation_field = _text(
        label="Correlation field", max_length=100, help_text="Ties a journey's events together, e.g. order.id."
    )
    timezone = _text(
        label="Timezone",
        max_length=64,
        help_text="IANA name; the times of day below are read in it.",
        list="timezones",
        autocomplete="off",
        spellcheck="false",
    )
    journeys_per_day = _number(
        label="Journeys per day", required=True, low=0, help_text="Expected starts per day, averaged over the week."
    )
    seed = forms.IntegerField(
        label="Seed",
        min_value=0,
        widget=forms.NumberInput({"class": "num"}),
        help_text="Same seed, same events. Change it for another, equally likely stream.",
    )
    location_field = _text(label="Location field", max_length=100, required=False)
    segment_field = _text(label="Segment field", max_length=100, required=False, help_text="e.g. loyalty or plan.")
    revenue_field = _text(
        label="Revenue field", max_length=100, required=False, help_text="e.g. order.value. Empty: no revenue."
    )
    revenue_min = _number(label="Minimum", low=0)
    revenue_max = _number(label="Maximum", low=0)
    revenue_label = _text(
        label="KPI label", max_length=100, required=False, help_text="How the dashboard names it, e.g. Revenue."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for hour, name in zip(HOURS, HOUR_FIELDS, strict=True):
            self.fields[name] = _number(label=f"{hour:02d}:00", low=0, css="num weight")
        for day, name in zip(WEEKDAYS, WEEKDAY_FIELDS, strict=True):
            self.fields[name] = _number(label=day, low=0, css="num weight")

    def hour_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in HOUR_FIELDS]

    def weekday_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in WEEKDAY_FIELDS]


class StepChoicesMixin:
    """Errors and incidents pick their step among the journey's current steps (by the row's key)."""

    def __init__(self, *args, step_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["step"].choices = [("", "Choose a step")] + list(step_choices)


DELAY_SHAPES = [("uniform", "uniform"), ("lognormal", "lognormal")]


def _delay_shape():
    return forms.ChoiceField(
        label="Delay shape",
        choices=DELAY_SHAPES,
        required=False,
        widget=forms.Select(
            attrs={"title": "Uniform between min and max, or lognormal: min and max its 5th and 95th percentiles"}
        ),
    )


class StepForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput, required=False)
    name = _text(label="Name", max_length=200, placeholder="e.g. Place order")
    event_type = _text(label="Event type", max_length=200, required=False, css="mono")
    drop_off_pct = _number(label="Drop-off %", low=0, high=100)
    min_delay_hours = _number(label="Min delay (h)", low=0)
    max_delay_hours = _number(label="Max delay (h)", low=0)
    max_loops = forms.IntegerField(
        label="Max loops", required=False, min_value=1, max_value=1000, widget=forms.NumberInput({"class": "num"})
    )
    optional_pct = _number(label="Optional %", low=0, high=100)
    carries_location = forms.BooleanField(label="Location", required=False)
    carries_segment = forms.BooleanField(label="Segment", required=False)
    carries_revenue = forms.BooleanField(label="Revenue", required=False)
    is_decision = forms.BooleanField(label="Decision", required=False)
    delay_shape = _delay_shape()

    def attribute_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("carries_location", "carries_segment", "carries_revenue", "is_decision")]


class VariantForm(forms.Form):
    """One way through a step with variants: a plain step's own fields, a weight and the end-state flag."""

    key = forms.CharField(widget=forms.HiddenInput, required=False)
    step = forms.CharField(widget=forms.HiddenInput, required=False)
    name = _text(label="Variant name", max_length=200, placeholder="e.g. Card")
    event_type = _text(label="Event type", max_length=200, required=False, css="mono")
    weight = _number(label="Weight", required=True, low=0, css="num weight")
    min_delay_hours = _number(label="Min delay (h)", low=0)
    max_delay_hours = _number(label="Max delay (h)", low=0)
    delay_shape = _delay_shape()
    max_loops = forms.IntegerField(
        label="Max loops", required=False, min_value=1, max_value=1000, widget=forms.NumberInput({"class": "num"})
    )
    carries_location = forms.BooleanField(label="Location", required=False)
    carries_segment = forms.BooleanField(label="Segment", required=False)
    carries_revenue = forms.BooleanField(label="Revenue", required=False)
    is_decision = forms.BooleanField(label="Decision", required=False)
    ends_journey = forms.BooleanField(label="Ends journey", required=False)

    def attribute_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("carries_location", "carries_segment", "carries_revenue", "is_decision")]


CHOOSE_STEP = {"required": "Choose the step it happens on.", "invalid_choice": "Choose one of the journey's steps."}


class ErrorForm(StepChoicesMixin, forms.Form):
    step = forms.ChoiceField(label="Step", error_messages=CHOOSE_STEP)
    name = _text(label="Error name", max_length=200, placeholder="e.g. payment.declined")
    pct = _number(label="% of journeys", required=True, low=0, high=100)


class LocalDateTimeField(forms.DateTimeField):
    """A date and time without a zone: the journey's timezone gives it one when the spec is built."""

    widget = forms.DateTimeInput({"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def to_python(self, value) -> datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value.replace(tzinfo=None)
        parsed = parse_datetime(str(value).strip())
        if parsed is None:
            raise forms.ValidationError("Enter a date and time, e.g. 2026-03-02 09:30.", code="invalid")
        return parsed.replace(tzinfo=None)


WINDOWS = [("daily", "Every day"), ("once", "Once")]


class WindowForm(forms.Form):
    """A time window: the same local hours every day, or once between two local times."""

    window = forms.ChoiceField(label="When", choices=WINDOWS)
    daily_start_hour = _number(label="From hour", low=0, high=24)
    daily_end_hour = _number(label="To hour", low=0, high=24)
    starts_at = LocalDateTimeField(label="Starts", required=False)
    ends_at = LocalDateTimeField(label="Ends", required=False)

    def clean(self):
        cleaned = super().clean()
        needed = ("starts_at", "ends_at") if cleaned.get("window") == "once" else ("daily_start_hour", "daily_end_hour")
        for name in needed:
            if cleaned.get(name) is None and not self.has_error(name):
                kind = "a date and time" if name.endswith("_at") else "an hour from 0 to 24"
                self.add_error(name, f"Enter {kind} for this window.")
        return cleaned


class IncidentForm(StepChoicesMixin, WindowForm):
    step = forms.ChoiceField(label="Step", error_messages=CHOOSE_STEP)
    error_name = _text(label="Error name", max_length=200, placeholder="e.g. scanner.down")
    pct = _number(label="% of journeys", required=True, low=0, high=100)

    field_order = ("step", "error_name", "pct")


class SurgeForm(WindowForm):
    multiplier = _number(label="Starts ×", required=True, low=0, high=1000)

    field_order = ("multiplier",)


class WeightedForm(forms.Form):
    value = _text(label="Value", max_length=200)
    weight = _number(label="Weight", required=True, low=0, css="num weight")


class HostForm(WeightedForm):
    value = _text(label="Host id", max_length=100, placeholder="HOST-0123456789ABCDEF", css="mono")


class AttributeForm(forms.Form):
    key = _text(label="Field", max_length=100, placeholder="e.g. channel")
    value = _text(label="Value", max_length=500, required=False)


def _formset(form_class):
    # Rows are added, removed and moved by rewriting the submitted data (journeys.forms.rows), so
    # every row counts as an initial form and is validated, and Django's delete/order fields are unused.
    return forms.formset_factory(form_class, extra=0, max_num=1000, absolute_max=1000)


StepFormSet = _formset(StepForm)
VariantFormSet = _formset(VariantForm)
SurgeFormSet = _formset(SurgeForm)
ErrorFormSet = _formset(ErrorForm)
IncidentFormSet = _formset(IncidentForm)
WeightedFormSet = _formset(WeightedForm)
HostFormSet = _formset(HostForm)
AttributeFormSet = _formset(AttributeForm)


class ImportForm(forms.Form):
    """A journey file, pasted or uploaded: BizFlow Studio JSON, a config.js, or an exported workflow."""

    MAX_BYTES = 2_000_000

    text = forms.CharField(
        label="Paste the file's content",
        required=False,
        widget=forms.Textarea({"rows": 12, "class": "mono", "spellcheck": "false"}),
    )
    file = forms.FileField(label="…or upload it", required=False)
    journeys_per_day = forms.FloatField(
        label="Journeys per day",
        required=False,
        min_value=0,
        widget=DecimalInput({"class": "num", "placeholder": "600"}),
        help_text="A config.js has no volume: leave empty for 600 a day (a JSON file keeps its own).",
    )
    event_provider = forms.CharField(
        label="Event provider",
        required=False,
        max_length=200,
        help_text="Empty: the file's own. Each journey of a tenant needs its own, or Dynatrace mixes their events.",
    )

    def clean(self):
        cleaned = super().clean()
        upload, text = cleaned.get("file"), (cleaned.get("text") or "").strip()
        if upload and text:
            raise forms.ValidationError("Paste the text or upload a file, not both.")
        if upload:
            if upload.size > self.MAX_BYTES:
                self.add_error("file", f"That file is {upload.size:,} bytes; the limit is {self.MAX_BYTES:,}.")
                return cleaned
            try:
                cleaned["content"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                self.add_error("file", "That file is not UTF-8 text.")
        elif text:
            cleaned["content"] = text
        elif not self.errors:
            raise forms.ValidationError("Paste a journey file or choose one to upload.")
        return cleaned
