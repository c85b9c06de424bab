"""Decision settings as JSON: what each decision step's executions look like when the runtime reports them.

A journey file holds them under each decision step, or variant marked as a decision, as its ``decision_settings`` object
(:func:`step_decisions_from_list`, :func:`decision_settings_to_dict`; see
``examples/loan-validation.json``). The same objects, each with the ``step`` it belongs to (named by
event type), also make a settings document of their own::

    {"format": "bizflow-studio/decisions", "version": 1, "journey": "loan-validation.json",
     "decisions": [{"step": "loan.decided", "decision_service_id": "...", ...}]}

Reading is strict: a wrong type, a missing or an unknown key is reported with its key path
(``decisions[0].rules[2].pct: must be a number``), all problems at once, then the settings are
checked against the journey (:func:`validate_decision`).
"""

from __future__ import annotations

from typing import Any

from .decisions import DEFAULT_STACK_TRACE, DEFAULT_TOPIC, DecisionSpec, Rule, validate_decision
from .spec import JourneySpec, SpecError, Weighted

FORMAT = "bizflow-studio/decisions"
VERSION = 1
METADATA = ("businessMonitoringEnabled", "businessEventInputEnabled", "businessEventOutputEnabled")
_TEXT_KEYS = ("decision_service_id", "decision_service_name", "decision_service_version", "decision_operation")
_OPTIONAL_TEXT = {
    "decision_id": "",
    "deployment_space_id": "embedded",
    "engine_api_version": "1.0",
    "topic": DEFAULT_TOPIC,
    "timestamp_unit": "ms",
}
_KEYS = (
    set(_TEXT_KEYS)
    | set(_OPTIONAL_TEXT)
    | {
        "step",
        "runtime_nodes",
        "execution_millis",
        "rules",
        "incident",
        "input_parameters",
        "output_parameters",
        "metadata",
    }
)


class DecisionFileError(ValueError):
    def __init__(self, errors: list[SpecError]):
        self.errors = errors
        super().__init__("; ".join(str(error) for error in errors))


class _Reader:
    def __init__(self):
        self.errors: list[SpecError] = []

    def object(self, value: Any, path: str, *, allowed: set[str], required: tuple[str, ...] = ()) -> dict:
        if not isinstance(value, dict):
            self.errors.append(SpecError(path, "must be an object"))
            return {}
        for key in required:
            if key not in value:
                self.errors.append(SpecError(f"{path}.{key}" if path else key, "is missing"))
        for key in value:
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                self.errors.append(SpecError(f"{path}.{key}" if path else key, f"is not a known key (known: {known})"))
        return value

    def text(self, value: Any, path: str) -> str:
        if not isinstance(value, str):
            self.errors.append(SpecError(path, "must be text"))
            return ""
        return value

    def number(self, value: Any, path: str, *, whole: bool = False) -> float:
        kinds = (int,) if whole else (int, float)
        if not isinstance(value, kinds) or isinstance(value, bool):
            self.errors.append(SpecError(path, "must be a whole number" if whole else "must be a number"))
            return 0
        return value

    def flag(self, value: Any, path: str) -> bool:
        if not isinstance(value, bool):
            self.errors.append(SpecError(path, "must be true or false"))
            return True
        return value

    def array(self, value: Any, path: str) -> list:
        if not isinstance(value, list):
            self.errors.append(SpecError(path, "must be a list"))
            return []
        return value


def _read_nodes(r: _Reader, value: Any, path: str) -> tuple[Weighted, ...]:
    nodes = []
    for i, item in enumerate(r.array(value, path)):
        node = r.object(item, f"{path}[{i}]", allowed={"name", "weight"}, required=("name",))
        name = r.text(node.get("name", ""), f"{path}[{i}].name")
        nodes.append(Weighted(name, r.number(node.get("weight", 1), f"{path}[{i}].weight")))
    return tuple(nodes)


def _read_rules(r: _Reader, value: Any, path: str) -> tuple[Rule, ...]:
    rules = []
    for i, item in enumerate(r.array(value, path)):
        at = f"{path}[{i}]"
        rule = r.object(item, at, allowed={"path", "pct", "rejects"}, required=("path",))
        rule_path = r.text(rule.get("path", ""), f"{at}.path")
        pct = r.number(rule.get("pct", 100), f"{at}.pct")
        rules.append(Rule(rule_path, pct, r.flag(rule.get("rejects", False), f"{at}.rejects")))
    return tuple(rules)


def _read_behaviour(r: _Reader, d: dict, path: str) -> dict[str, Any]:
    """Durations, incidents, parameter templates and the metadata switches."""
    fields: dict[str, Any] = {}
    if "execution_millis" in d:
        at = f"{path}.execution_millis"
        span = r.object(d["execution_millis"], at, allowed={"min", "max"}, required=("min", "max"))
        fields["execution_millis_min"] = r.number(span.get("min", 0), f"{at}.min", whole=True)
        fields["execution_millis_max"] = r.number(span.get("max", 0), f"{at}.max", whole=True)
    at = f"{path}.incident"
    incident = r.object(d.get("incident", {}), at, allowed={"pct", "category", "stack_trace"})
    fields["incident_pct"] = r.number(incident.get("pct", 0), f"{at}.pct")
    fields["incident_category"] = r.text(incident.get("category", "Technical"), f"{at}.category")
    fields["incident_stack_trace"] = r.text(incident.get("stack_trace", DEFAULT_STACK_TRACE), f"{at}.stack_trace")
    fields["input_parameters"] = d.get("input_parameters")
    outputs = r.object(d.get("output_parameters", {}), f"{path}.output_parameters", allowed={"approved", "rejected"})
    fields["output_approved"] = outputs.get("approved", "APPROVED")
    fields["output_rejected"] = outputs.get("rejected", "REJECTED($rule)")
    metadata = r.object(d.get("metadata", {}), f"{path}.metadata", allowed=set(METADATA))
    monitoring, inputs, outputs_on = (r.flag(metadata.get(name, True), f"{path}.metadata.{name}") for name in METADATA)
    fields["business_monitoring_enabled"] = monitoring
    fields["business_event_input_enabled"] = inputs
    fields["business_event_output_enabled"] = outputs_on
    return fields


def _read_fields(r: _Reader, d: dict, path: str, step: int, variant: int | None = None) -> DecisionSpec:
    """The settings of decision step ``step`` (its variant ``variant``) from an object whose keys were
    checked already."""
    fields: dict[str, Any] = {"step": step, "variant": variant}
    for key in _TEXT_KEYS:
        fields[key] = r.text(d.get(key, ""), f"{path}.{key}")
    for key, default in _OPTIONAL_TEXT.items():
        fields[key] = r.text(d.get(key, default), f"{path}.{key}")
    if "runtime_nodes" in d:
        fields["runtime_nodes"] = _read_nodes(r, d["runtime_nodes"], f"{path}.runtime_nodes")
    fields["rules"] = _read_rules(r, d.get("rules", []), f"{path}.rules")
    fields.update(_read_behaviour(r, d, path))
    return DecisionSpec(**fields)


def _ways(journey: JourneySpec) -> dict[str, tuple[int, int | None]]:
    """(step, variant) by event type: each plain step's, and each variant's on a step with variants."""
    ways: dict[str, tuple[int, int | None]] = {}
    for index, step in enumerate(journey.steps):
        if not step.variants:
            ways[step.event_type] = (index, None)
        for number, variant in enumerate(step.variants):
            ways[variant.event_type] = (index, number)
    return ways


def _read_decision(r: _Reader, data: Any, path: str, journey: JourneySpec) -> DecisionSpec | None:
    d = r.object(data, path, allowed=_KEYS, required=("step",) + _TEXT_KEYS)
    if not d:
        return None
    step_type = r.text(d.get("step", ""), f"{path}.step")
    ways = _ways(journey)
    if step_type not in ways:
        r.errors.append(
            SpecError(f"{path}.step", f"'{step_type}' is not the event type of one of the journey's steps or variants")
        )
        return None
    return _read_fields(r, d, path, *ways[step_type])


def _read_settings(
    r: _Reader, item: dict, path: str, journey: JourneySpec, step: int, variant: int | None
) -> DecisionSpec | None:
    """The ``decision_settings`` object of one step or variant of a journey file, checked."""
    d = r.object(item["decision_settings"], path, allowed=_KEYS - {"step"}, required=_TEXT_KEYS)
    if not d:
        return None
    decision = _read_fields(r, d, path, step, variant)
    if not r.errors:
        r.errors.extend(validate_decision(journey, decision, path))
    return decision


def step_decisions_from_list(steps: Any, journey: JourneySpec) -> tuple[list[DecisionSpec], list[SpecError]]:
    """The decision settings a journey file holds (the optional ``decision_settings`` object of each
    step, or variant, marked as a decision), and every problem with them, named by the file's key paths.

    ``steps`` is the file's ``steps`` list, ``journey`` what the file describes (already valid)."""
    r = _Reader()
    decisions: list[DecisionSpec] = []
    for index, item in enumerate(steps if isinstance(steps, list) else []):
        if not isinstance(item, dict):
            continue
        step = journey.steps[index]
        if "decision_settings" in item:
            path = f"steps[{index}].decision_settings"
            if step.variants:
                r.errors.append(
                    SpecError(path, "a step with variants holds decision settings on its variant marked as a decision")
                )
            elif not step.is_decision:
                r.errors.append(SpecError(path, 'only a step marked "decision": true can hold decision settings'))
            else:
                decisions.append(_read_settings(r, item, path, journey, index, None))
        variants = item.get("variants") if step.variants else None
        for number, variant in enumerate(variants if isinstance(variants, list) else []):
            if not isinstance(variant, dict) or "decision_settings" not in variant:
                continue
            path = f"steps[{index}].variants[{number}].decision_settings"
            if not step.variants[number].is_decision:
                r.errors.append(SpecError(path, 'only a variant marked "decision": true can hold decision settings'))
            else:
                decisions.append(_read_settings(r, variant, path, journey, index, number))
    return [d for d in decisions if d is not None], r.errors


def decisions_from_dict(data: Any, journey: JourneySpec) -> list[DecisionSpec]:
    """The decisions a settings document describes for ``journey``; raises DecisionFileError."""
    r = _Reader()
    doc = r.object(data, "", allowed={"format", "version", "journey", "description", "decisions"}, required=("format",))
    if doc.get("format") != FORMAT:
        r.errors.append(SpecError("format", f"must be '{FORMAT}'"))
    if doc.get("version", VERSION) != VERSION:
        r.errors.append(SpecError("version", f"version {doc.get('version')!r} is not supported (only {VERSION})"))
    decisions = []
    for index, item in enumerate(r.array(doc.get("decisions", []), "decisions")):
        decision = _read_decision(r, item, f"decisions[{index}]", journey)
        if decision is not None:
            decisions.append(decision)
    if not r.errors:
        seen: set[tuple[int, int | None]] = set()
        for index, decision in enumerate(decisions):
            r.errors.extend(validate_decision(journey, decision, f"decisions[{index}]"))
            if (decision.step, decision.variant) in seen:
                r.errors.append(SpecError(f"decisions[{index}].step", "this step already has decision settings"))
            seen.add((decision.step, decision.variant))
    if r.errors:
        raise DecisionFileError(r.errors)
    return decisions


def decision_to_dict(journey: JourneySpec, decision: DecisionSpec) -> dict[str, Any]:
    way = journey.steps[decision.step].ways()[decision.variant or 0]
    return {"step": way.event_type, **decision_settings_to_dict(decision)}


def _num(value: float) -> float | int:
    """Whole numbers without ``.0``, as the journey file writes them."""
    return int(value) if isinstance(value, float) and value.is_integer() and abs(value) < 2**53 else value


def decision_settings_to_dict(decision: DecisionSpec) -> dict[str, Any]:
    """A decision's settings as a journey file holds them under its step (every key written)."""
    return {
        **{key: getattr(decision, key) for key in _TEXT_KEYS},
        "decision_id": decision.decision_id,
        "deployment_space_id": decision.deployment_space_id,
        "engine_api_version": decision.engine_api_version,
        "runtime_nodes": [{"name": n.value, "weight": _num(n.weight)} for n in decision.runtime_nodes],
        "execution_millis": {"min": decision.execution_millis_min, "max": decision.execution_millis_max},
        "rules": [{"path": r.path, "pct": _num(r.pct), "rejects": r.rejects} for r in decision.rules],
        "incident": {
            "pct": _num(decision.incident_pct),
            "category": decision.incident_category,
            "stack_trace": decision.incident_stack_trace,
        },
        "input_parameters": decision.input_parameters,
        "output_parameters": {"approved": decision.output_approved, "rejected": decision.output_rejected},
        "metadata": {
            "businessMonitoringEnabled": decision.business_monitoring_enabled,
            "businessEventInputEnabled": decision.business_event_input_enabled,
            "businessEventOutputEnabled": decision.business_event_output_enabled,
        },
        "topic": decision.topic,
        "timestamp_unit": decision.timestamp_unit,
    }


def decisions_to_dict(journey: JourneySpec, decisions: list[DecisionSpec], *, journey_file: str = "") -> dict[str, Any]:
    document: dict[str, Any] = {"format": FORMAT, "version": VERSION}
    if journey_file:
        document["journey"] = journey_file
    document["decisions"] = [decision_to_dict(journey, d) for d in decisions]
    return document
