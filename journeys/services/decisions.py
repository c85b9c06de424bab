"""Writes to decision settings: replace a journey's decision settings from a settings document."""

from typing import Any

from django.db import transaction

from ..engine.decisionformat import decisions_from_dict
from ..engine.decisions import DecisionSpec
from ..models import DecisionSettings, Journey
from ..selectors import journey_to_spec


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


@transaction.atomic
def decisions_replace_from_document(*, journey: Journey, document: Any) -> list[DecisionSettings]:
    """Replace the journey's decision settings with a decisions document's (see engine.decisionformat).

    Raises DecisionFileError, naming each key at fault, and then changes nothing.
    """
    decisions = decisions_from_dict(document, journey_to_spec(journey))
    steps = list(journey.steps.all())
    DecisionSettings.objects.filter(step__journey=journey).delete()
    return [DecisionSettings.objects.create(step=steps[d.step], **_row_fields(d)) for d in decisions]
