"""Between the editor's forms and the engine's :class:`JourneySpec`, both ways.

- :func:`values_from_spec` turns a stored journey into the text the editor shows.
- :class:`JourneyEditor` holds the forms for a set of values. Unbound (``bound=False``) it only
  displays them, typed text included, without judging it: that is what a row action or the first
  view of a page renders. Bound, :meth:`JourneyEditor.spec` validates every form, builds the spec
  from what is valid, runs the engine's ``validate()`` on it, and puts each :class:`SpecError`
  next to the input its path names (``steps[2].drop_off_pct`` is the third step row's drop-off).
  A journey is only returned when there is no error at all.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils.text import slugify

from ..engine.spec import ErrorRule, Incident, JourneySpec, Revenue, SpecError, Step, Weighted, validate
from .editor import (
    HOUR_FIELDS,
    WEEKDAY_FIELDS,
    WEEKDAYS,
    AttributeFormSet,
    BasicsForm,
    ErrorFormSet,
    HostFormSet,
    IncidentFormSet,
    StepFormSet,
    WeightedFormSet,
)
from .rows import CHECKED, EditorValues, RowAction, new_row

FORMSETS = {
    "steps": StepFormSet,
    "errors": ErrorFormSet,
    "incidents": IncidentFormSet,
    "locations": WeightedFormSet,
    "segments": WeightedFormSet,
    "hosts": HostFormSet,
    "attributes": AttributeFormSet,
}
ROW_NAMES = {
    "steps": "Step",
    "errors": "Error",
    "incidents": "Incident",
    "locations": "Location",
    "segments": "Segment value",
    "hosts": "Host",
    "attributes": "Attribute",
}
SECTION_TITLES = {
    "general": "Journey",
    "basics": "Basics",
    "steps": "Steps",
    "errors": "Errors",
    "locations": "Locations",
    "segments": "Segment",
    "revenue": "Revenue",
    "hosts": "Hosts",
    "hours": "Times of day",
    "weekdays": "Days of the week",
    "incidents": "Incidents",
    "attributes": "Extra attributes",
}
# Spec paths whose name differs from the form field's.
_BASICS_PATHS = {
    "revenue.field": "revenue_field",
    "revenue.min_value": "revenue_min",
    "revenue.max_value": "revenue_max",
    "revenue.label": "revenue_label",
}
_PATH_SECTIONS = {"hour_weights": "hours", "weekday_weights": "weekdays", "extra_attributes": "attributes"}
_PATH = re.compile(r"(?P<head>[a-z_]+)(?:\[(?P<index>\d+)\])?(?:\.(?P<field>[a-z_]+))?")
FIRST_INPUT = {"steps": "name", "errors": "name", "incidents": "error_name", "attributes": "key"}
DEFAULT_HOUR_WEIGHTS = (1, 1, 1, 1, 2, 3, 3, 4, 6, 9, 9, 10, 10, 9, 9, 6, 4, 3, 3, 2, 1, 1, 1, 1)
DATETIME_INPUT_FORMAT = "%Y-%m-%dT%H:%M"


def suggest_event_type(name: str) -> str:
    """The event type a step's name suggests: "Place order" -> "place.order"."""
    return slugify(name).replace("-", ".")


def as_text(value) -> str:
    """A number as a person would type it: 600, 0.25, never 600.0 or 1e+06."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def _step_row(index: int, step: Step) -> dict[str, str]:
    row = {
        "key": f"s{index + 1}",
        "name": step.name,
        "event_type": step.event_type,
        "drop_off_pct": as_text(step.drop_off_pct),
        "min_delay_hours": as_text(step.min_delay_hours),
        "max_delay_hours": as_text(step.max_delay_hours),
        "max_loops": as_text(step.max_loops),
        "optional_pct": as_text(step.optional_pct),
    }
    for name in ("carries_location", "carries_segment", "carries_revenue", "is_decision"):
        if getattr(step, name):
            row[name] = CHECKED
    return row


def _incident_row(incident: Incident, zone: tzinfo) -> dict[str, str]:
    row = {"step": f"s{incident.step + 1}", "error_name": incident.error_name, "pct": as_text(incident.pct)}
    if incident.is_daily:
        row.update(
            window="daily",
            daily_start_hour=as_text(incident.daily_start_hour),
            daily_end_hour=as_text(incident.daily_end_hour),
        )
    else:
        starts, ends = (_local_text(moment, zone) for moment in (incident.starts_at, incident.ends_at))
        row.update(window="once", starts_at=starts, ends_at=ends)
    return row


def _local_text(moment: datetime | None, zone: tzinfo) -> str:
    return moment.astimezone(zone).strftime(DATETIME_INPUT_FORMAT) if moment else ""


def values_from_spec(spec: JourneySpec, *, description: str = "") -> EditorValues:
    revenue = spec.revenue
    basics = {
        "name": spec.name,
        "description": description,
        "event_provider": spec.event_provider,
        "correlation_field": spec.correlation_field,
        "timezone": spec.timezone,
        "journeys_per_day": as_text(float(spec.journeys_per_day)),
        "seed": str(spec.seed),
        "location_field": spec.location_field,
        "segment_field": spec.segment_field,
        "revenue_field": revenue.field if revenue else "",
        "revenue_min": as_text(float(revenue.min_value)) if revenue else "",
        "revenue_max": as_text(float(revenue.max_value)) if revenue else "",
        "revenue_label": revenue.label if revenue else "Revenue",
    }
    basics.update({name: as_text(float(w)) for name, w in zip(HOUR_FIELDS, spec.hour_weights, strict=True)})
    basics.update({name: as_text(float(w)) for name, w in zip(WEEKDAY_FIELDS, spec.weekday_weights, strict=True)})
    zone = _zone(spec.timezone)
    rows = {
        "steps": [_step_row(index, step) for index, step in enumerate(spec.steps)],
        "errors": [{"step": f"s{e.step + 1}", "name": e.name, "pct": as_text(float(e.pct))} for e in spec.errors],
        "incidents": [_incident_row(incident, zone) for incident in spec.incidents],
        "locations": [{"value": w.value, "weight": as_text(float(w.weight))} for w in spec.locations],
        "segments": [{"value": w.value, "weight": as_text(float(w.weight))} for w in spec.segments],
        "hosts": [{"value": w.value, "weight": as_text(float(w.weight))} for w in spec.hosts],
        "attributes": [{"key": key, "value": value} for key, value in spec.extra_attributes],
    }
    return EditorValues(basics, rows)


def blank_values(*, seed: int) -> EditorValues:
    """A new journey: two empty steps and defaults that give a realistic day."""
    basics = {
        "name": "",
        "description": "",
        "event_provider": "",
        "correlation_field": "order.id",
        "timezone": "UTC",
        "journeys_per_day": "600",
        "seed": str(seed),
        "location_field": "location",
        "segment_field": "",
        "revenue_field": "",
        "revenue_min": "",
        "revenue_max": "",
        "revenue_label": "Revenue",
    }
    basics.update({name: str(w) for name, w in zip(HOUR_FIELDS, DEFAULT_HOUR_WEIGHTS, strict=True)})
    basics.update({name: "1" for name in WEEKDAY_FIELDS})
    values = EditorValues(basics, {section: [] for section in FORMSETS})
    values.rows["steps"].append({"key": "s1", "name": "", "event_type": ""})
    values.rows["steps"].append(new_row("steps", values))
    return values


def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def number_or_zero(text: str | None) -> float:
    """A typed weight for display (shares, bars): anything that is not a number >= 0 counts as 0."""
    try:
        value = float(text or 0)
    except ValueError:
        return 0.0
    return value if value >= 0 and value != float("inf") else 0.0


@dataclass(frozen=True)
class Problem:
    anchor: str  # the id of the input concerned, or of its section
    where: str  # "Step 3 · Drop-off %"
    message: str


class _Cleaned:
    """A form's cleaned values, with a default for those that are missing or did not validate."""

    def __init__(self, form):
        self.data = form.cleaned_data if hasattr(form, "cleaned_data") else {}

    def get(self, name: str, default=None):
        value = self.data.get(name)
        return default if value is None or value == "" else value

    def text(self, name: str) -> str:
        return (self.data.get(name) or "").strip()


def _build_step(c: _Cleaned, first: bool) -> Step:
    name = c.text("name")
    if first:  # the first step starts the journey: it has no drop-off, delay, loop or option
        return Step(name=name, event_type=c.text("event_type") or suggest_event_type(name), **_attributes(c))
    return Step(
        name=name,
        event_type=c.text("event_type") or suggest_event_type(name),
        drop_off_pct=c.get("drop_off_pct", 0.0),
        min_delay_hours=c.get("min_delay_hours", 0.0),
        max_delay_hours=c.get("max_delay_hours", 0.0),
        max_loops=c.get("max_loops", 1),
        optional_pct=c.get("optional_pct"),
        **_attributes(c),
    )


def _attributes(c: _Cleaned) -> dict[str, bool]:
    names = ("carries_location", "carries_segment", "carries_revenue", "is_decision")
    return {name: bool(c.get(name, False)) for name in names}


def _build_error(c: _Cleaned, index_of: dict[str, int]) -> ErrorRule:
    return ErrorRule(c.text("name"), index_of.get(c.get("step"), -1), c.get("pct", 0.0))


def _build_revenue(b: _Cleaned) -> Revenue | None:
    if not b.text("revenue_field"):
        return None
    label = b.text("revenue_label") or "Revenue"
    return Revenue(b.text("revenue_field"), b.get("revenue_min", 0.0), b.get("revenue_max", 0.0), label)


def _build_incident(c: _Cleaned, index_of: dict[str, int], zone: tzinfo) -> Incident:
    common = {"step": index_of.get(c.get("step"), -1), "error_name": c.text("error_name"), "pct": c.get("pct", 0.0)}
    if c.get("window", "daily") == "once":
        starts, ends = c.get("starts_at"), c.get("ends_at")
        return Incident(
            **common,
            starts_at=starts.replace(tzinfo=zone) if starts else None,
            ends_at=ends.replace(tzinfo=zone) if ends else None,
        )
    return Incident(**common, daily_start_hour=c.get("daily_start_hour"), daily_end_hour=c.get("daily_end_hour"))


def _weighted(forms) -> tuple[Weighted, ...]:
    return tuple(Weighted(_Cleaned(f).text("value"), _Cleaned(f).get("weight", 0.0)) for f in forms)


class JourneyEditor:
    """The editor's forms for one set of values; see the module's docstring."""

    def __init__(self, values: EditorValues, *, bound: bool, focus: tuple[RowAction, int] | None = None):
        self.values = values
        self.bound = bound
        data = values.to_data() if bound else None
        self.basics = BasicsForm(data=data) if bound else BasicsForm(initial=values.basics)
        choices = values.step_choices()
        self.formsets = {}
        for section, formset_class in FORMSETS.items():
            kwargs = {"prefix": section}
            if section in ("errors", "incidents"):
                kwargs["form_kwargs"] = {"step_choices": choices}
            if bound:
                self.formsets[section] = formset_class(data=data, **kwargs)
            else:
                self.formsets[section] = formset_class(initial=values.rows[section], **kwargs)
        for form, row in zip(self.formsets["steps"].forms, values.rows["steps"], strict=True):
            suggestion = suggest_event_type(row.get("name", ""))
            form.fields["event_type"].widget.attrs["placeholder"] = suggestion or "event.type"
        self.section_errors: dict[str, list[str]] = defaultdict(list)
        self._checked = False
        self._spec: JourneySpec | None = None
        # After a row action, the keyboard stays where the user works: in a new row's first input, or
        # on the arrow that moved a row (so pressing it again keeps moving it).
        self.focus = (focus[0].section, focus[1], focus[0].verb) if focus else None
        if focus and focus[0].verb == "add" and focus[1] < len(self.formsets[focus[0].section].forms):
            form = self.formsets[focus[0].section].forms[focus[1]]
            form.fields[FIRST_INPUT.get(focus[0].section, "value")].widget.attrs["autofocus"] = True

    @property
    def description(self) -> str:
        if self.bound:
            return self.basics.cleaned_data.get("description", "")
        return self.values.basics.get("description", "")

    def spec(self) -> JourneySpec | None:
        """The journey when every value is valid; otherwise None, with each error beside its input."""
        if not self._checked:
            self._checked = True
            forms_valid = self.basics.is_valid()
            for formset in self.formsets.values():
                forms_valid = formset.is_valid() and forms_valid
            spec = self._build_spec()
            for error in validate(spec):
                self._place(error)
            self._spec = spec if forms_valid and not self.has_errors() else None
        return self._spec

    def has_errors(self) -> bool:
        if self.basics.errors or any(self.section_errors.values()):
            return True
        return any(formset.total_error_count() for formset in self.formsets.values())

    def _build_spec(self) -> JourneySpec:
        b = _Cleaned(self.basics)
        keys = [row["key"] for row in self.values.rows["steps"]]
        index_of = {key: index for index, key in reversed(list(enumerate(keys)))}
        forms = {section: formset.forms for section, formset in self.formsets.items()}
        timezone = b.text("timezone") or self.values.basics.get("timezone", "")
        zone = _zone(timezone)
        return JourneySpec(
            name=b.text("name"),
            event_provider=b.text("event_provider"),
            correlation_field=b.text("correlation_field"),
            timezone=timezone,
            seed=b.get("seed", 0),
            journeys_per_day=b.get("journeys_per_day", 0.0),
            hour_weights=tuple(b.get(name, 0.0) for name in HOUR_FIELDS),
            weekday_weights=tuple(b.get(name, 0.0) for name in WEEKDAY_FIELDS),
            steps=tuple(_build_step(_Cleaned(form), index == 0) for index, form in enumerate(forms["steps"])),
            errors=tuple(_build_error(_Cleaned(f), index_of) for f in forms["errors"]),
            incidents=tuple(_build_incident(_Cleaned(f), index_of, zone) for f in forms["incidents"]),
            location_field=b.text("location_field"),
            locations=_weighted(forms["locations"]),
            segment_field=b.text("segment_field"),
            segments=_weighted(forms["segments"]),
            revenue=_build_revenue(b),
            hosts=_weighted(forms["hosts"]),
            extra_attributes=tuple((_Cleaned(f).text("key"), _Cleaned(f).text("value")) for f in forms["attributes"]),
        )

    def add_errors(self, errors: list[SpecError]) -> None:
        """Show errors a service raised on saving (e.g. a volume above the tenant's cap) beside their inputs."""
        for error in errors:
            self._place(error)
        self._spec = None

    def _place(self, error: SpecError) -> None:
        """Attach ``error`` to the input its path names, unless that input already shows an error."""
        path = _BASICS_PATHS.get(error.path, error.path)
        match = _PATH.fullmatch(path)
        if match is None:
            self.section_errors["general"].append(str(error))
            return
        head, index, field = match["head"], match["index"], match["field"]
        if head in self.basics.fields and index is None and field is None:
            self._add(self.basics, head, error.message)
            return
        section = _PATH_SECTIONS.get(head, head)
        if section == "hours" and index is not None:
            self._add(self.basics, HOUR_FIELDS[int(index)], error.message)
        elif section == "weekdays" and index is not None:
            self._add(self.basics, WEEKDAY_FIELDS[int(index)], error.message)
        elif section in self.formsets and index is not None and int(index) < len(self.formsets[section].forms):
            form = self.formsets[section].forms[int(index)]
            self._add(form, "key" if section == "attributes" else field, error.message)
        elif section in SECTION_TITLES:
            self.section_errors[section].append(_sentence(error.message))
        else:
            self.section_errors["general"].append(str(error))

    @staticmethod
    def _add(form, field: str | None, message: str) -> None:
        if field is not None and field not in form.fields:
            field = None
        if field == "event_type" and form.has_error("name") and not form.data.get(form.add_prefix("event_type")):
            return  # the type comes from the name, which already says what is wrong
        if field is None or not form.has_error(field):
            form.add_error(field, _sentence(message))

    def problems(self) -> list[Problem]:
        """Every error, in page order, with the id of its input: the list atop the form links to them."""
        found = [Problem("journey-form", SECTION_TITLES["general"], m) for m in self.section_errors.get("general", [])]
        found += _form_problems(self.basics, "")
        for section, formset in self.formsets.items():
            found += self._section_problems(section)
            for index, form in enumerate(formset.forms):
                found += _form_problems(form, self._row_name(section, index))
        for section in ("revenue", "hours", "weekdays"):
            found += self._section_problems(section)
        return found

    def _section_problems(self, section: str) -> list[Problem]:
        messages = self.section_errors.get(section, [])
        return [Problem(f"section-{section}", SECTION_TITLES[section], message) for message in messages]

    def _row_name(self, section: str, index: int) -> str:
        if section == "steps":
            name = self.values.rows["steps"][index].get("name", "").strip()
            return f"Step {index + 1} ({name})" if name else f"Step {index + 1}"
        return f"{ROW_NAMES[section]} {index + 1}"

    # What the template shows beside the forms, computed from the typed values.

    def rows(self, section: str) -> list[RowView]:
        forms = self.formsets[section].forms
        raw = self.values.rows[section]
        shares = weight_shares(raw) if section in WEIGHTED_SECTIONS else [""] * len(raw)
        focus = self.focus[1] if self.focus and self.focus[0] == section else None
        verb = self.focus[2] if focus is not None else ""
        return [
            RowView(
                form=form,
                section=section,
                index=index,
                hint=_type_hint(raw[index]) if section == "steps" else "",
                share=shares[index],
                last=index == len(forms) - 1,
                focused=verb if index == focus else "",
            )
            for index, form in enumerate(forms)
        ]

    @property
    def step_rows(self) -> list[RowView]:
        return self.rows("steps")

    @property
    def error_rows(self) -> list[RowView]:
        return self.rows("errors")

    @property
    def incident_rows(self) -> list[RowView]:
        return self.rows("incidents")

    @property
    def location_rows(self) -> list[RowView]:
        return self.rows("locations")

    @property
    def segment_rows(self) -> list[RowView]:
        return self.rows("segments")

    @property
    def host_rows(self) -> list[RowView]:
        return self.rows("hosts")

    @property
    def attribute_rows(self) -> list[RowView]:
        return self.rows("attributes")

    @property
    def hour_bars(self) -> list[Bar]:
        return bars(self.values.basics, HOUR_FIELDS, [f"{hour:02d}" for hour in range(24)])

    @property
    def weekday_bars(self) -> list[Bar]:
        return bars(self.values.basics, WEEKDAY_FIELDS, list(WEEKDAYS))


WEIGHTED_SECTIONS = ("locations", "segments", "hosts")


@dataclass(frozen=True)
class RowView:
    form: object
    section: str
    index: int
    hint: str = ""  # steps: the event type the name suggests, used while the type is left empty
    share: str = ""  # weighted lists: the row's share of the list's total weight
    last: bool = False
    focused: str = ""  # the row action just applied to this row, whose button keeps the focus

    @property
    def number(self) -> int:
        return self.index + 1

    @property
    def first(self) -> bool:
        return self.index == 0

    @property
    def label(self) -> str:
        return f"{ROW_NAMES[self.section]} {self.number}"

    @property
    def dom_id(self) -> str:
        return f"{self.section}-{self.index}"


@dataclass(frozen=True)
class Bar:
    label: str
    height_pct: float  # of the tallest bar
    share: str  # of the total


def weight_shares(rows: list[dict[str, str]]) -> list[str]:
    weights = [number_or_zero(row.get("weight")) for row in rows]
    total = sum(weights)
    return [f"{weight / total * 100:.1f}%" if total > 0 else "—" for weight in weights]


def bars(values: dict[str, str], names: tuple[str, ...], labels: list[str]) -> list[Bar]:
    weights = [number_or_zero(values.get(name)) for name in names]
    top, total = max(weights), sum(weights)
    return [
        Bar(label, round(weight / top * 100, 1) if top else 0.0, f"{weight / total * 100:.1f}%" if total else "—")
        for label, weight in zip(labels, weights, strict=True)
    ]


def _type_hint(row: dict[str, str]) -> str:
    return "" if row.get("event_type", "").strip() else suggest_event_type(row.get("name", ""))


def _sentence(message: str) -> str:
    """The engine's messages are fragments ("must be ..."); beside a field they read as sentences."""
    message = message[:1].upper() + message[1:]
    return message if message.endswith((".", "?", "!")) else message + "."


def _form_problems(form, row: str) -> list[Problem]:
    found = []
    for field, messages in form.errors.items():
        if field == "__all__":
            anchor, where = form.prefix or "journey-form", row
        else:
            anchor = form[field].auto_id
            label = form.fields[field].label
            where = f"{row} · {label}" if row else label
        found += [Problem(anchor, where, str(message)) for message in messages]
    return found
