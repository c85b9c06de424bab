"""Decision events on a variant marked as a decision, as on a plain decision step."""

from collections import Counter
from dataclasses import replace

import pytest

from journeys.engine.compiled import compile_journey
from journeys.engine.decision_stream import DecisionStream
from journeys.engine.decisions import decision_type_codes, sample_decision_event, validate_decision
from journeys.engine.generator import generate_columns, generate_dicts
from journeys.engine.spec import Step, Variant

from .helpers import DAY
from .test_decisions import loan_decision, loan_journey

END = DAY.replace(day=DAY.day + 1)


def branching_loan():
    """The loan journey whose decision step has an automated and a manual way; the automated one is the
    decision, and a manual refusal ends the journey there."""
    steps = list(loan_journey().steps)
    steps[3] = Step(
        "Loan decision",
        "",
        variants=(
            Variant(
                "Automated", "loan.decided", weight=70, min_delay_hours=0.001, max_delay_hours=0.01, is_decision=True
            ),
            Variant("Manual", "loan.reviewed", weight=30, min_delay_hours=1, max_delay_hours=4),
        ),
    )
    return replace(loan_journey(), steps=tuple(steps), journeys_per_day=5000)


def test_it_needs_the_decision_to_name_a_variant_marked_as_a_decision():
    spec = branching_loan()
    assert [str(e) for e in validate_decision(spec, loan_decision())] == [
        "step: step 'Loan decision' has variants: name one"
    ]
    assert [str(e) for e in validate_decision(spec, loan_decision(variant=1))] == [
        "step: step 'Manual' is not marked as a decision"
    ]
    assert validate_decision(spec, loan_decision(variant=0)) == []


def test_it_reports_one_execution_per_event_of_the_decision_variant_only():
    spec = branching_loan()
    compiled = compile_journey(spec)
    decision = loan_decision(variant=0)
    assert [compiled.type_names[c] for c in decision_type_codes(compiled, decision)] == ["loan.decided"]
    stream = DecisionStream(compiled, [decision])
    events = Counter(e["event.type"] for e in generate_dicts(compiled, DAY, END))
    executions = sum(len(batch) for batch in stream.batches(DAY, END))
    assert executions == events["loan.decided"] > 1000 and events["loan.reviewed"] > 300


@pytest.mark.parametrize("ends", [False, True])
def test_it_rejects_when_the_journey_ends_at_the_decision_variant(ends):
    spec = branching_loan()
    steps = list(spec.steps)
    automated = replace(steps[3].variants[0], ends_journey=ends)
    steps[3] = replace(steps[3], variants=(automated, steps[3].variants[1]))
    spec = replace(spec, steps=tuple(steps))
    compiled = compile_journey(spec)
    stream = DecisionStream(compiled, [loan_decision(variant=0)])
    outcomes = Counter()
    for cols in generate_columns(compiled, DAY, END):
        selected = stream.select(cols)
        for last, event in zip(selected.is_last.tolist(), stream.encode(cols).to_dicts(), strict=True):
            rejected = event["data"]["outputParameters"].startswith("REJECTED(")
            assert rejected == last  # the journey ended at the decision while mandatory steps followed
            outcomes[rejected] += 1
    assert outcomes[True] > 0 and (outcomes[False] == 0) == ends


def test_it_samples_a_decision_event_of_the_variant():
    spec = branching_loan()
    event = sample_decision_event(spec, loan_decision(variant=0), at_ms=int(DAY.timestamp() * 1000))
    assert event["data"]["outputParameters"] == "APPROVED"
