"""Where an error shows in the editor: the engine's paths (``steps[2].variants[1].weight``) mapped to
the input they name, and the list of problems atop the form that links to each of them."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from ..engine.spec import SpecError
from .editor import HOUR_FIELDS, WEEKDAY_FIELDS
from .rows import EditorValues

ROW_NAMES = {
    "steps": "Step",
    "variants": "Variant",
    "errors": "Error",
    "incidents": "Incident",
    "locations": "Location",
    "segments": "Segment value",
    "hosts": "Host",
    "attributes": "Attribute",
    "surges": "Surge",
}
SECTION_TITLES = {
    "general": "Journey",
    "basics": "Basics",
    "steps": "Steps",
    "variants": "Steps",
    "errors": "Errors",
    "locations": "Locations",
    "segments": "Segment",
    "revenue": "Revenue",
    "hosts": "Hosts",
    "hours": "Times of day",
    "weekdays": "Days of the week",
    "surges": "Surges",
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
# An error or incident names its variant in the same select as its step.
_RULE_FIELDS = {"variant": "step"}
_PATH = re.compile(
    r"(?P<head>[a-z_]+)(?:\[(?P<index>\d+)\])?(?:\.variants\[(?P<variant>\d+)\])?(?:\.(?P<field>[a-z_]+))?"
)


@dataclass(frozen=True)
class Problem:
    anchor: str  # the id of the input concerned, or of its section
    where: str  # "Step 3 · Drop-off %"
    message: str


def sentence(message: str) -> str:
    """The engine's messages are fragments ("must be ..."); beside a field they read as sentences."""
    message = message[:1].upper() + message[1:]
    return message if message.endswith((".", "?", "!")) else message + "."


class ErrorPlacer:
    """Puts each :class:`SpecError` beside the input its path names, or atop its section."""

    def __init__(self, values: EditorValues, basics, formsets: dict):
        self.values = values
        self.basics = basics
        self.formsets = formsets
        self.section_errors: dict[str, list[str]] = defaultdict(list)

    def place(self, error: SpecError) -> None:
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
        if section == "steps" and match["variant"] is not None:
            form = self._variant_form(int(index), int(match["variant"]))
            if form is not None:
                self._add(form, field, error.message)
                return
        if section == "hours" and index is not None:
            self._add(self.basics, HOUR_FIELDS[int(index)], error.message)
        elif section == "weekdays" and index is not None:
            self._add(self.basics, WEEKDAY_FIELDS[int(index)], error.message)
        elif section in self.formsets and index is not None and int(index) < len(self.formsets[section].forms):
            form = self.formsets[section].forms[int(index)]
            if section == "attributes":
                field = "key"
            elif section in ("errors", "incidents"):
                field = _RULE_FIELDS.get(field, field)
            self._add(form, field, error.message)
        elif section in SECTION_TITLES:
            self.section_errors[section].append(sentence(error.message))
        else:
            self.section_errors["general"].append(str(error))

    def _variant_form(self, step_index: int, number: int):
        """The form of the ``number``-th variant of the step in row ``step_index``."""
        steps = self.values.rows["steps"]
        if step_index >= len(steps):
            return None
        key = steps[step_index].get("key")
        positions = [i for i, row in enumerate(self.values.rows["variants"]) if row.get("step") == key]
        if number >= len(positions):
            return None
        return self.formsets["variants"].forms[positions[number]]

    @staticmethod
    def _add(form, field: str | None, message: str) -> None:
        if field is not None and field not in form.fields:
            field = None
        if field == "event_type" and form.has_error("name") and not form.data.get(form.add_prefix("event_type")):
            return  # the type comes from the name, which already says what is wrong
        if field is None or not form.has_error(field):
            form.add_error(field, sentence(message))


def form_problems(form, row: str) -> list[Problem]:
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


def row_name(values: EditorValues, section: str, index: int) -> str:
    """How the list of problems names a row: "Step 3 (Payment)", "Step 3 (Payment) · variant Card"."""
    if section == "steps":
        name = values.rows["steps"][index].get("name", "").strip()
        return f"Step {index + 1} ({name})" if name else f"Step {index + 1}"
    if section == "variants":
        row = values.rows["variants"][index]
        keys = [step.get("key") for step in values.rows["steps"]]
        step = keys.index(row.get("step")) if row.get("step") in keys else None
        variant = row.get("name", "").strip() or f"{index + 1}"
        return f"{row_name(values, 'steps', step)} · variant {variant}" if step is not None else f"Variant {variant}"
    return f"{ROW_NAMES[section]} {index + 1}"
