"""Writes to decision settings: replace them from a settings document, choose where decision events go."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import transaction

from ..engine.decisionformat import decisions_from_dict
from ..engine.decisions import DecisionSpec
from ..models import DecisionSettings, Destination, Journey, JourneyDestination, Step, StepVariant
from ..selectors.journeys import journey_decision_ways, journey_to_spec
from .destinations import destination_attach, destination_detach
from .tenancy import audit_record

# What the decision settings page edits: every setting of the step.
EDITABLE_FIELDS = (
    "decision_service_id",
    "decision_service_name",
    "decision_service_version",
    "decision_operation",
    "decision_id",
    "deployment_space_id",
    "engine_api_version",
    "runtime_nodes",
    "execution_millis_min",
    "execution_millis_max",
    "rules",
    "incident_pct",
    "incident_category",
    "incident_stack_trace",
    "input_parameters",
    "output_approved",
    "output_rejected",
    "business_monitoring_enabled",
    "business_event_input_enabled",
    "business_event_output_enabled",
    "topic",
    "timestamp_unit",
)


def _row_fields(decision: DecisionSpec) -> dict[str, Any]:
    return {
        "decision_service_id": decision.decision_service_id,
        "decision_service_name": decision.decision_service_name,
        "decision_service_version": decision.decision_service_version,
        "decision_operation": decision.decision_operation,
        "decision_id": decision.decision_id,
        "deployment_space_id": decision.deployment_space_id,
        "engine_api_version": decision.engine_api_version,
        "runtime_nodes": [{"name": n.value, "weight": n.weight} for n in decision.runtime_nodes],
        "execution_millis_min": decision.execution_millis_min,
        "execution_millis_max": decision.execution_millis_max,
        "rules": [{"path": r.path, "pct": r.pct, "rejects": r.rejects} for r in decision.rules],
        "incident_pct": decision.incident_pct,
        "incident_category": decision.incident_category,
        "incident_stack_trace": decision.incident_stack_trace,
        "input_parameters": decision.input_parameters,
        "output_approved": decision.output_approved,
        "output_rejected": decision.output_rejected,
        "business_monitoring_enabled": decision.business_monitoring_enabled,
        "business_event_input_enabled": decision.business_event_input_enabled,
        "business_event_output_enabled": decision.business_event_output_enabled,
        "topic": decision.topic,
        "timestamp_unit": decision.timestamp_unit,
    }


def decisions_create(*, journey: Journey, decisions: Sequence[DecisionSpec]) -> list[DecisionSettings]:
    """Give a new journey's decisions their settings (``decisions`` index its steps, and the variant of a
    step with variants), e.g. those a journey file holds; the caller's transaction makes the journey and
    its settings one write."""
    steps = list(journey.steps.prefetch_related("variants"))
    rows = []
    for d in decisions:
        step = steps[d.step]
        variant = None if d.variant is None else list(step.variants.all())[d.variant]
        rows.append(DecisionSettings.objects.create(step=step, variant=variant, **_row_fields(d)))
    return rows


def decisions_kept_before_edit(*, journey: Journey) -> list[DecisionSettings]:
    """The journey's decision settings, read before its steps are written anew (which deletes them):
    hand them to :func:`decisions_restore_after_edit` once the new steps are there."""
    return list(DecisionSettings.objects.filter(step__journey=journey).select_related("step", "variant"))


def decisions_restore_after_edit(
    *, journey: Journey, kept: list[DecisionSettings], actor=None
) -> list[DecisionSettings]:
    """Give each of ``kept`` back to the journey's decision with the same event type, a step or a variant
    marked as a decision (so settings follow a decision step that became a variant, and back); drop the
    others, as for a decision deleted or no longer marked. A Kafka destination that then receives none of
    the journey's decision events is detached: it must not get the journey's own events instead."""
    ways = {way.event_type: way for way in journey_decision_ways(journey)}
    restored = []
    for settings in kept:
        way = ways.pop(settings.way.event_type, None)
        if way is None:
            continue
        settings.pk, settings.step, settings.variant = None, way.step, way.variant
        settings.save(force_insert=True)
        restored.append(settings)
    still_sent = {settings.destination_id for settings in restored}
    dropped = {settings.destination_id for settings in kept if settings.destination_id not in still_sent}
    for pair in JourneyDestination.objects.filter(journey=journey, destination_id__in=dropped - {None}):
        destination_detach(journey_destination=pair, actor=actor)
    return restored


@transaction.atomic
def decisions_replace_from_document(*, journey: Journey, document: Any) -> list[DecisionSettings]:
    """Replace the journey's decision settings with a decisions document's (see engine.decisionformat).

    Raises DecisionFileError, naming each key at fault, and then changes nothing.
    """
    decisions = decisions_from_dict(document, journey_to_spec(journey))
    DecisionSettings.objects.filter(step__journey=journey).delete()
    return decisions_create(journey=journey, decisions=decisions)


@transaction.atomic
def decision_destination_set(
    *, settings: DecisionSettings, destination: Destination | None, now: datetime | None = None, actor=None
) -> DecisionSettings:
    """Send a decision step's events to ``destination`` (a Kafka destination of the journey's tenant),
    or stop sending them (None). The journey then delivers to that destination like to any other:
    with its own cursor and runs, and the backfill of a first activation."""
    journey = settings.step.journey
    previous = settings.destination
    if destination is not None:
        if destination.kind != "kafka":
            raise ValueError("decision events go to a Kafka destination")
        if destination.tenant_id != journey.tenant_id:
            raise ValueError("a journey can only deliver to its own tenant's destinations")
        shared = DecisionSettings.objects.filter(step__journey=journey, destination=destination).exists()
        if not shared and journey.deliveries.filter(destination=destination, active=True).exists():
            raise ValueError(
                f"'{destination.name}' already receives this journey's events: "
                "decision events need a destination of their own"
            )
    settings.destination = destination
    settings.save(update_fields=["destination"])
    if destination is not None:
        destination_attach(journey=journey, destination=destination, now=now, actor=actor)
    if previous is not None and previous != destination:
        if not DecisionSettings.objects.filter(step__journey=journey, destination=previous).exists():
            for pair in JourneyDestination.objects.filter(journey=journey, destination=previous):
                destination_detach(journey_destination=pair, actor=actor)
    return settings


@transaction.atomic
def decision_settings_save(
    *, step: Step, variant: StepVariant | None = None, values: dict[str, Any], destination: Destination | None, actor
) -> DecisionSettings:
    """Create or update the settings of a decision step, or of ``variant`` (a variant of ``step`` marked
    as a decision), from the settings page (``values``: EDITABLE_FIELDS), and send its events to
    ``destination`` (None: nowhere). Raises ValueError for a destination that cannot take them (see
    decision_destination_set), changing nothing."""
    if variant is not None:
        if variant.step_id != step.pk:
            raise ValueError(f"variant '{variant.name}' is not a variant of step '{step.name}'")
        if not variant.is_decision:
            raise ValueError(f"variant '{variant.name}' of step '{step.name}' is not marked as a decision")
    elif not step.is_decision or step.variants.exists():
        raise ValueError(f"step '{step.name}' is not marked as a decision")
    settings = DecisionSettings.objects.filter(step=step, variant=variant).first()
    settings = settings or DecisionSettings(step=step, variant=variant)
    for name in EDITABLE_FIELDS:
        setattr(settings, name, values[name])
    settings.save()
    if settings.destination_id != (destination.pk if destination else None):
        decision_destination_set(settings=settings, destination=destination, actor=actor)
    journey = step.journey
    details = {"step": step.name} if variant is None else {"step": step.name, "variant": variant.name}
    audit_record(actor=actor, tenant=journey.tenant, action="decision.updated", target=journey, details=details)
    return settings
