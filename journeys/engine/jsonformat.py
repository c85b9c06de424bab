"""BizFlow Studio's own journey file: a JSON document that holds one journey, losslessly.

The document names steps by event type rather than by position, so a reader can see which step an
error or incident belongs to, and a file stays right when steps are reordered by hand. Reading is
strict: a wrong type, a missing or an unknown key is reported with the key path at fault (for
example ``steps[2].drop_off_pct: must be a number``), all problems at once, before the journey's
own rules (:func:`spec.validate`) are checked. See README.md, "Journey JSON format".
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .decisionformat import decision_settings_to_dict, step_decisions_from_list
from .decisions import DecisionSpec
from .errors import JourneyImportError, fail
from .limits import DESCRIPTION_LENGTH
from .safejson import parse_json
from .spec import (
    ATTRIBUTES,
    ErrorRule,
    Incident,
    JourneySpec,
    Revenue,
    SpecError,
    Step,
    Surge,
    Variant,
    Weighted,
    validate,
)

FORMAT = "bizflow-studio/journey"
VERSION = 2  # what export writes
READABLE_VERSIONS = (1, 2)  # version 2 adds variants, delay shapes and surges; version 1 files read unchanged

# The keys each object may hold: the required ones must be there, any other key is refused.
_TOP_REQUIRED = tuple("format version name event_provider correlation_field steps".split())
_TOP_OPTIONAL = tuple(
    "description timezone seed journeys_per_day hour_weights weekday_weights errors location_field locations "
    "segment revenue hosts incidents extra_attributes".split()
)
_STEP_OPTIONAL = tuple(
    "drop_off_pct min_delay_hours max_delay_hours max_loops optional_pct attributes decision decision_settings".split()
)
_WINDOW_KEYS = ("starts_at", "ends_at", "daily_start_hour", "daily_end_hour")
# Keys only a version 2 file may hold.
_TOP_OPTIONAL_V2 = ("surges",)
_STEP_OPTIONAL_V2 = ("delay_shape", "variants")
_VARIANT_REQUIRED = ("name", "event_type", "weight")
_VARIANT_OPTIONAL = tuple(
    "min_delay_hours max_delay_hours delay_shape max_loops attributes decision ends_journey decision_settings".split()
)


@dataclass(frozen=True)
class JourneyDocument:
    """What a journey file holds: the journey, the description that lives beside it, and the
    settings of its decisions (the optional ``decision_settings`` of a decision step or variant)."""

    spec: JourneySpec
    description: str = ""
    decisions: tuple[DecisionSpec, ...] = ()


# --- writing ---------------------------------------------------------------------------------


def _num(value: float) -> float | int:
    """Whole numbers are written without ``.0`` so hand-edited files stay tidy."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _when(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    text = moment.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _attributes(way: Step | Variant) -> list[str]:
    carried = {"location": way.carries_location, "segment": way.carries_segment, "revenue": way.carries_revenue}
    return [name for name in ATTRIBUTES if carried[name]]


def _variant_to_dict(variant: Variant) -> dict[str, Any]:
    return {
        "name": variant.name,
        "event_type": variant.event_type,
        "weight": _num(variant.weight),
        "min_delay_hours": _num(variant.min_delay_hours),
        "max_delay_hours": _num(variant.max_delay_hours),
        "delay_shape": variant.delay_shape,
        "max_loops": variant.max_loops,
        "attributes": _attributes(variant),
        "decision": variant.is_decision,
        "ends_journey": variant.ends_journey,
    }


def _step_to_dict(step: Step) -> dict[str, Any]:
    optional = None if step.optional_pct is None else _num(step.optional_pct)
    if step.variants:  # every variant holds its own delay, shape, loops, attributes and decision flag
        variants = [_variant_to_dict(variant) for variant in step.variants]
        return {
            "name": step.name,
            "drop_off_pct": _num(step.drop_off_pct),
            "optional_pct": optional,
            "variants": variants,
        }
    return {
        "name": step.name,
        "event_type": step.event_type,
        "drop_off_pct": _num(step.drop_off_pct),
        "min_delay_hours": _num(step.min_delay_hours),
        "max_delay_hours": _num(step.max_delay_hours),
        "delay_shape": step.delay_shape,
        "max_loops": step.max_loops,
        "optional_pct": optional,
        "attributes": _attributes(step),
        "decision": step.is_decision,
    }


def _window_to_dict(window: Incident | Surge) -> dict[str, Any]:
    """Only the window a valid incident or surge uses: an absolute one or daily hours."""
    keys = {
        "starts_at": _when(window.starts_at),
        "ends_at": _when(window.ends_at),
        "daily_start_hour": window.daily_start_hour,
        "daily_end_hour": window.daily_end_hour,
    }
    return {key: _num(value) if isinstance(value, float) else value for key, value in keys.items() if value is not None}


def _incident_to_dict(incident: Incident, step_type: str) -> dict[str, Any]:
    data: dict[str, Any] = {"step": step_type, "error": incident.error_name, "pct": _num(incident.pct)}
    data.update(_window_to_dict(incident))
    return data


def _surge_to_dict(surge: Surge) -> dict[str, Any]:
    return {"multiplier": _num(surge.multiplier), **_window_to_dict(surge)}


def spec_to_dict(spec: JourneySpec, *, description: str = "") -> dict[str, Any]:
    """The journey as a JSON-ready document; every key is written so the file documents itself."""

    def step_type(index: int, variant: int | None) -> str:
        """Errors and incidents name their step (or variant) by its event type."""
        if not 0 <= index < len(spec.steps):
            raise ValueError(f"step index {index} is not one of the journey's {len(spec.steps)} steps")
        if spec.steps[index].variants and (variant is None or not 0 <= variant < len(spec.steps[index].variants)):
            raise ValueError(f"step {index} has variants: name one of them")
        return spec.way_type(index, variant)

    data: dict[str, Any] = {"format": FORMAT, "version": VERSION, "name": spec.name}
    if description:
        data["description"] = description
    segment = None
    if spec.segment_field or spec.segments:
        values = [{"value": w.value, "weight": _num(w.weight)} for w in spec.segments]
        segment = {"field": spec.segment_field, "values": values}
    revenue = None
    if spec.revenue is not None:
        r = spec.revenue
        revenue = {"field": r.field, "min": _num(r.min_value), "max": _num(r.max_value), "label": r.label}
    data.update(
        event_provider=spec.event_provider,
        correlation_field=spec.correlation_field,
        timezone=spec.timezone,
        seed=spec.seed,
        journeys_per_day=_num(spec.journeys_per_day),
        hour_weights=[_num(w) for w in spec.hour_weights],
        weekday_weights=[_num(w) for w in spec.weekday_weights],
        steps=[_step_to_dict(step) for step in spec.steps],
        errors=[{"step": step_type(e.step, e.variant), "name": e.name, "pct": _num(e.pct)} for e in spec.errors],
        location_field=spec.location_field,
        locations=[{"name": w.value, "weight": _num(w.weight)} for w in spec.locations],
        segment=segment,
        revenue=revenue,
        hosts=[{"id": w.value, "weight": _num(w.weight)} for w in spec.hosts],
        incidents=[_incident_to_dict(i, step_type(i.step, i.variant)) for i in spec.incidents],
        extra_attributes=dict(spec.extra_attributes),
        surges=[_surge_to_dict(surge) for surge in spec.surges],
    )
    return data


def _pretty(value: Any, indent: int = 0, width: int = 100) -> str:
    """Indented JSON that keeps short lists and objects on one line, so a file reads like a form."""
    flat = json.dumps(value, ensure_ascii=False, allow_nan=False)
    if not isinstance(value, (dict, list)) or not value:
        return flat
    if (
        indent
        and len(flat) + indent <= width
        or isinstance(value, list)
        and all(isinstance(v, (int, float)) for v in value)
    ):
        return flat  # short, or a row of numbers such as the 24 hour weights
    pad = " " * (indent + 2)
    if isinstance(value, list):
        items = [pad + _pretty(item, indent + 2, width) for item in value]
        return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"
    items = [
        f"{pad}{json.dumps(key, ensure_ascii=False)}: {_pretty(item, indent + 2, width)}" for key, item in value.items()
    ]
    return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"


def dumps(spec: JourneySpec, *, description: str = "") -> str:
    return _pretty(spec_to_dict(spec, description=description)) + "\n"


def document_to_dict(document: JourneyDocument) -> dict[str, Any]:
    """The journey as :func:`spec_to_dict` writes it, each decision step (or variant) holding its decision
    settings."""
    data = spec_to_dict(document.spec, description=document.description)
    for decision in document.decisions:
        step = data["steps"][decision.step]
        way = step if decision.variant is None else step["variants"][decision.variant]
        way["decision_settings"] = decision_settings_to_dict(decision)
    return data


def dumps_document(document: JourneyDocument) -> str:
    return _pretty(document_to_dict(document)) + "\n"


# --- reading ---------------------------------------------------------------------------------

_MISSING = object()
_KINDS = {
    "number": "a number",
    "integer": "a whole number",
    "string": "a string",
    "boolean": "true or false",
    "list": "a list",
}


class _Reader:
    """Type-checked access to a parsed document that records every problem instead of stopping."""

    def __init__(self, version: int = VERSION) -> None:
        self.errors: list[SpecError] = []
        self.version = version

    def error(self, path: str, message: str) -> None:
        self.errors.append(SpecError(path, message))

    @staticmethod
    def join(path: str, key: str) -> str:
        return f"{path}.{key}" if path else key

    def obj(
        self, data: Any, path: str, required: tuple[str, ...], optional: tuple[str, ...] = (), v2: tuple[str, ...] = ()
    ) -> dict | None:
        """``data`` checked to be an object with the given keys; ``v2`` keys only in a version 2 file."""
        if not isinstance(data, dict):
            self.error(path, "must be an object")
            return None
        for key in required:
            if key not in data:
                self.error(self.join(path, key), "is missing")
        allowed = required + optional + (v2 if self.version >= 2 else ())
        for key in data:
            if key in v2 and key not in allowed:
                self.error(self.join(path, str(key)), 'needs journey format version 2: write "version": 2')
            elif key not in allowed:
                self.error(self.join(path, str(key)), f"unknown key (allowed: {', '.join(allowed)})")
        return data

    def get(self, data: dict, path: str, key: str, kind: str, default: Any = None, *, nullable: bool = False) -> Any:
        """``data[key]`` checked to be of ``kind``; a missing or wrong value gives ``default``."""
        value = data.get(key, _MISSING)
        if value is _MISSING or (value is None and nullable):
            return default
        checked = self.check(value, self.join(path, key), kind)
        return default if checked is _MISSING else checked

    def check(self, value: Any, path: str, kind: str) -> Any:
        is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
        if kind == "number" and is_number:
            return float(value)
        if kind == "integer" and is_number and float(value).is_integer():
            return int(value)
        if kind == "string" and isinstance(value, str):
            return value
        if kind == "boolean" and isinstance(value, bool):
            return value
        if kind == "list" and isinstance(value, list):
            return value
        self.error(path, f"must be {_KINDS[kind]}")
        return _MISSING

    def items(self, data: dict, path: str, key: str) -> list[tuple[str, Any]]:
        """The entries of the list at ``data[key]`` with their paths; an absent list is empty."""
        values = self.get(data, path, key, "list", [])
        here = self.join(path, key)
        return [(f"{here}[{index}]", value) for index, value in enumerate(values)]

    def numbers(self, data: dict, path: str, key: str, default: tuple[float, ...]) -> tuple[float, ...]:
        if key not in data:
            return default
        values = [self.check(v, p, "number") for p, v in self.items(data, path, key)]
        return tuple(v for v in values if v is not _MISSING)

    def when(self, data: dict, path: str, key: str) -> datetime | None:
        text = self.get(data, path, key, "string", nullable=True)
        if text is None:
            return None
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            self.error(self.join(path, key), "must be an RFC 3339 date-time such as 2026-03-02T09:00:00Z")
            return None


def _carried(r: _Reader, d: dict, path: str, default: set[str]) -> set[str]:
    if "attributes" not in d:
        return default
    carried: set[str] = set()
    for item_path, name in r.items(d, path, "attributes"):
        if name not in ATTRIBUTES:
            r.error(item_path, f"must be one of {', '.join(ATTRIBUTES)}")
        carried.add(name)
    return carried


def _read_variant(r: _Reader, path: str, data: Any, step: Step) -> Variant:
    """A variant; every key it leaves out takes its step's value."""
    d = r.obj(data, path, _VARIANT_REQUIRED, _VARIANT_OPTIONAL) or {}
    step_carries = {name for name in ATTRIBUTES if getattr(step, f"carries_{name}")}
    carried = _carried(r, d, path, step_carries)
    return Variant(
        name=r.get(d, path, "name", "string", ""),
        event_type=r.get(d, path, "event_type", "string", ""),
        weight=r.get(d, path, "weight", "number", 1.0),
        min_delay_hours=r.get(d, path, "min_delay_hours", "number", step.min_delay_hours),
        max_delay_hours=r.get(d, path, "max_delay_hours", "number", step.max_delay_hours),
        delay_shape=r.get(d, path, "delay_shape", "string", step.delay_shape),
        max_loops=r.get(d, path, "max_loops", "integer", step.max_loops),
        carries_location="location" in carried,
        carries_segment="segment" in carried,
        carries_revenue="revenue" in carried,
        is_decision=r.get(d, path, "decision", "boolean", step.is_decision),
        ends_journey=r.get(d, path, "ends_journey", "boolean", False),
    )


def _read_step(r: _Reader, path: str, data: Any) -> Step:
    if r.version < 2:
        d = r.obj(data, path, ("name", "event_type"), _STEP_OPTIONAL, _STEP_OPTIONAL_V2) or {}
    else:
        d = r.obj(data, path, ("name",), ("event_type",) + _STEP_OPTIONAL, _STEP_OPTIONAL_V2) or {}
        if isinstance(data, dict) and "event_type" not in d and "variants" not in d:
            r.error(r.join(path, "event_type"), "is missing")
        elif "event_type" in d and "variants" in d:
            r.error(path, "holds both event_type and variants: a step has one or the other")
    carried = _carried(r, d, path, set())
    step = Step(
        name=r.get(d, path, "name", "string", ""),
        event_type=r.get(d, path, "event_type", "string", ""),
        drop_off_pct=r.get(d, path, "drop_off_pct", "number", 0.0),
        min_delay_hours=r.get(d, path, "min_delay_hours", "number", 0.0),
        max_delay_hours=r.get(d, path, "max_delay_hours", "number", 0.0),
        max_loops=r.get(d, path, "max_loops", "integer", 1),
        optional_pct=r.get(d, path, "optional_pct", "number", nullable=True),
        carries_location="location" in carried,
        carries_segment="segment" in carried,
        carries_revenue="revenue" in carried,
        is_decision=r.get(d, path, "decision", "boolean", False),
        delay_shape=r.get(d, path, "delay_shape", "string", "uniform"),
    )
    if "variants" not in d or r.version < 2:
        return step
    variants = tuple(_read_variant(r, item_path, item, step) for item_path, item in r.items(d, path, "variants"))
    # The step's own delay, loops, attributes and decision flag were defaults for its variants.
    return Step(
        name=step.name,
        event_type="",
        drop_off_pct=step.drop_off_pct,
        optional_pct=step.optional_pct,
        variants=variants,
    )


def _step_ref(r: _Reader, d: dict, path: str, index_of: dict[str, tuple[int, int | None]]) -> tuple[int, int | None]:
    """(step, variant) named by ``d["step"]``: the event type of a plain step or of a variant."""
    event_type = r.get(d, path, "step", "string")
    if event_type is None:  # missing or not a string: already reported
        return -1, None
    if event_type not in index_of:
        r.error(r.join(path, "step"), f"no step has the event type '{event_type}'")
        return -1, None
    return index_of[event_type]


def _read_errors(r: _Reader, doc: dict, index_of: dict[str, tuple[int, int | None]]) -> tuple[ErrorRule, ...]:
    rules = []
    for path, item in r.items(doc, "", "errors"):
        d = r.obj(item, path, ("step", "name", "pct")) or {}
        step, variant = _step_ref(r, d, path, index_of)
        name, pct = r.get(d, path, "name", "string", ""), r.get(d, path, "pct", "number", 0.0)
        rules.append(ErrorRule(name, step, pct, variant))
    return tuple(rules)


def _read_incidents(r: _Reader, doc: dict, index_of: dict[str, tuple[int, int | None]]) -> tuple[Incident, ...]:
    incidents = []
    for path, item in r.items(doc, "", "incidents"):
        d = r.obj(item, path, ("step", "error", "pct"), _WINDOW_KEYS) or {}
        step, variant = _step_ref(r, d, path, index_of)
        incidents.append(
            Incident(
                step=step,
                variant=variant,
                error_name=r.get(d, path, "error", "string", ""),
                pct=r.get(d, path, "pct", "number", 0.0),
                starts_at=r.when(d, path, "starts_at"),
                ends_at=r.when(d, path, "ends_at"),
                daily_start_hour=r.get(d, path, "daily_start_hour", "number", nullable=True),
                daily_end_hour=r.get(d, path, "daily_end_hour", "number", nullable=True),
            )
        )
    return tuple(incidents)


def _read_surges(r: _Reader, doc: dict) -> tuple[Surge, ...]:
    surges = []
    for path, item in r.items(doc, "", "surges") if r.version >= 2 else ():
        d = r.obj(item, path, ("multiplier",), _WINDOW_KEYS) or {}
        surges.append(
            Surge(
                multiplier=r.get(d, path, "multiplier", "number", 1.0),
                starts_at=r.when(d, path, "starts_at"),
                ends_at=r.when(d, path, "ends_at"),
                daily_start_hour=r.get(d, path, "daily_start_hour", "number", nullable=True),
                daily_end_hour=r.get(d, path, "daily_end_hour", "number", nullable=True),
            )
        )
    return tuple(surges)


def _read_weighted(r: _Reader, data: dict, path: str, key: str, label: str) -> tuple[Weighted, ...]:
    values = []
    for item_path, item in r.items(data, path, key):
        d = r.obj(item, item_path, (label,), ("weight",)) or {}
        values.append(Weighted(r.get(d, item_path, label, "string", ""), r.get(d, item_path, "weight", "number", 1.0)))
    return tuple(values)


def _read_segment(r: _Reader, doc: dict) -> tuple[str, tuple[Weighted, ...]]:
    if doc.get("segment") is None:
        return "", ()
    d = r.obj(doc["segment"], "segment", ("field", "values")) or {}
    return r.get(d, "segment", "field", "string", ""), _read_weighted(r, d, "segment", "values", "value")


def _read_revenue(r: _Reader, doc: dict) -> Revenue | None:
    if doc.get("revenue") is None:
        return None
    d = r.obj(doc["revenue"], "revenue", ("field", "min", "max"), ("label",)) or {}
    return Revenue(
        field=r.get(d, "revenue", "field", "string", ""),
        min_value=r.get(d, "revenue", "min", "number", 0.0),
        max_value=r.get(d, "revenue", "max", "number", 0.0),
        label=r.get(d, "revenue", "label", "string", "Revenue"),
    )


def _read_extra(r: _Reader, doc: dict) -> tuple[tuple[str, str], ...]:
    extra = doc.get("extra_attributes", {})
    if not isinstance(extra, dict):
        r.error("extra_attributes", "must be an object of field names to text values")
        return ()
    for key, value in extra.items():
        r.check(value, f"extra_attributes.{key}", "string")
    return tuple((key, value) for key, value in extra.items() if isinstance(value, str))


def _check_header(data: Any) -> dict:
    if not isinstance(data, dict):
        raise fail("", "a journey file must hold one JSON object")
    if data.get("format") != FORMAT:
        raise fail("format", f'must be "{FORMAT}" (this is not a BizFlow Studio journey file)')
    version = data.get("version")
    if isinstance(version, bool) or version not in READABLE_VERSIONS:
        raise fail("version", f"this file is version {version!r}; this BizFlow Studio reads versions 1 and {VERSION}")
    return data


def document_from_dict(data: Any) -> JourneyDocument:
    """Read a parsed journey document; raise :class:`JourneyImportError` listing every problem."""
    doc = _check_header(data)
    r = _Reader(version=doc["version"])
    r.obj(doc, "", _TOP_REQUIRED, _TOP_OPTIONAL, _TOP_OPTIONAL_V2)
    steps = tuple(_read_step(r, path, item) for path, item in r.items(doc, "", "steps"))
    index_of: dict[str, tuple[int, int | None]] = {}
    for index, step in enumerate(steps):
        if not step.variants:
            index_of.setdefault(step.event_type, (index, None))
        for variant_index, variant in enumerate(step.variants):
            index_of.setdefault(variant.event_type, (index, variant_index))
    segment_field, segments = _read_segment(r, doc)
    defaults = JourneySpec(name="", event_provider="", correlation_field="", steps=())
    spec = JourneySpec(
        name=r.get(doc, "", "name", "string", ""),
        event_provider=r.get(doc, "", "event_provider", "string", ""),
        correlation_field=r.get(doc, "", "correlation_field", "string", ""),
        steps=steps,
        timezone=r.get(doc, "", "timezone", "string", defaults.timezone),
        seed=r.get(doc, "", "seed", "integer", defaults.seed),
        journeys_per_day=r.get(doc, "", "journeys_per_day", "number", defaults.journeys_per_day),
        hour_weights=r.numbers(doc, "", "hour_weights", defaults.hour_weights),
        weekday_weights=r.numbers(doc, "", "weekday_weights", defaults.weekday_weights),
        errors=_read_errors(r, doc, index_of),
        location_field=r.get(doc, "", "location_field", "string", defaults.location_field),
        locations=_read_weighted(r, doc, "", "locations", "name"),
        segment_field=segment_field,
        segments=segments,
        revenue=_read_revenue(r, doc),
        hosts=_read_weighted(r, doc, "", "hosts", "id"),
        incidents=_read_incidents(r, doc, index_of),
        extra_attributes=_read_extra(r, doc),
        surges=_read_surges(r, doc),
    )
    description = r.get(doc, "", "description", "string", "")
    if len(description) > DESCRIPTION_LENGTH:
        r.error("description", f"must be at most {DESCRIPTION_LENGTH:,} characters (this one has {len(description):,})")
    if r.errors:
        raise JourneyImportError(r.errors)
    problems = validate(spec)
    if problems:
        raise JourneyImportError([SpecError(_document_path(e.path, spec), e.message) for e in problems])
    decisions, problems = step_decisions_from_list(doc["steps"], spec)
    if problems:
        raise JourneyImportError(problems)
    return JourneyDocument(spec, description, tuple(decisions))


# validate() names the specification's fields; a reader of the file wants the file's own keys.
_PATH_RENAMES = (
    (re.compile(r"^segments"), "segment.values"),
    (re.compile(r"^segment_field$"), "segment.field"),
    (re.compile(r"^revenue\.min_value"), "revenue.min"),
    (re.compile(r"^revenue\.max_value"), "revenue.max"),
    (re.compile(r"^(incidents\[\d+\])\.error_name"), r"\1.error"),
    (re.compile(r"^((?:incidents|errors)\[\d+\])\.variant"), r"\1.step"),
    (re.compile(r"^(hosts\[\d+\])\.value"), r"\1.id"),
    (re.compile(r"^(locations\[\d+\])\.value"), r"\1.name"),
)


def _document_path(path: str, spec: JourneySpec) -> str:
    match = re.fullmatch(r"extra_attributes\[(\d+)\]", path)
    if match:
        return f"extra_attributes.{spec.extra_attributes[int(match.group(1))][0]}"
    for pattern, replacement in _PATH_RENAMES:
        path = pattern.sub(replacement, path)
    return path


def spec_from_dict(data: Any) -> JourneySpec:
    return document_from_dict(data).spec


def loads_document(text: str) -> JourneyDocument:
    return document_from_dict(parse_json(text))


def loads(text: str) -> JourneySpec:
    return loads_document(text).spec
