"""The Business Flow settings object of a journey, built from the journey itself.

The Business Flow app (app id ``dynatrace.biz.flow``) stores one Settings 2.0 object per flow under
the schema ``app:dynatrace.biz.flow:biz-flow-settings`` in scope ``environment``. We describe the
journey exactly as the generator sends it: one step per journey step (one per variant of a step with
variants), the step's own event type and every error type the step can end in (error rules and
incidents, on any step, the last included), and the connections a flow can take: step to step (from
every variant that does not end the journey to every variant of the next step), around optional
steps and back into looping ones.

Step ids are uuid5 of the provider and the event type, and the object's externalId is derived from
the provider, so pushing the same journey twice updates one object instead of adding a second.

Schema: https://docs.dynatrace.com/docs/dynatrace-api/environment-api/settings/schemas/app-dynatrace-biz-flow-biz-flow-settings
Plain Python: no Django import.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass
from typing import Any

from journeys.engine.spec import JourneySpec, Variant

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


@dataclass(frozen=True)
class Node:
    """One Business Flow step: a plain journey step, or one variant of a step with variants."""

    step: int
    variant: int | None
    name: str  # the step's name, or "<step>: <variant>"
    way: Variant  # what the generator runs there (a plain step as its one way)


def nodes(spec: JourneySpec) -> list[Node]:
    """The Business Flow's steps in order: each plain step, and each variant of a step with variants."""
    found = []
    for index, step in enumerate(spec.steps):
        if not step.variants:
            found.append(Node(index, None, step.name, step.ways()[0]))
        for number, variant in enumerate(step.variants):
            found.append(Node(index, number, f"{step.name}: {variant.name}", variant))
    return found


def node_error_types(spec: JourneySpec) -> list[list[str]]:
    """Per node, the error event types it can emit, in the order the generator numbers them.

    Error rules come first, then incidents; an incident that reuses an error rule's name emits the
    same event type, so it is listed once.
    """
    all_nodes = nodes(spec)
    position = {(node.step, node.variant): number for number, node in enumerate(all_nodes)}
    per_node: list[list[str]] = [[] for _ in all_nodes]
    names = [(rule.step, rule.variant, rule.name) for rule in spec.errors]
    names += [(incident.step, incident.variant, incident.error_name) for incident in spec.incidents]
    for index, variant, name in names:
        number = position[index, variant]
        event_type = f"{all_nodes[number].way.event_type}.{name}"
        if event_type not in per_node[number]:
            per_node[number].append(event_type)
    return per_node


def error_event_types(spec: JourneySpec) -> list[list[str]]:
    """Per journey step, the error event types it can emit (of all its variants, in node order)."""
    per_step: list[list[str]] = [[] for _ in spec.steps]
    for node, types in zip(nodes(spec), node_error_types(spec), strict=True):
        per_step[node.step] += types
    return per_step


def all_event_types(spec: JourneySpec) -> list[str]:
    """Every event type the journey can send: the steps' and variants' own, then the error types."""
    own = [node.way.event_type for node in nodes(spec)]
    return own + [t for types in error_event_types(spec) for t in types]


def has_revenue(spec: JourneySpec) -> bool:
    """True when some event actually carries the revenue field."""
    return spec.revenue is not None and any(node.way.carries_revenue for node in nodes(spec))


def kpi_node(spec: JourneySpec) -> Node | None:
    """The first node that carries revenue: its event type is the Business Flow's KPI event."""
    if not has_revenue(spec):
        return None
    return next(node for node in nodes(spec) if node.way.carries_revenue)


def kpi_step_index(spec: JourneySpec) -> int | None:
    """The journey step of the KPI node."""
    node = kpi_node(spec)
    return None if node is None else node.step


def kpi_event_type(spec: JourneySpec) -> str | None:
    node = kpi_node(spec)
    return None if node is None else node.way.event_type


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


def node_links(spec: JourneySpec) -> list[tuple[int, int]]:
    """(source, target) node numbers a flow can move along, in order.

    From every node that does not end the journey a flow goes on to every variant of the next step
    (past a run of optional steps, to each step it may land on); a looping node links to itself.
    """
    all_nodes = nodes(spec)
    of_step: list[list[int]] = [[] for _ in spec.steps]
    for number, node in enumerate(all_nodes):
        of_step[node.step].append(number)
    links: list[tuple[int, int]] = []
    for number, node in enumerate(all_nodes):
        if not node.way.ends_journey:
            for target in range(node.step + 1, len(spec.steps)):
                links += [(number, other) for other in of_step[target]]
                if not spec.steps[target].is_optional:
                    break
        if node.way.max_loops > 1:
            links.append((number, number))
    return links


def _step(spec: JourneySpec, node: Node, errors: list[str]) -> dict[str, Any]:
    provider = spec.event_provider
    event_type = node.way.event_type
    own = {
        "id": event_id(provider, event_type),
        "name": event_type,
        "provider": provider,
        "isError": False,
        "isDisabled": False,
    }
    failed = [
        {"id": event_id(provider, name), "name": name, "provider": provider, "isError": True, "isDisabled": False}
        for name in errors
    ]
    return {"name": node.name, "id": step_id(provider, event_type), "isRoot": node.step == 0, "events": [own, *failed]}


def _kpi_fields(spec: JourneySpec, kpi_unit: str) -> dict[str, Any]:
    node = kpi_node(spec)
    if node is None:
        return {"kpiLabel": "Revenue"}  # required; with no revenue field the app shows no value for it
    return {
        "kpiLabel": spec.revenue.label or "Revenue",
        "kpi": spec.revenue.field,
        "kpiEvent": {"name": node.way.event_type, "provider": spec.event_provider},
        "kpiUnit": kpi_unit,
        # A journey's revenue is one value repeated on each event carrying it: a looping KPI step
        # would count it once per repetition with "sum", so take the flow's first event instead.
        "kpiCalculation": "firstEvent" if node.way.max_loops > 1 else "sum",
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
    errors = node_error_types(spec)
    steps = [_step(spec, node, errors[number]) for number, node in enumerate(nodes(spec))]
    connections = []
    for source, target in node_links(spec):
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
    """What keeps the Business Flow app from drawing this journey, one clear sentence each.

    Every variant of a step is a Business Flow step, so the limits count variants.
    """
    problems: list[str] = []
    all_nodes = nodes(spec)
    if len(all_nodes) > MAX_NODES:
        what = (
            f"{len(all_nodes)} steps" if len(all_nodes) == len(spec.steps) else f"{len(all_nodes)} steps and variants"
        )
        problems.append(
            f"The journey has {what}; a Business Flow shows at most {MAX_NODES}. Merge or remove steps or variants."
        )
    for node, errors in zip(all_nodes, node_error_types(spec), strict=True):
        count = 1 + len(errors)
        if count > MAX_EVENTS_PER_STEP:
            problems.append(
                f"Step '{node.name}' has {count} events (its own and {len(errors)} error types); "
                f"a Business Flow step holds at most {MAX_EVENTS_PER_STEP}. Remove or merge errors on it."
            )
    branches: dict[int, int] = {}
    for source, target in node_links(spec):
        if source != target:
            branches[source] = branches.get(source, 0) + 1
    for source, count in sorted(branches.items()):
        if count > MAX_BRANCHES_PER_STEP:
            problems.append(
                f"Step '{all_nodes[source].name}' leads on to {count} steps (the variants of the next step, and the "
                f"optional steps after it can be skipped); a Business Flow step has at most {MAX_BRANCHES_PER_STEP} "
                "branches. Make one of the optional steps after it mandatory or offer fewer variants."
            )
    return problems
