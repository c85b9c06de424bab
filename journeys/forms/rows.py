"""The editor's submitted values as plain rows of text, and the row actions applied to them.

Adding, removing and moving a row is a rewrite of the submitted values followed by a fresh render,
so it works the same with htmx (the form's body is swapped in place) and without JavaScript (the
button submits the form and the whole page comes back). Nothing is saved by a row action.

Errors and incidents name their step by the step row's ``key`` (``s1``, ``s2``…), which stays with
the row when it moves, so reordering steps never re-points an error at another step. A step with
variants has one ``variants`` row per variant, each naming its step by that key and keyed itself
(``v1``, ``v2``…); an error or incident on a variant names the variant's key instead of the step's.
The variants of a step are its variant rows in their order in the list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .editor import HOUR_FIELDS, WEEKDAY_FIELDS, BasicsForm

SECTION_FIELDS: dict[str, tuple[str, ...]] = {
    "steps": (
        "key",
        "name",
        "event_type",
        "drop_off_pct",
        "min_delay_hours",
        "max_delay_hours",
        "max_loops",
        "optional_pct",
        "carries_location",
        "carries_segment",
        "carries_revenue",
        "is_decision",
        "delay_shape",
    ),
    "variants": (
        "key",
        "step",
        "name",
        "event_type",
        "weight",
        "min_delay_hours",
        "max_delay_hours",
        "delay_shape",
        "max_loops",
        "carries_location",
        "carries_segment",
        "carries_revenue",
        "is_decision",
        "ends_journey",
    ),
    "errors": ("step", "name", "pct"),
    "incidents": ("step", "error_name", "pct", "window", "daily_start_hour", "daily_end_hour", "starts_at", "ends_at"),
    "locations": ("value", "weight"),
    "segments": ("value", "weight"),
    "hosts": ("value", "weight"),
    "attributes": ("key", "value"),
    "surges": ("multiplier", "window", "daily_start_hour", "daily_end_hour", "starts_at", "ends_at"),
}
BASICS_FIELDS: tuple[str, ...] = tuple(BasicsForm.base_fields) + HOUR_FIELDS + WEEKDAY_FIELDS
MAX_ROWS = 1000
CHECKED = "on"
MAX_VARIANTS = 5  # the spec's limit: the add button goes away at it
_STEP_KEY = re.compile(r"s(\d{1,6})")
_VARIANT_KEY = re.compile(r"v(\d{1,6})")


@dataclass
class EditorValues:
    """Everything the editor shows, as the text the user typed (checkboxes: ``"on"`` or absent)."""

    basics: dict[str, str]
    rows: dict[str, list[dict[str, str]]] = field(default_factory=dict)

    @classmethod
    def from_data(cls, data) -> EditorValues:
        basics = {name: str(data[name]) for name in BASICS_FIELDS if name in data}
        rows = {prefix: _read_rows(data, prefix, fields) for prefix, fields in SECTION_FIELDS.items()}
        _ensure_keys(rows["steps"], _STEP_KEY, "s")
        _ensure_keys(rows["variants"], _VARIANT_KEY, "v")
        return cls(basics, rows)

    def to_data(self) -> dict[str, str]:
        """The values as a form submission, with each formset's management fields."""
        data = dict(self.basics)
        for prefix in SECTION_FIELDS:
            rows = self.rows.get(prefix, [])
            data[f"{prefix}-TOTAL_FORMS"] = data[f"{prefix}-INITIAL_FORMS"] = str(len(rows))
            data[f"{prefix}-MIN_NUM_FORMS"], data[f"{prefix}-MAX_NUM_FORMS"] = "0", str(MAX_ROWS)
            for index, row in enumerate(rows):
                for name, value in row.items():
                    data[f"{prefix}-{index}-{name}"] = value
        return data

    def variants_of(self, step_key: str) -> list[dict[str, str]]:
        """The variant rows of the step keyed ``step_key``, in order (none for a plain step)."""
        return [row for row in self.rows.get("variants", []) if row.get("step") == step_key]

    def step_choices(self) -> list[tuple[str, str]]:
        """What an error or incident can happen on: each plain step, and each variant of the others."""
        choices = []
        for index, row in enumerate(self.rows["steps"]):
            label = step_label(index, row.get("name", ""))
            variants = self.variants_of(row.get("key", ""))
            choices += [(v["key"], f"{label} · {v.get('name', '').strip() or 'Unnamed variant'}") for v in variants]
            if not variants:
                choices.append((row.get("key", ""), label))
        return choices


def step_label(index: int, name: str) -> str:
    return f"{index + 1}. {name.strip() or 'Unnamed step'}"


def _read_rows(data, prefix: str, fields: tuple[str, ...]) -> list[dict[str, str]]:
    try:
        count = int(data.get(f"{prefix}-TOTAL_FORMS", 0))
    except (TypeError, ValueError):
        count = 0
    rows = []
    for index in range(max(0, min(count, MAX_ROWS))):
        keys = {name: f"{prefix}-{index}-{name}" for name in fields}
        rows.append({name: str(data[key]) for name, key in keys.items() if key in data})
    return rows


def _ensure_keys(rows: list[dict[str, str]], pattern: re.Pattern, letter: str) -> None:
    """Give every row a unique key; a missing or repeated one gets a fresh key."""
    seen: set[str] = set()
    for row in rows:
        key = row.get("key", "")
        if not pattern.fullmatch(key) or key in seen:
            row["key"] = _next_key(rows, pattern, letter)
        seen.add(row["key"])


def _next_key(rows: list[dict[str, str]], pattern: re.Pattern, letter: str) -> str:
    numbers = [int(m.group(1)) for row in rows if (m := pattern.fullmatch(row.get("key", "")))]
    return f"{letter}{max(numbers, default=0) + 1}"


def _next_step_key(steps: list[dict[str, str]]) -> str:
    return _next_key(steps, _STEP_KEY, "s")


@dataclass(frozen=True)
class RowAction:
    """A change to one section's rows, from a button's ``_action`` value.

    ``add``, ``remove``, ``up`` and ``down`` as on every list; on steps also ``split`` (the step offers
    variants from now on) and ``merge`` (back to one event type). ``add:variants:<i>`` adds a variant to
    the step in row ``i``; the other variant actions name the variant row.
    """

    verb: str
    section: str
    index: int = -1

    VERBS = ("add", "remove", "up", "down", "split", "merge")

    @classmethod
    def parse(cls, value: str) -> RowAction | None:
        """``"add:steps"``, ``"remove:errors:2"``, ``"up:steps:3"``, ``"split:steps:1"``; None for anything else."""
        parts = value.split(":")
        if len(parts) not in (2, 3) or parts[0] not in cls.VERBS or parts[1] not in SECTION_FIELDS:
            return None
        if parts[0] in ("split", "merge") and parts[1] != "steps":
            return None
        if parts[0] == "add" and parts[1] != "variants":
            return cls("add", parts[1]) if len(parts) == 2 else None
        if len(parts) != 3 or not parts[2].isdigit():
            return None
        return cls(parts[0], parts[1], int(parts[2]))


def apply_row_action(values: EditorValues, action: RowAction) -> int | None:
    """Apply ``action`` to ``values`` in place; return the index of the row to focus, if any."""
    rows = values.rows[action.section]
    if action.verb == "add" and action.section == "variants":
        return _add_variant(values, action.index)
    if action.verb == "add":
        if len(rows) >= MAX_ROWS:
            return None
        rows.append(new_row(action.section, values))
        return len(rows) - 1
    if not 0 <= action.index < len(rows):
        return None  # a stale button (the row is gone already): nothing to do
    if action.verb == "split":
        return _split_step(values, action.index)
    if action.verb == "merge":
        return _merge_step(values, action.index)
    if action.verb == "remove":
        removed = rows.pop(action.index)
        if action.section == "steps":
            keys = {removed["key"]} | {v["key"] for v in values.variants_of(removed["key"])}
            values.rows["variants"] = [v for v in values.rows["variants"] if v.get("step") != removed["key"]]
            _drop_rules_on(values, keys)
        elif action.section == "variants":
            _drop_rules_on(values, {removed.get("key", "")})
        return None
    if action.section == "variants":
        return _move_variant(rows, action)
    target = action.index - 1 if action.verb == "up" else action.index + 1
    if 0 <= target < len(rows):
        rows[action.index], rows[target] = rows[target], rows[action.index]
        return target
    return action.index


def _drop_rules_on(values: EditorValues, keys: set[str]) -> None:
    """An error or incident cannot outlive its step or variant, as in the database."""
    for section in ("errors", "incidents"):
        values.rows[section] = [row for row in values.rows[section] if row.get("step") not in keys]


def _repoint_rules(values: EditorValues, old: str, new: str) -> None:
    for section in ("errors", "incidents"):
        for row in values.rows[section]:
            if row.get("step") == old:
                row["step"] = new


def _move_variant(rows: list[dict[str, str]], action: RowAction) -> int:
    """Up or down among the variants of the same step: the rows of other steps in between do not count."""
    step = rows[action.index].get("step")
    siblings = [index for index, row in enumerate(rows) if row.get("step") == step]
    position = siblings.index(action.index) + (-1 if action.verb == "up" else 1)
    if not 0 <= position < len(siblings):
        return action.index
    target = siblings[position]
    rows[action.index], rows[target] = rows[target], rows[action.index]
    return target


_WAY_FIELDS = (
    "min_delay_hours",
    "max_delay_hours",
    "delay_shape",
    "max_loops",
    "carries_location",
    "carries_segment",
    "carries_revenue",
    "is_decision",
)


def _variant_row(values: EditorValues, step: dict[str, str], number: int) -> dict[str, str]:
    """A new variant of ``step``, with the step's delay, loops and attributes to start from."""
    row = {"key": _next_key(values.rows["variants"], _VARIANT_KEY, "v"), "step": step["key"]}
    row.update({"name": f"Option {number}", "event_type": "", "weight": "1"})
    row.update({name: step[name] for name in _WAY_FIELDS if step.get(name)})
    return row


def _add_variant(values: EditorValues, step_index: int) -> int | None:
    steps = values.rows["steps"]
    if not 0 <= step_index < len(steps):
        return None
    step = steps[step_index]
    existing = values.variants_of(step["key"])
    if not existing or len(existing) >= MAX_VARIANTS or len(values.rows["variants"]) >= MAX_ROWS:
        return None
    values.rows["variants"].append(_variant_row(values, step, len(existing) + 1))
    return len(values.rows["variants"]) - 1


def _split_step(values: EditorValues, step_index: int) -> int | None:
    """The step offers two variants; the first keeps its event type and the errors and incidents on it."""
    step = values.rows["steps"][step_index]
    if values.variants_of(step["key"]):
        return None
    first = _variant_row(values, step, 1)
    first["event_type"] = step.get("event_type", "")
    values.rows["variants"].append(first)
    values.rows["variants"].append(_variant_row(values, step, 2))
    _repoint_rules(values, step["key"], first["key"])
    step["event_type"] = ""
    return None


def _merge_step(values: EditorValues, step_index: int) -> int | None:
    """Back to one event type: the first variant's, with its delay, loops, attributes, errors and incidents;
    the other variants go, with the errors and incidents on them."""
    step = values.rows["steps"][step_index]
    variants = values.variants_of(step["key"])
    if not variants:
        return None
    first = variants[0]
    for name in _WAY_FIELDS:
        step.pop(name, None)
        if first.get(name):
            step[name] = first[name]
    step["event_type"] = first.get("event_type", "")
    _repoint_rules(values, first["key"], step["key"])
    _drop_rules_on(values, {v["key"] for v in variants[1:]})
    values.rows["variants"] = [v for v in values.rows["variants"] if v.get("step") != step["key"]]
    return None


def new_row(section: str, values: EditorValues) -> dict[str, str]:
    """A new row with defaults a user would pick most often."""
    choices = values.step_choices()
    last_step = choices[-1][0] if choices else ""
    if section == "steps":
        return {
            "key": _next_step_key(values.rows["steps"]),
            "name": "",
            "event_type": "",
            "drop_off_pct": "0",
            "min_delay_hours": "0.1",
            "max_delay_hours": "1",
            "max_loops": "1",
            "optional_pct": "",
        }
    defaults = {
        "errors": {"step": last_step, "name": "", "pct": "5"},
        "incidents": {
            "step": last_step,
            "error_name": "",
            "pct": "50",
            "window": "daily",
            "daily_start_hour": "2",
            "daily_end_hour": "3",
        },
        "locations": {"value": "", "weight": "1"},
        "segments": {"value": "", "weight": "1"},
        "hosts": {"value": "", "weight": "1"},
        "attributes": {"key": "", "value": ""},
        "surges": {"multiplier": "3", "window": "daily", "daily_start_hour": "17", "daily_end_hour": "19"},
    }
    return dict(defaults[section])
