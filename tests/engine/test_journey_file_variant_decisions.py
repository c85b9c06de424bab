"""A journey file holds a decision variant's settings under that variant (``decision_settings``)."""

import json

import pytest

from journeys.engine.decisionformat import DecisionFileError, decisions_from_dict
from journeys.engine.errors import JourneyImportError
from journeys.engine.jsonformat import JourneyDocument, document_to_dict, dumps_document, loads_document

from .test_decisions import loan_decision
from .test_decisions_variants import branching_loan

VARIANT_DECISION = loan_decision(variant=0, topic="bai-loans", incident_pct=2.5)


def document_dict() -> dict:
    return document_to_dict(JourneyDocument(branching_loan(), "Loans with a manual way.", (VARIANT_DECISION,)))


def test_it_writes_a_variants_settings_under_the_variant_and_reads_them_back():
    document = JourneyDocument(branching_loan(), "Loans with a manual way.", (VARIANT_DECISION,))

    text = dumps_document(document)
    data = json.loads(text)
    back = loads_document(text)

    automated, manual = data["steps"][3]["variants"]
    assert automated["decision"] is True and automated["decision_settings"]["decision_operation"] == "approveLoan"
    assert automated["decision_settings"]["topic"] == "bai-loans"
    assert "decision_settings" not in manual and "decision_settings" not in data["steps"][3]
    assert back == document
    assert back.decisions[0].variant == 0 and back.decisions[0].step == 3
    assert dumps_document(back) == text  # exporting what was imported gives the same bytes


def test_it_reads_a_plain_decision_step_and_a_decision_variant_in_one_file():
    data = document_dict()
    data["steps"][1]["decision"] = True
    data["steps"][1]["decision_settings"] = {**data["steps"][3]["variants"][0]["decision_settings"], "topic": "ids"}

    decisions = loads_document(json.dumps(data)).decisions

    assert [(d.step, d.variant, d.topic) for d in decisions] == [(1, None, "ids"), (3, 0, "bai-loans")]


def refused(data: dict) -> list[str]:
    with pytest.raises(JourneyImportError) as failure:
        loads_document(json.dumps(data))
    return [str(error) for error in failure.value.errors]


def test_it_refuses_settings_on_a_variant_not_marked_as_a_decision_naming_the_path():
    data = document_dict()
    data["steps"][3]["variants"][1]["decision_settings"] = data["steps"][3]["variants"][0]["decision_settings"]

    assert refused(data) == [
        'steps[3].variants[1].decision_settings: only a variant marked "decision": true can hold decision settings'
    ]


def test_it_refuses_settings_on_a_step_with_variants_and_says_where_they_go():
    data = document_dict()
    data["steps"][3]["decision_settings"] = data["steps"][3]["variants"][0].pop("decision_settings")

    assert refused(data) == [
        "steps[3].decision_settings: a step with variants holds decision settings on its variant marked as a decision"
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s["rules"][0].update(pct="often"), "steps[3].variants[0].decision_settings.rules[0].pct: must be"),
        (lambda s: s.pop("decision_operation"), "steps[3].variants[0].decision_settings.decision_operation: is"),
        (lambda s: s.update(colour="red"), "steps[3].variants[0].decision_settings.colour: is not a known key"),
        (lambda s: s.update(topic="no spaces"), "steps[3].variants[0].decision_settings.topic: must use only"),
    ],
)
def test_it_names_the_key_at_fault_in_a_variants_settings(change, message):
    data = document_dict()
    change(data["steps"][3]["variants"][0]["decision_settings"])

    [error] = refused(data)

    assert error.startswith(message)


def test_a_decisions_document_names_a_variant_by_its_event_type():
    settings = document_dict()["steps"][3]["variants"][0]["decision_settings"]
    document = {"format": "bizflow-studio/decisions", "version": 1, "decisions": [{"step": "loan.decided", **settings}]}

    [decision] = decisions_from_dict(document, branching_loan())

    assert decision == VARIANT_DECISION
    with pytest.raises(DecisionFileError) as failure:
        decisions_from_dict({**document, "decisions": [{"step": "loan.reviewed", **settings}]}, branching_loan())
    assert str(failure.value.errors[0]) == "decisions[0].step: step 'Manual' is not marked as a decision"
