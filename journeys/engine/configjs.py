"""Import a journey from the reference Business Data Generator's ``config.js``.

Users have this file as the ``config`` task of the Dynatrace workflow: JavaScript whose constants
hold the journey (reference/dynatrace.md §1). Its values are read as data, never run (see
:mod:`jsliteral`), and mapped to a :class:`JourneySpec` the way that generator reads them:

- ``PROCESS_STEPS`` rows are ``[prettyName, eventType, dropPct, minHours, maxHours, loops,
  maxLoops]``; the first step uses only its first two values; the last step may leave out the loop
  pair and never loops, as in the reference; ``loops`` false means one event (``max_loops`` 1).
- ``OPTIONAL_STEP`` ``[]`` means no optional step. ``TIMES_OF_DAY`` hours that are not listed get
  no traffic. ``EXAMPLE_DASHBOARD`` and constants of the user's own are ignored.
- Volume is not in the file (the reference always made about 600 journeys a day), so it is a
  parameter; the seed defaults to a checksum of the file, so the same file gives the same journey.

Every error names the line and constant at fault, e.g. ``line 14 (PROCESS_STEPS[3]): expected 7
values [...], got 5``; the journey's own rules (:func:`spec.validate`) are reported the same way.
"""

from __future__ import annotations

import re
import zlib
from typing import Any

from .errors import JourneyImportError, fail
from .jsliteral import Constant, JsSyntaxError, Reference, read_constants
from .spec import HOURS_PER_DAY, ErrorRule, JourneySpec, Revenue, SpecError, Step, Weighted, validate

DEFAULT_JOURNEYS_PER_DAY = 600.0
# The reference declares every one of these (its VARIABLES object names them all, so it cannot run
# without any of them): a file lacking one was cut short or edited, and is refused rather than
# imported with settings silently missing.
KNOWN = tuple(
    "FLOW_NAME EVENT_PROVIDER CORRELATION_ID PROCESS_STEPS OPTIONAL_STEP LOCATIONS_WITH_PERCENTAGE LOCATIONS SEGMENT "
    "SEGMENTS REVENUE HOST_ENTITY ERRORS_WITH_PERCENTAGE TIMES_OF_DAY EXAMPLE_DASHBOARD".split()
)
REQUIRED = KNOWN
STEP_SHAPE = "[prettyName, eventType, dropPct, minHours, maxHours, loops, maxLoops]"

_BAD = object()  # a value that failed its check (already reported)
_WANTED = {
    "string": "text in quotes",
    "number": "a number",
    "whole": "a whole number",
    "step": "a step index",
    "boolean": "true or false",
    "list": "a list [...]",
}


def _show(value: Any) -> str:
    """A value as it looks in the file, for error messages."""
    if isinstance(value, Reference):
        return f"{value.name} (a name: only plain values are read)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if isinstance(value, dict):
        return "an object"
    return f"{value:g}" if isinstance(value, float) else str(value)


class _Config:
    """The file's constants with checked access; every problem is recorded with its line."""

    def __init__(self, constants: dict[str, Constant]):
        self.constants = constants
        self.errors: list[SpecError] = []
        self.step_count: int | None = None  # None: PROCESS_STEPS is unreadable, already reported

    def where(self, name: str, *path: int) -> str:
        label = name + "".join(f"[{i}]" for i in path)
        constant = self.constants.get(name)
        return f"line {constant.line_of(*path)} ({label})" if constant else label

    def error(self, name: str, path: tuple[int, ...], message: str) -> None:
        self.errors.append(SpecError(self.where(name, *path), message))

    def get(self, name: str) -> Any:
        constant = self.constants.get(name)
        return None if constant is None else constant.value

    def expect(self, value: Any, name: str, path: tuple[int, ...], kind: str) -> Any:
        """``value`` if it is of ``kind`` (string, number, whole, boolean, list, step); else ``_BAD``."""
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        ok = {
            "string": isinstance(value, str),
            "number": number,
            "whole": number and float(value).is_integer(),
            "step": number and float(value).is_integer(),
            "boolean": isinstance(value, bool),
            "list": isinstance(value, list),
        }[kind]
        if not ok:
            self.error(name, path, f"expected {_WANTED[kind]}, got {_show(value)}")
            return _BAD
        if kind == "step":
            if self.step_count is None:
                return _BAD  # no steps to check against; the steps' own error says why
            if not 0 <= value < self.step_count:
                last = f" (0 to {self.step_count - 1})" if self.step_count else ""
                self.error(
                    name,
                    path,
                    f"step index {_show(value)} is out of range: PROCESS_STEPS has {self.step_count} steps{last}",
                )
                return _BAD
            return int(value)
        if kind == "whole":
            return int(value)
        return float(value) if kind == "number" else value

    def row(self, value: Any, name: str, path: tuple[int, ...], sizes: tuple[int, ...], shape: str) -> list | None:
        """A list of one of the allowed ``sizes``, or ``None`` once the problem is recorded."""
        if self.expect(value, name, path, "list") is _BAD:
            return None
        if len(value) not in sizes:
            counts = " or ".join(str(size) for size in sizes)
            self.error(name, path, f"expected {counts} values {shape}, got {len(value)}")
            return None
        return value

    def rows(self, name: str) -> list[tuple[tuple[int, ...], Any]]:
        """The entries of the list constant ``name`` with their paths; absent means none."""
        value = self.get(name)
        if name not in self.constants or self.expect(value, name, (), "list") is _BAD:
            return []
        return [((index,), item) for index, item in enumerate(value)]


def _step(cfg: _Config, path: tuple[int, ...], raw: Any, last: bool) -> dict[str, Any]:
    if path == (0,):  # the reference reads only the names of the first step
        if cfg.expect(raw, "PROCESS_STEPS", path, "list") is _BAD:
            return {}
        if len(raw) < 2:
            cfg.error("PROCESS_STEPS", path, f"expected at least 2 values [prettyName, eventType], got {len(raw)}")
            return {}
        row = raw
        return {
            key: cfg.expect(row[i], "PROCESS_STEPS", (*path, i), "string")
            for i, key in enumerate(("name", "event_type"))
        }
    row = cfg.row(raw, "PROCESS_STEPS", path, (5, 7) if last else (7,), STEP_SHAPE)
    if row is None:
        return {}
    kinds = {
        "name": "string",
        "event_type": "string",
        "drop_off_pct": "number",
        "min_delay_hours": "number",
        "max_delay_hours": "number",
    }
    values: dict[str, Any] = {
        key: cfg.expect(row[i], "PROCESS_STEPS", (*path, i), kind) for i, (key, kind) in enumerate(kinds.items())
    }
    values["max_loops"] = 1
    # Like the reference: maxLoops is read only when loops is true, and the last step never loops.
    if len(row) == 7 and cfg.expect(row[5], "PROCESS_STEPS", (*path, 5), "boolean") is True:
        count = cfg.expect(row[6], "PROCESS_STEPS", (*path, 6), "whole")
        if not last:
            values["max_loops"] = count
    return values


def _steps(cfg: _Config) -> list[dict[str, Any]]:
    if not isinstance(cfg.get("PROCESS_STEPS"), list):
        cfg.rows("PROCESS_STEPS")  # reports a value that is not a list
        return []
    rows = cfg.rows("PROCESS_STEPS")
    cfg.step_count = len(rows)
    return [_step(cfg, path, raw, path[0] == len(rows) - 1) for path, raw in rows]


def _step_indexes(cfg: _Config, name: str, path: tuple[int, ...], value: Any) -> list[int]:
    if cfg.expect(value, name, path, "list") is _BAD:
        return []
    indexes = (cfg.expect(item, name, (*path, i), "step") for i, item in enumerate(value))
    return [index for index in indexes if index is not _BAD]


def _mark(steps: list[dict[str, Any]], indexes: list[int], key: str) -> None:
    for index in indexes:
        steps[index][key] = True


def _optional(cfg: _Config, steps: list[dict[str, Any]]) -> None:
    if "OPTIONAL_STEP" not in cfg.constants:
        return
    value = cfg.get("OPTIONAL_STEP")
    if value == []:
        return
    row = cfg.row(value, "OPTIONAL_STEP", (), (2,), "[stepIndex, pct]")
    if row is not None:
        index, pct = (
            cfg.expect(row[0], "OPTIONAL_STEP", (0,), "step"),
            cfg.expect(row[1], "OPTIONAL_STEP", (1,), "number"),
        )
        if index is not _BAD and pct is not _BAD:
            steps[index]["optional_pct"] = pct


def _weighted(cfg: _Config, name: str, shape: str) -> list[Weighted]:
    values = []
    for path, raw in cfg.rows(name):
        row = cfg.row(raw, name, path, (2,), shape)
        if row is not None:
            label, pct = cfg.expect(row[0], name, (*path, 0), "string"), cfg.expect(row[1], name, (*path, 1), "number")
            if label is not _BAD and pct is not _BAD:
                values.append(Weighted(label, pct))
    return values


def _segment_field(cfg: _Config, steps: list[dict[str, Any]]) -> str:
    if "SEGMENT" not in cfg.constants:
        return ""
    row = cfg.row(cfg.get("SEGMENT"), "SEGMENT", (), (2,), "[fieldName, [stepIndexes]]")
    if row is None:
        return ""
    _mark(steps, _step_indexes(cfg, "SEGMENT", (1,), row[1]), "carries_segment")
    field = cfg.expect(row[0], "SEGMENT", (0,), "string")
    return "" if field is _BAD else field


def _revenue(cfg: _Config, steps: list[dict[str, Any]]) -> Revenue | None:
    if "REVENUE" not in cfg.constants:
        return None
    row = cfg.row(cfg.get("REVENUE"), "REVENUE", (), (5,), "[fieldName, [stepIndexes], min, max, prettyName]")
    if row is None:
        return None
    _mark(steps, _step_indexes(cfg, "REVENUE", (1,), row[1]), "carries_revenue")
    kinds = {0: "string", 2: "number", 3: "number", 4: "string"}
    field, low, high, label = (cfg.expect(row[i], "REVENUE", (i,), kind) for i, kind in kinds.items())
    if _BAD in (field, low, high, label):
        return None
    return Revenue(field, low, high, label)


def _errors(cfg: _Config) -> list[ErrorRule]:
    rules = []
    for path, raw in cfg.rows("ERRORS_WITH_PERCENTAGE"):
        row = cfg.row(raw, "ERRORS_WITH_PERCENTAGE", path, (3,), "[errorName, stepIndex, pct]")
        if row is None:
            continue
        kinds = ("string", "step", "number")
        name, step, pct = (cfg.expect(row[i], "ERRORS_WITH_PERCENTAGE", (*path, i), k) for i, k in enumerate(kinds))
        if _BAD not in (name, step, pct):
            rules.append(ErrorRule(name, step, pct))
    return rules


def _hour_weights(cfg: _Config) -> tuple[float, ...] | None:
    if "TIMES_OF_DAY" not in cfg.constants:
        return None
    weights = [0.0] * HOURS_PER_DAY
    seen: dict[int, int] = {}
    for path, raw in cfg.rows("TIMES_OF_DAY"):
        row = cfg.row(raw, "TIMES_OF_DAY", path, (2,), "[hour, pct]")
        if row is None:
            continue
        hour, pct = (
            cfg.expect(row[0], "TIMES_OF_DAY", (*path, 0), "whole"),
            cfg.expect(row[1], "TIMES_OF_DAY", (*path, 1), "number"),
        )
        if hour is _BAD or pct is _BAD:
            continue
        if not 0 <= hour < HOURS_PER_DAY:
            cfg.error("TIMES_OF_DAY", (*path, 0), f"hour {hour} is not between 0 and 23")
        elif hour in seen:
            cfg.error("TIMES_OF_DAY", (*path, 0), f"hour {hour} is listed twice (also on line {seen[hour]})")
        else:
            seen[hour] = cfg.constants["TIMES_OF_DAY"].line_of(*path)
            weights[hour] = pct
    return tuple(weights)


def _text(cfg: _Config, name: str) -> str:
    if name not in cfg.constants:
        return ""
    value = cfg.expect(cfg.get(name), name, (), "string")
    return "" if value is _BAD else value


def _collect(text: str) -> _Config:
    try:
        constants = read_constants(text)
    except JsSyntaxError as exc:
        raise fail(f"line {exc.line}", exc.message) from exc
    found: dict[str, Constant] = {}
    errors: list[SpecError] = []
    for constant in constants:
        if constant.name not in KNOWN:
            continue  # the user's own helpers, or the workflow's VARIABLES object
        if constant.name in found:
            errors.append(
                SpecError(
                    f"line {constant.line} ({constant.name})",
                    f"is declared twice (also on line {found[constant.name].line})",
                )
            )
        elif not constant.literal:
            errors.append(
                SpecError(
                    f"line {constant.line} ({constant.name})",
                    "must be a plain value (text, numbers, true/false and [...] lists); code is not run",
                )
            )
        found.setdefault(constant.name, constant)
    if not found:
        raise fail(
            "",
            "no Business Data Generator settings found: expected constants such as "
            "const PROCESS_STEPS = [...] (see the reference generator's config task)",
        )
    missing = [name for name in REQUIRED if name not in found]
    if missing:
        last = max(constant.line for constant in found.values())
        errors.append(
            SpecError(
                ", ".join(missing),
                f"{'is' if len(missing) == 1 else 'are'} missing: the reference config task always declares "
                f"{'it' if len(missing) == 1 else 'them'} (the last setting found is on line {last}: "
                "was the file cut short?)",
            )
        )
    cfg = _Config({name: c for name, c in found.items() if c.literal})
    cfg.errors += errors
    return cfg


def import_configjs(
    text: str, *, journeys_per_day: float = DEFAULT_JOURNEYS_PER_DAY, seed: int | None = None
) -> JourneySpec:
    """The journey that a reference ``config.js`` describes; raises :class:`JourneyImportError`."""
    cfg = _collect(text)
    steps = _steps(cfg)
    _optional(cfg, steps)
    if "LOCATIONS" in cfg.constants:
        _mark(steps, _step_indexes(cfg, "LOCATIONS", (), cfg.get("LOCATIONS")), "carries_location")
    parts = {
        "segment_field": _segment_field(cfg, steps),
        "revenue": _revenue(cfg, steps),
        "errors": tuple(_errors(cfg)),
        "locations": tuple(_weighted(cfg, "LOCATIONS_WITH_PERCENTAGE", "[name, pct]")),
        "segments": tuple(_weighted(cfg, "SEGMENTS", "[value, pct]")),
        "hosts": tuple(_weighted(cfg, "HOST_ENTITY", "[hostId, pct]")),
    }
    hour_weights = _hour_weights(cfg)
    if hour_weights is not None:
        parts["hour_weights"] = hour_weights
    names = {
        key: _text(cfg, name)
        for key, name in (
            ("name", "FLOW_NAME"),
            ("event_provider", "EVENT_PROVIDER"),
            ("correlation_field", "CORRELATION_ID"),
        )
    }
    if cfg.errors:  # every value below has passed its check
        raise JourneyImportError(cfg.errors)
    spec = JourneySpec(
        **names,
        steps=tuple(Step(**values) for values in steps),
        seed=zlib.crc32(text.encode()) if seed is None else seed,
        journeys_per_day=journeys_per_day,
        **parts,
    )
    problems = validate(spec)
    if problems:
        raise JourneyImportError([SpecError(_config_path(e.path, cfg), e.message) for e in problems])
    return spec


# Where each specification field comes from: the constant, and the column of each sub-field.
_SOURCES: dict[str, tuple[str, dict[str, int]]] = {
    "name": ("FLOW_NAME", {}),
    "event_provider": ("EVENT_PROVIDER", {}),
    "correlation_field": ("CORRELATION_ID", {}),
    "steps": (
        "PROCESS_STEPS",
        {"name": 0, "event_type": 1, "drop_off_pct": 2, "min_delay_hours": 3, "max_delay_hours": 4, "max_loops": 6},
    ),
    "errors": ("ERRORS_WITH_PERCENTAGE", {"name": 0, "step": 1, "pct": 2}),
    "locations": ("LOCATIONS_WITH_PERCENTAGE", {"value": 0, "weight": 1}),
    "location_field": ("LOCATIONS", {}),
    "segments": ("SEGMENTS", {"value": 0, "weight": 1}),
    "segment_field": ("SEGMENT", {}),
    "revenue": ("REVENUE", {"field": 0, "min_value": 2, "max_value": 3, "label": 4}),
    "hosts": ("HOST_ENTITY", {"value": 0, "weight": 1}),
    "hour_weights": ("TIMES_OF_DAY", {}),
}


def _config_path(path: str, cfg: _Config) -> str:
    """A validation error's path (``steps[2].drop_off_pct``) as the file's line and constant."""
    match = re.fullmatch(r"(\w+)(?:\[(\d+)\])?(?:\.(\w+))?", path)
    if not match or match.group(1) not in _SOURCES:
        return path  # journeys_per_day, seed: parameters of the import, not in the file
    field, index, sub = match.groups()
    if field == "steps" and sub == "optional_pct":
        return cfg.where("OPTIONAL_STEP")
    name, columns = _SOURCES[field]
    indexes = [int(index)] if index is not None and field != "hour_weights" else []
    if sub in columns:
        indexes.append(columns[sub])
    return cfg.where(name, *indexes)
