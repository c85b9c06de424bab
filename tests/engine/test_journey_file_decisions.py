"""A journey file holds each decision step's settings under the step (``decision_settings``)."""

import json
from dataclasses import replace

import pytest

from journeys.engine.decisions import DecisionSpec, Rule, generate_decisions, validate_decision
from journeys.engine.errors import JourneyImportError
from journeys.engine.importing import read_journey_text
from journeys.engine.jsonformat import JourneyDocument, document_to_dict, dumps_document, loads_document

from .helpers import EXAMPLES

LOAN = EXAMPLES / "loan-validation.json"


def loan_file() -> dict:
    return json.loads(LOAN.read_text())


def test_it_reads_the_loan_examples_decision_settings_from_its_decision_step():
    document = loads_document(LOAN.read_text())

    [decision] = document.decisions
    assert decision.step == 3 and document.spec.steps[3].event_type == "loan.decided"
    assert (
        decision.decision_service_id == "samples.LoanValidation" and decision.deployment_space_id == "test_environment"
    )
    assert [n.value for n in decision.runtime_nodes] == [f"worker{i}.mycluster.mycompany.com" for i in range(3)]
    assert decision.input_parameters == {"customer": {"age": 1, "name": "<name>"}, "ageLimit": 1}
    assert (
        decision.output_approved == "PASSED(mySimple02CustomerDecision)" and decision.output_rejected == "FAILED($rule)"
    )
    assert len(decision.rules) == 17 and validate_decision(document.spec, decision) == []


def test_it_writes_them_back_so_the_file_reads_the_same_and_gives_the_same_events():
    document = loads_document(LOAN.read_text())

    again = loads_document(dumps_document(document))

    assert again == document
    assert dumps_document(document) == LOAN.read_text()  # the example is written as an export writes it
    [decision] = again.decisions
    day = (1_772_409_600_000, 1_772_496_000_000)
    first = b"".join(b.data for b in generate_decisions(document.spec, document.decisions[0], *day))
    second = b"".join(b.data for b in generate_decisions(again.spec, decision, *day))
    assert first == second and first.count(b"\n") > 500


def test_a_journey_without_decision_settings_is_written_without_the_key():
    document = loads_document(LOAN.read_text())

    data = document_to_dict(replace(document, decisions=()))

    assert all("decision_settings" not in step for step in data["steps"])
    assert loads_document(json.dumps(data)).decisions == ()


def test_it_keeps_the_settings_when_an_import_overrides_the_volume():
    document = read_journey_text(LOAN.read_text(), journeys_per_day=50)

    assert document.spec.journeys_per_day == 50 and len(document.decisions) == 1


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        (
            lambda s: s[3]["decision_settings"]["rules"][0].update(pct="all"),
            "steps[3].decision_settings.rules[0].pct",
            "number",
        ),
        (
            lambda s: s[3]["decision_settings"].pop("decision_operation"),
            "steps[3].decision_settings.decision_operation",
            "missing",
        ),
        (
            lambda s: s[3]["decision_settings"].update(colour="red"),
            "steps[3].decision_settings.colour",
            "not a known key",
        ),
        (
            lambda s: s[3]["decision_settings"].update(step="loan.decided"),
            "steps[3].decision_settings.step",
            "not a known key",
        ),
        (
            lambda s: s[3]["decision_settings"]["output_parameters"].update(rejected="NO($reason)"),
            "steps[3].decision_settings.output_rejected",
            "unknown placeholder $reason",
        ),
        (
            lambda s: s[0].update(decision_settings=s[3]["decision_settings"]),
            "steps[0].decision_settings",
            'only a step marked "decision": true',
        ),
    ],
)
def test_it_names_the_key_at_fault_in_a_steps_decision_settings(change, path, message):
    data = loan_file()
    change(data["steps"])

    with pytest.raises(JourneyImportError) as failure:
        loads_document(json.dumps(data))

    assert any(e.path == path and message in e.message for e in failure.value.errors), failure.value.errors


def test_validation_refuses_placeholders_a_template_cannot_take():
    document = loads_document(LOAN.read_text())
    decision: DecisionSpec = replace(
        document.decisions[0],
        input_parameters={"id": "$correlation", "why": "$outcome", "$segment": "keys are never replaced"},
        rules=(Rule("/a"),),
    )

    [problem] = validate_decision(document.spec, decision)

    assert problem.path == "input_parameters" and "unknown placeholder $outcome" in problem.message
    assert isinstance(JourneyDocument(document.spec, "", (decision,)), JourneyDocument)
