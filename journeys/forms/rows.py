"""The editor's submitted values as plain rows of text, and the row actions applied to them.

Adding, removing and moving a row is a rewrite of the submitted values followed by a fresh render,
so it works the same with htmx (the form's body is swapped in place) and without JavaScript (the
button submits the form and the whole page comes back). Nothing is saved by a row action.

Errors and incidents name their step by the step row's ``key`` (``s1``, ``s2``…), which stays with
the row when it moves, so reordering steps never re-points an error at another step.
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
    ),
    "errors": ("step", "name", "pct"),
    "incidents": ("step", "error_name", "pct", "window", "daily_start_hour", "daily_end_hour", "starts_at", "ends_at"),
    "locations": ("value", "weight"),
    "segments": ("value", "weight"),
    "hosts": ("value", "weight"),
    "attributes": ("key", "value"),
}
BASICS_FIELDS: tuple[str, ...] = tuple(BasicsForm.base_fields) + HOUR_FIELDS + WEEKDAY_FIELDS
MAX_ROWS = 1000
CHECKED = "on"
_STEP_KEY = re.compile(r"s(\d{1,6})")


@dataclass
class EditorValues:
    """Everything the editor shows, as the text the user typed (checkboxes: ``"on"`` or absent)."""

    basics: dict[str, str]
    rows: dict[str, list[dict[str, str]]] = field(default_factory=dict)

    @classmethod
    def from_data(cls, data) -> EditorValues:
        basics = {name: str(data[name]) for name in BASICS_FIELDS if name in data}
        rows = {prefix: _read_rows(data, prefix, fields) for prefix, fields in SECTION_FIELDS.items()}
        _ensure_step_keys(rows["steps"])
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

    def step_choices(self) -> list[tuple[str, str]]:
        steps = self.rows["steps"]
        return [(row.get("key", ""), step_label(index, row.get("name", ""))) for index, row in enumerate(steps)]


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


def _ensure_step_keys(steps: list[dict[str, str]]) -> None:
    """Give every step row a unique key; a missing or repeated one gets a fresh key."""
    seen: set[str] = set()
    for row in steps:
        key = row.get("key", "")
        if not _STEP_KEY.fullmatch(key) or key in seen:
            row["key"] = _next_step_key(steps)
        seen.add(row["key"])


def _next_step_key(steps: list[dict[str, str]]) -> str:
    numbers = [int(m.group(1)) for row in steps if (m := _STEP_KEY.fullmatch(row.get("key", "")))]
    return f"s{max(numbers, default=0) + 1}"


@dataclass(frozen=True)
class RowAction:
    """``add``, ``remove``, ``up`` or ``down`` on one section's rows, from a button's ``_action`` value."""

    verb: str
    section: str
    index: int = -1

    VERBS = ("add", "remove", "up", "down")

    @classmethod
    def parse(cls, value: str) -> RowAction | None:
        """``"add:steps"``, ``"remove:errors:2"``, ``"up:steps:3"``; None for anything else."""
        parts = value.split(":")
        if len(parts) not in (2, 3) or parts[0] not in cls.VERBS or parts[1] not in SECTION_FIELDS:
            return None
        if parts[0] == "add":
            return cls("add", parts[1]) if len(parts) == 2 else None
        if len(parts) != 3 or not parts[2].isdigit():
            return None
        return cls(parts[0], parts[1], int(parts[2]))


def apply_row_action(values: EditorValues, action: RowAction) -> int | None:
    """Apply ``action`` to ``values`` in place; return the index of the row to focus, if any."""
    rows = values.rows[action.section]
    if action.verb == "add":
        if len(rows) >= MAX_ROWS:
            return None
        rows.append(new_row(action.section, values))
        return len(rows) - 1
    if not 0 <= action.index < len(rows):
        return None  # a stale button (the row is gone already): nothing to do
    if action.verb == "remove":
        removed = rows.pop(action.index)
        if action.section == "steps":
            # An error or incident cannot outlive its step, as in the database.
            for section in ("errors", "incidents"):
                values.rows[section] = [row for row in values.rows[section] if row.get("step") != removed["key"]]
        return None
    target = action.index - 1 if action.verb == "up" else action.index + 1
    if 0 <= target < len(rows):
        rows[action.index], rows[target] = rows[target], rows[action.index]
        return target
    return action.index


def new_row(section: str, values: EditorValues) -> dict[str, str]:
    """A new row with defaults a user would pick most often."""
    steps = values.rows["steps"]
    last_step = steps[-1]["key"] if steps else ""
    if section == "steps":
        return {
            "key": _next_step_key(steps),
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
    }
    return dict(defaults[section])
