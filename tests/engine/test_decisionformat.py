"""Reading and writing the decision settings file."""

import json

import pytest

from journeys.engine.decisionformat import DecisionFileError, decisions_from_dict, decisions_to_dict
from journeys.engine.decisions import DEFAULT_TOPIC
from journeys.engine.spec import JourneySpec, Step

from .helpers import loan_decisions_document


def journey() -> JourneySpec:
    return JourneySpec(
        name="Loans",
        event_provider="quickloan.lending",
        correlation_field="loan.id",
        steps=(
            Step("Loan requested", "loan.requested"),
            Step("Loan decision", "loan.decided", is_decision=True),
            Step("Offer accepted", "offer.accepted"),
        ),
    )


def minimal(**decision) -> dict:
    entry = {
        "step": "loan.decided",
        "decision_service_id": "lending.Approval",
        "decision_service_name": "Approval",
        "decision_service_version": "1.0.0",
        "decision_operation": "approve",
        **decision,
    }
    return {"format": "bizflow-studio/decisions", "version": 1, "decisions": [entry]}


def test_it_reads_the_shipped_example():
    [decision] = decisions_from_dict(loan_decisions_document(), journey())

    assert decision.step == 1 and decision.decision_operation == "LoanValidation"
    assert len(decision.rules) == 17 and sum(r.rejects for r in decision.rules) == 9
    assert decision.topic == "icp4ba-bai-ads-ingress"
    assert decision.input_parameters == {"customer": {"age": 1, "name": "<name>"}, "ageLimit": 1}


def test_it_fills_defaults_for_what_a_minimal_file_leaves_out():
    [decision] = decisions_from_dict(minimal(), journey())

    assert decision.topic == DEFAULT_TOPIC and decision.timestamp_unit == "ms"
    assert decision.business_monitoring_enabled and decision.business_event_input_enabled
    assert decision.input_parameters is None and decision.rules == ()


def test_it_writes_what_it_reads():
    spec = journey()
    decisions = decisions_from_dict(loan_decisions_document(), spec)

    again = decisions_from_dict(json.loads(json.dumps(decisions_to_dict(spec, decisions))), spec)

    assert again == decisions


def test_it_reads_the_metadata_switches_by_their_ibm_names():
    document = minimal(metadata={"businessMonitoringEnabled": False, "businessEventOutputEnabled": False})

    [decision] = decisions_from_dict(document, journey())

    assert not decision.business_monitoring_enabled and not decision.business_event_output_enabled
    assert decision.business_event_input_enabled


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        ({"step": "offer.made"}, "decisions[0].step", "not the event type"),
        ({"rules": [{"path": "/a", "pct": "often"}]}, "decisions[0].rules[0].pct", "must be a number"),
        ({"execution_millis": {"min": 1.5, "max": 3}}, "decisions[0].execution_millis.min", "whole number"),
        ({"metadata": {"businessMonitoring": False}}, "decisions[0].metadata.businessMonitoring", "not a known key"),
        ({"colour": "blue"}, "decisions[0].colour", "not a known key"),
        ({"runtime_nodes": [{"weight": 1}]}, "decisions[0].runtime_nodes[0].name", "is missing"),
        ({"timestamp_unit": "ns"}, "decisions[0].timestamp_unit", "'ms'"),
    ],
)
def test_it_names_the_key_at_fault(change, path, message):
    with pytest.raises(DecisionFileError) as failure:
        decisions_from_dict(minimal(**change), journey())

    assert failure.value.errors[0].path == path
    assert message in failure.value.errors[0].message


def test_it_refuses_a_step_that_is_not_a_decision_and_a_step_described_twice():
    document = minimal()
    document["decisions"].append({**document["decisions"][0]})
    document["decisions"].append({**document["decisions"][0], "step": "offer.accepted"})

    with pytest.raises(DecisionFileError) as failure:
        decisions_from_dict(document, journey())

    assert [e.path for e in failure.value.errors] == ["decisions[1].step", "decisions[2].step"]
    assert "already has decision settings" in failure.value.errors[0].message


def test_it_refuses_another_format():
    with pytest.raises(DecisionFileError, match="format: must be 'bizflow-studio/decisions'"):
        decisions_from_dict({**minimal(), "format": "bizflow-studio/journey"}, journey())
