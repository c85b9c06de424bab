"""The checks on one decision step's settings, each problem named by the key it is about.

Templates are checked for their placeholders too: a ``$name`` that is not one of the values a
template may take would be sent as it is, which is never what was meant.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from .decision_parts import placeholders_in
from .spec import JourneySpec, SpecError

if TYPE_CHECKING:
    from .decisions import DecisionSpec

TIMESTAMP_UNITS = ("ms", "s")
TOPIC_NAME = re.compile(r"^[A-Za-z0-9._-]{1,249}$")  # what Kafka accepts as a topic name
PLACEHOLDERS = ("correlation", "eventId", "eventType", "location", "segment", "revenue", "host", "timestamp")
OUTPUT_PLACEHOLDERS = PLACEHOLDERS + ("rule", "outcome")
TRACE_PLACEHOLDERS = ("executionId", "decisionOperation", "runtimeNodeName", "correlation")


def _text(errors: list[SpecError], path: str, value: Any, *, required: bool = True) -> None:
    if not isinstance(value, str) or (required and not value.strip()):
        errors.append(SpecError(path, "must not be empty" if isinstance(value, str) else "must be text"))


def _percent(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 100


def _json_value(value: Any) -> bool:
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        return False
    return True


def validate_decision(journey: JourneySpec, decision: DecisionSpec, path: str = "") -> list[SpecError]:
    """Every problem with one decision's settings; paths are prefixed with ``path`` (e.g. ``decisions[0]``)."""
    at = (lambda name: f"{path}.{name}") if path else (lambda name: name)
    errors: list[SpecError] = []
    if not 0 <= decision.step < len(journey.steps):
        errors.append(SpecError(at("step"), "must name one of the journey's steps"))
    elif journey.steps[decision.step].variants and decision.variant is None:
        errors.append(SpecError(at("step"), f"step '{journey.steps[decision.step].name}' has variants: name one"))
    elif decision.variant is not None and not 0 <= decision.variant < len(journey.steps[decision.step].variants):
        errors.append(
            SpecError(at("step"), f"must name one of the variants of step '{journey.steps[decision.step].name}'")
        )
    elif not journey.steps[decision.step].ways()[decision.variant or 0].is_decision:
        way = journey.steps[decision.step].ways()[decision.variant or 0]
        errors.append(SpecError(at("step"), f"step '{way.name}' is not marked as a decision"))
    for name in ("decision_service_id", "decision_service_name", "decision_service_version", "decision_operation"):
        _text(errors, at(name), getattr(decision, name))
    for name in ("deployment_space_id", "engine_api_version", "incident_category", "topic"):
        _text(errors, at(name), getattr(decision, name))
    _text(errors, at("decision_id"), decision.decision_id, required=False)
    _text(errors, at("incident_stack_trace"), decision.incident_stack_trace, required=False)
    if not decision.runtime_nodes:
        errors.append(SpecError(at("runtime_nodes"), "needs at least one runtime node name"))
    for index, node in enumerate(decision.runtime_nodes):
        if not isinstance(node.value, str) or not node.value.strip():
            errors.append(SpecError(at(f"runtime_nodes[{index}].name"), "must not be empty"))
        if not isinstance(node.weight, (int, float)) or isinstance(node.weight, bool) or node.weight < 0:
            errors.append(SpecError(at(f"runtime_nodes[{index}].weight"), "must be a non-negative number"))
    weights = [n.weight for n in decision.runtime_nodes if isinstance(n.weight, (int, float)) and n.weight >= 0]
    if decision.runtime_nodes and len(weights) == len(decision.runtime_nodes) and sum(weights) <= 0:
        errors.append(SpecError(at("runtime_nodes"), "at least one weight must be above zero"))
    lo, hi = decision.execution_millis_min, decision.execution_millis_max
    for name, value in (("execution_millis_min", lo), ("execution_millis_max", hi)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            errors.append(SpecError(at(name), "must be a whole number of milliseconds, 0 or more"))
    if isinstance(lo, int) and isinstance(hi, int) and lo > hi:
        errors.append(SpecError(at("execution_millis_min"), "must not be above the maximum"))
    seen: set[str] = set()
    for index, rule in enumerate(decision.rules):
        if not isinstance(rule.path, str) or not rule.path.strip():
            errors.append(SpecError(at(f"rules[{index}].path"), "must not be empty"))
        elif rule.path in seen:
            errors.append(SpecError(at(f"rules[{index}].path"), f"'{rule.path}' is listed twice"))
        seen.add(rule.path)
        if not _percent(rule.pct):
            errors.append(SpecError(at(f"rules[{index}].pct"), "must be a percentage between 0 and 100"))
    if not _percent(decision.incident_pct):
        errors.append(SpecError(at("incident_pct"), "must be a percentage between 0 and 100"))
    errors.extend(_template_problems(decision, at))
    if isinstance(decision.topic, str) and decision.topic.strip() and not TOPIC_NAME.match(decision.topic):
        errors.append(SpecError(at("topic"), "must use only letters, digits, '.', '_' and '-' (at most 249)"))
    if decision.timestamp_unit not in TIMESTAMP_UNITS:
        errors.append(SpecError(at("timestamp_unit"), "must be 'ms' (epoch milliseconds) or 's' (epoch seconds)"))
    return errors


def _template_problems(decision: DecisionSpec, at) -> list[SpecError]:
    """Templates that are not plain JSON, or that name a placeholder they cannot take."""
    errors: list[SpecError] = []
    templates = (
        ("input_parameters", decision.input_parameters, PLACEHOLDERS),
        ("output_approved", decision.output_approved, OUTPUT_PLACEHOLDERS),
        ("output_rejected", decision.output_rejected, OUTPUT_PLACEHOLDERS),
        ("incident_stack_trace", decision.incident_stack_trace, TRACE_PLACEHOLDERS),
    )
    for name, value, known in templates:
        if not _json_value(value):
            errors.append(SpecError(at(name), "must be plain JSON (objects, lists, text, numbers, true/false/null)"))
            continue
        unknown = sorted(placeholders_in(value) - set(known))
        if unknown:
            listed = ", ".join(f"${u}" for u in unknown)
            allowed = ", ".join(f"${k}" for k in known)
            errors.append(SpecError(at(name), f"unknown placeholder {listed} (this template takes {allowed})"))
    return errors
