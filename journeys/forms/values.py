"""From the engine's :class:`JourneySpec` to the text the editor shows (:class:`EditorValues`).

Steps are keyed ``s1``, ``s2``… and variants ``v1``, ``v2``… in the order of the journey; an error or
incident names the key of its step, or of its variant on a step with variants.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils.text import slugify

from ..engine.spec import Incident, JourneySpec, Step, Surge, Variant
from .editor import HOUR_FIELDS, WEEKDAY_FIELDS
from .rows import CHECKED, SECTION_FIELDS, EditorValues, new_row

DEFAULT_HOUR_WEIGHTS = (1, 1, 1, 1, 2, 3, 3, 4, 6, 9, 9, 10, 10, 9, 9, 6, 4, 3, 3, 2, 1, 1, 1, 1)
DATETIME_INPUT_FORMAT = "%Y-%m-%dT%H:%M"
_FLAGS = ("carries_location", "carries_segment", "carries_revenue", "is_decision")


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


def zone_of(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def _way_fields(way: Step | Variant) -> dict[str, str]:
    row = {
        "min_delay_hours": as_text(way.min_delay_hours),
        "max_delay_hours": as_text(way.max_delay_hours),
        "max_loops": as_text(way.max_loops),
        "delay_shape": way.delay_shape,
    }
    row.update({name: CHECKED for name in _FLAGS if getattr(way, name)})
    return row


def _step_row(index: int, step: Step) -> dict[str, str]:
    row = {
        "key": f"s{index + 1}",
        "name": step.name,
        "event_type": step.event_type,
        "drop_off_pct": as_text(step.drop_off_pct),
        "optional_pct": as_text(step.optional_pct),
    }
    if not step.variants:
        row.update(_way_fields(step))
    return row


def _variant_row(key: str, step_key: str, variant: Variant) -> dict[str, str]:
    row = {"key": key, "step": step_key, "name": variant.name, "event_type": variant.event_type}
    row["weight"] = as_text(float(variant.weight))
    row.update(_way_fields(variant))
    if variant.ends_journey:
        row["ends_journey"] = CHECKED
    return row


def _window_fields(window: Incident | Surge, zone: tzinfo) -> dict[str, str]:
    if window.is_daily:
        return {
            "window": "daily",
            "daily_start_hour": as_text(window.daily_start_hour),
            "daily_end_hour": as_text(window.daily_end_hour),
        }
    starts, ends = (_local_text(moment, zone) for moment in (window.starts_at, window.ends_at))
    return {"window": "once", "starts_at": starts, "ends_at": ends}


def _local_text(moment: datetime | None, zone: tzinfo) -> str:
    return moment.astimezone(zone).strftime(DATETIME_INPUT_FORMAT) if moment else ""


def _basics(spec: JourneySpec, description: str) -> dict[str, str]:
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
    return basics


def values_from_spec(spec: JourneySpec, *, description: str = "") -> EditorValues:
    zone = zone_of(spec.timezone)
    variants, way_keys = [], {}
    for index, step in enumerate(spec.steps):
        way_keys[index, None] = f"s{index + 1}"
        for number, variant in enumerate(step.variants):
            way_keys[index, number] = key = f"v{len(variants) + 1}"
            variants.append(_variant_row(key, f"s{index + 1}", variant))
    rows = {
        "steps": [_step_row(index, step) for index, step in enumerate(spec.steps)],
        "variants": variants,
        "errors": [
            {"step": way_keys[e.step, e.variant], "name": e.name, "pct": as_text(float(e.pct))} for e in spec.errors
        ],
        "incidents": [
            {
                "step": way_keys[i.step, i.variant],
                "error_name": i.error_name,
                "pct": as_text(i.pct),
                **_window_fields(i, zone),
            }
            for i in spec.incidents
        ],
        "locations": [{"value": w.value, "weight": as_text(float(w.weight))} for w in spec.locations],
        "segments": [{"value": w.value, "weight": as_text(float(w.weight))} for w in spec.segments],
        "hosts": [{"value": w.value, "weight": as_text(float(w.weight))} for w in spec.hosts],
        "attributes": [{"key": key, "value": value} for key, value in spec.extra_attributes],
        "surges": [{"multiplier": as_text(float(s.multiplier)), **_window_fields(s, zone)} for s in spec.surges],
    }
    return EditorValues(_basics(spec, description), rows)


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
    values = EditorValues(basics, {section: [] for section in SECTION_FIELDS})
    values.rows["steps"].append({"key": "s1", "name": "", "event_type": ""})
    values.rows["steps"].append(new_row("steps", values))
    return values
