"""The Business Flow settings object of a journey, built from the journey itself.

The Business Flow app (app id ``dynatrace.biz.flow``) stores one Settings 2.0 object per flow under
the schema ``app:dynatrace.biz.flow:biz-flow-settings`` in scope ``environment``. We describe the
journey exactly as the generator sends it: one step per journey step, the step's own event type and
every error type the step can end in (error rules and incidents, on any step, the last included),
and the connections a flow can take: step to step, around optional steps and back into looping ones.

Step ids are uuid5 of the provider and the event type, and the object's externalId is derived from
the provider, so pushing the same journey twice updates one object instead of adding a second.

Schema: https://docs.dynatrace.com/docs/dynatrace-api/environment-api/settings/schemas/app-dynatrace-biz-flow-biz-flow-settings
Plain Python: no Django import.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from typing import Any

from journeys.engine.spec import JourneySpec

SCHEMA_ID = "app:dynatrace.biz.flow:biz-flow-settings"
SCOPE = "environment"
APP_ID = "dynatrace.biz.flow"
ANALYSIS_TYPES = ("fulfillment", "conversion", "other")
REQUIRED_FIELDS = (
    "steps",
    "connections",
    "kpiLabel",
    "analysisType",
    "analysisCustomLabel",
    "isSmartscapeTopologyEnabled",
    "isDefaultQueryLimitIgnored",
)
# What the Business Flow app can draw.
MAX_EVENTS_PER_STEP = 5
MAX_BRANCHES_PER_STEP = 5
MAX_NODES = 20
# The Settings API's externalId limit is generous; staying well below it keeps the id readable and
# leaves room should the platform shorten it.
MAX_EXTERNAL_ID_LENGTH = 100
FORMAT_VERSION = 1  # the schema's "version" is an integer

# Fixed namespace: changing it would give every journey new step ids and break updates in place.
_STEP_NAMESPACE = uuid.UUID("6f1d3c1e-3a7b-5d0e-9b8a-2f4c6e8a0b1d")


def step_id(provider: str, event_type: str) -> str:
    """The step's id: stable across builds and machines, so a re-push matches the stored steps."""
    return str(uuid.uuid5(_STEP_NAMESPACE, f"{provider}\n{event_type}"))


def event_id(provider: str, event_type: str) -> str:
    return f"provider:{provider}-event:{event_type}"


def error_event_types(spec: JourneySpec) -> list[list[str]]:
    """Per step, the error event types it can emit, in the order the generator numbers them.

    Error rules come first, then incidents; an incident that reuses an error rule's name emits the
    same event type, so it is listed once.
    """
    per_step: list[list[str]] = [[] for _ in spec.steps]
    names = [(rule.step, rule.name) for rule in spec.errors]
    names += [(incident.step, incident.error_name) for incident in spec.incidents]
    for index, name in names:
        event_type = f"{spec.steps[index].event_type}.{name}"
        if event_type not in per_step[index]:
            per_step[index].append(event_type)
    return per_step


def all_event_types(spec: JourneySpec) -> list[str]:
    """Every event type the journey can send: the steps' own, then the error types."""
    return [step.event_type for step in spec.steps] + [t for types in error_event_types(spec) for t in types]


def has_revenue(spec: JourneySpec) -> bool:
    """True when some event actually carries the revenue field."""
    return spec.revenue is not None and any(step.carries_revenue for step in spec.steps)


def kpi_step_index(spec: JourneySpec) -> int | None:
    """The first step that carries revenue: its event type is the Business Flow's KPI event."""
    if not has_revenue(spec):
        return None
    return next(index for index, step in enumerate(spec.steps) if step.carries_revenue)


def step_links(spec: JourneySpec) -> list[tuple[int, int]]:
    """(source, target) step indexes a flow can move along, in order.

    From each step a flow goes on to the next one; when that one is optional it may skip it and land
    on the one after (and on, past a run of optional steps). A looping step links to itself.
    """
    links: list[tuple[int, int]] = []
    for source in range(len(spec.steps)):
        for target in range(source + 1, len(spec.steps)):
            links.append((source, target))
            if not spec.steps[target].is_optional:
                break
        if spec.steps[source].loops:
            links.append((source, source))
    return links


def _step(spec: JourneySpec, index: int, errors: list[str]) -> dict[str, Any]:
    provider = spec.event_provider
    step = spec.steps[index]
    own = {
        "id": event_id(provider, step.event_type),
        "name": step.event_type,
        "provider": provider,
        "isError": False,
        "isDisabled": False,
    }
    failed = [
        {"id": event_id(provider, name), "name": name, "provider": provider, "isError": True, "isDisabled": False}
        for name in errors
    ]
    return {"name": step.name, "id": step_id(provider, step.event_type), "isRoot": index == 0, "events": [own, *failed]}


def _kpi_fields(spec: JourneySpec, kpi_unit: str) -> dict[str, Any]:
    index = kpi_step_index(spec)
    if index is None:
        return {"kpiLabel": "Revenue"}  # required; with no revenue field the app shows no value for it
    kpi_step = spec.steps[index]
    return {
        "kpiLabel": spec.revenue.label or "Revenue",
        "kpi": spec.revenue.field,
        "kpiEvent": {"name": kpi_step.event_type, "provider": spec.event_provider},
        "kpiUnit": kpi_unit,
        # A journey's revenue is one value repeated on each event carrying it: a looping KPI step
        # would count it once per repetition with "sum", so take the flow's first event instead.
        "kpiCalculation": "firstEvent" if kpi_step.loops else "sum",
    }


def build_bizflow(
    spec: JourneySpec,
    *,
    analysis_type: str = "fulfillment",
    analysis_custom_label: str = "",
    description: str = "",
    kpi_unit: str = "",
) -> dict[str, Any]:
    """The settings object's value for the journey."""
    if analysis_type not in ANALYSIS_TYPES:
        raise ValueError(f"analysis_type must be one of {', '.join(ANALYSIS_TYPES)}, not {analysis_type!r}")
    errors = error_event_types(spec)
    steps = [_step(spec, index, errors[index]) for index in range(len(spec.steps))]
    connections = []
    for source, target in step_links(spec):
        source_id, target_id = steps[source]["id"], steps[target]["id"]
        connections.append({"id": f"{source_id}__{target_id}", "source": source_id, "target": target_id})
    if analysis_type == "other" and not analysis_custom_label:
        analysis_custom_label = "Completed"
    return {
        "name": spec.name,
        "description": description,
        "version": FORMAT_VERSION,
        "correlationID": spec.correlation_field,
        "steps": steps,
        "connections": connections,
        **_kpi_fields(spec, kpi_unit),
        "analysisType": analysis_type,
        "analysisCustomLabel": analysis_custom_label,
        # Events carry dt.entity.host only when the journey names hosts: only then is there topology.
        "isSmartscapeTopologyEnabled": bool(spec.hosts),
        "isDefaultQueryLimitIgnored": False,
    }


def external_id(provider: str, kind: str = "bizflow") -> str:
    """A stable id for the provider's object of this kind, within the API's length limit.

    The readable part keeps letters, digits, dots and dashes; the hash keeps two providers that only
    differ in other characters (or beyond the cut) apart.
    """
    readable = re.sub(r"[^A-Za-z0-9.-]+", "-", provider).strip("-") or "journey"
    digest = hashlib.sha256(provider.encode("utf-8")).hexdigest()[:12]
    prefix = f"bizflow-studio-{kind}-"
    room = MAX_EXTERNAL_ID_LENGTH - len(prefix) - len(digest) - 1
    return f"{prefix}{readable[:room].rstrip('-.')}-{digest}"


def bizflow_settings_payload(spec: JourneySpec, **options: Any) -> list[dict[str, Any]]:
    """The body of ``POST /api/v2/settings/objects`` that creates the journey's Business Flow."""
    return [
        {
            "schemaId": SCHEMA_ID,
            "scope": SCOPE,
            "externalId": external_id(spec.event_provider),
            "value": build_bizflow(spec, **options),
        }
    ]


def check_bizflow_limits(spec: JourneySpec) -> list[str]:
    """What keeps the Business Flow app from drawing this journey, one clear sentence each."""
    problems: list[str] = []
    if len(spec.steps) > MAX_NODES:
        problems.append(
            f"The journey has {len(spec.steps)} steps; a Business Flow shows at most {MAX_NODES}. "
            "Merge or remove steps."
        )
    for index, errors in enumerate(error_event_types(spec)):
        count = 1 + len(errors)
        if count > MAX_EVENTS_PER_STEP:
            problems.append(
                f"Step '{spec.steps[index].name}' has {count} events (its own and {len(errors)} error types); "
                f"a Business Flow step holds at most {MAX_EVENTS_PER_STEP}. Remove or merge errors on it."
            )
    branches: dict[int, int] = {}
    for source, target in step_links(spec):
        if source != target:
            branches[source] = branches.get(source, 0) + 1
    for source, count in sorted(branches.items()):
        if count > MAX_BRANCHES_PER_STEP:
            problems.append(
                f"Step '{spec.steps[source].name}' leads on to {count} steps (the optional steps after it can be "
                f"skipped); a Business Flow step has at most {MAX_BRANCHES_PER_STEP} branches. "
                "Make one of the optional steps after it mandatory."
            )
    return problems
