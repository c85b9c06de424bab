"""From the editor's validated forms to the engine's :class:`JourneySpec`.

Whatever a form could not validate takes a neutral default here, so that the engine's ``validate()``
still runs on the rest and every problem shows at once. Errors and incidents name a step or variant
by its row key (:mod:`journeys.forms.rows`); an unknown key becomes step -1, which ``validate()``
refuses on the row's step field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo

from ..engine.spec import ErrorRule, Incident, JourneySpec, Revenue, Step, Surge, Variant, Weighted
from .editor import HOUR_FIELDS, WEEKDAY_FIELDS
from .rows import EditorValues
from .values import suggest_event_type, zone_of

_FLAGS = ("carries_location", "carries_segment", "carries_revenue", "is_decision")


class Cleaned:
    """A form's cleaned values, with a default for those that are missing or did not validate."""

    def __init__(self, form):
        self.data = form.cleaned_data if hasattr(form, "cleaned_data") else {}

    def get(self, name: str, default=None):
        value = self.data.get(name)
        return default if value is None or value == "" else value

    def text(self, name: str) -> str:
        return (self.data.get(name) or "").strip()


@dataclass(frozen=True)
class WayIndex:
    """Where each row key points in the spec: ``s2`` -> (1, None), ``v3`` -> (1, 0)."""

    ways: dict[str, tuple[int, int | None]]

    @classmethod
    def of(cls, values: EditorValues) -> WayIndex:
        ways: dict[str, tuple[int, int | None]] = {}
        for index, row in enumerate(values.rows["steps"]):
            ways.setdefault(row.get("key", ""), (index, None))
            for number, variant in enumerate(values.variants_of(row.get("key", ""))):
                ways.setdefault(variant.get("key", ""), (index, number))
        return cls(ways)

    def __getitem__(self, key: str | None) -> tuple[int, int | None]:
        return self.ways.get(key or "", (-1, None))


def _way(c: Cleaned, *, first: bool) -> dict:
    """Delay, shape, loops and attributes: what a plain step and a variant both hold."""
    flags = {name: bool(c.get(name, False)) for name in _FLAGS}
    if first:  # the first step starts the journey: it has no delay or loop
        return flags
    return {
        "min_delay_hours": c.get("min_delay_hours", 0.0),
        "max_delay_hours": c.get("max_delay_hours", 0.0),
        "delay_shape": c.get("delay_shape", "uniform"),
        "max_loops": c.get("max_loops", 1),
        **flags,
    }


def build_variant(c: Cleaned, step_name: str, *, first: bool) -> Variant:
    name = c.text("name")
    event_type = c.text("event_type") or suggest_event_type(f"{step_name} {name}")
    return Variant(
        name=name,
        event_type=event_type,
        weight=c.get("weight", 0.0),
        ends_journey=bool(c.get("ends_journey", False)),
        **_way(c, first=first),
    )


def build_step(c: Cleaned, variants: tuple[Variant, ...], *, first: bool) -> Step:
    name = c.text("name")
    journey = {} if first else {"drop_off_pct": c.get("drop_off_pct", 0.0), "optional_pct": c.get("optional_pct")}
    if variants:
        return Step(name=name, event_type="", variants=variants, **journey)
    event_type = c.text("event_type") or suggest_event_type(name)
    return Step(name=name, event_type=event_type, **journey, **_way(c, first=first))


def _steps(values: EditorValues, forms: dict[str, list]) -> tuple[Step, ...]:
    variant_forms = dict(zip((row.get("key") for row in values.rows["variants"]), forms["variants"], strict=True))
    steps = []
    for index, (row, form) in enumerate(zip(values.rows["steps"], forms["steps"], strict=True)):
        c, first = Cleaned(form), index == 0
        rows = values.variants_of(row.get("key", ""))
        variants = tuple(build_variant(Cleaned(variant_forms[v["key"]]), c.text("name"), first=first) for v in rows)
        steps.append(build_step(c, variants, first=first))
    return tuple(steps)


def _error(c: Cleaned, ways: WayIndex) -> ErrorRule:
    step, variant = ways[c.get("step")]
    return ErrorRule(c.text("name"), step, c.get("pct", 0.0), variant)


def _window(c: Cleaned, zone: tzinfo) -> dict:
    if c.get("window", "daily") == "once":
        starts, ends = c.get("starts_at"), c.get("ends_at")
        return {
            "starts_at": starts.replace(tzinfo=zone) if starts else None,
            "ends_at": ends.replace(tzinfo=zone) if ends else None,
        }
    return {"daily_start_hour": c.get("daily_start_hour"), "daily_end_hour": c.get("daily_end_hour")}


def _incident(c: Cleaned, ways: WayIndex, zone: tzinfo) -> Incident:
    step, variant = ways[c.get("step")]
    return Incident(
        step=step, variant=variant, error_name=c.text("error_name"), pct=c.get("pct", 0.0), **_window(c, zone)
    )


def _surge(c: Cleaned, zone: tzinfo) -> Surge:
    return Surge(multiplier=c.get("multiplier", 1.0), **_window(c, zone))


def _revenue(b: Cleaned) -> Revenue | None:
    if not b.text("revenue_field"):
        return None
    label = b.text("revenue_label") or "Revenue"
    return Revenue(b.text("revenue_field"), b.get("revenue_min", 0.0), b.get("revenue_max", 0.0), label)


def _weighted(forms) -> tuple[Weighted, ...]:
    return tuple(Weighted(Cleaned(f).text("value"), Cleaned(f).get("weight", 0.0)) for f in forms)


def build_spec(values: EditorValues, basics, formsets: dict) -> JourneySpec:
    """The journey the forms describe, whether or not it is valid."""
    b = Cleaned(basics)
    ways = WayIndex.of(values)
    forms = {section: formset.forms for section, formset in formsets.items()}
    timezone = b.text("timezone") or values.basics.get("timezone", "")
    zone = zone_of(timezone)
    return JourneySpec(
        name=b.text("name"),
        event_provider=b.text("event_provider"),
        correlation_field=b.text("correlation_field"),
        timezone=timezone,
        seed=b.get("seed", 0),
        journeys_per_day=b.get("journeys_per_day", 0.0),
        hour_weights=tuple(b.get(name, 0.0) for name in HOUR_FIELDS),
        weekday_weights=tuple(b.get(name, 0.0) for name in WEEKDAY_FIELDS),
        steps=_steps(values, forms),
        errors=tuple(_error(Cleaned(f), ways) for f in forms["errors"]),
        incidents=tuple(_incident(Cleaned(f), ways, zone) for f in forms["incidents"]),
        location_field=b.text("location_field"),
        locations=_weighted(forms["locations"]),
        segment_field=b.text("segment_field"),
        segments=_weighted(forms["segments"]),
        revenue=_revenue(b),
        hosts=_weighted(forms["hosts"]),
        extra_attributes=tuple((Cleaned(f).text("key"), Cleaned(f).text("value")) for f in forms["attributes"]),
        surges=tuple(_surge(Cleaned(f), zone) for f in forms["surges"]),
    )
