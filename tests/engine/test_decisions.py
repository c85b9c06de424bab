"""Decision execution events generated from a journey's decision step."""

import json
import re
import uuid
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from journeys.engine.compiled import compile_journey
from journeys.engine.decisionformat import decisions_from_dict
from journeys.engine.decisions import (
    KEY_ORDER,
    DecisionBatch,
    DecisionSpec,
    Rule,
    decision_batches,
    default_decision_id,
    generate_decision_dicts,
    generate_decisions,
    sample_decision_event,
    sample_decision_json,
    validate_decision,
)
from journeys.engine.encode import regroup
from journeys.engine.generator import generate_columns, generate_dicts
from journeys.engine.spec import ErrorRule, JourneySpec, Revenue, Step, Weighted, validate

from .helpers import loan_decisions_document

EXAMPLES = Path(__file__).resolve().parents[2] / "journeys" / "examples"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
DAY = (datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 3, 3, tzinfo=UTC))

# IBM's documented example of a decision execution event, as published.
SEED_EXAMPLE = json.loads("""{
   "decisionId":"/samples/LoanValidation/LoanValidationDecisionService/3.1.2/LoanValidationDecisionService-3.1.2.jar",
   "decisionOperation":"LoanValidation",
   "decisionServiceId":"samples.LoanValidation",
   "decisionServiceName":"LoanValidation",
   "decisionServiceVersion":"3.1.2",
   "deploymentSpaceId":"test_environment",
   "engineApiVersion":"<decision_engine_api_version_number>",
   "data":{
      "inputParameters":{"customer":{"age":1, "name":"<name>"}, "ageLimit":1},
      "outputParameters":"PASSED(mySimple02CustomerDecision)"
   },
   "executedRules":[
      "/LoanValidation/Duration/duration",
      "/LoanValidation/Bankruptcy Score/bankruptcy score",
      "/LoanValidation/Salary Score/salary score",
      "/LoanValidation/Yearly interest rate/yearly interest rate",
      "/LoanValidation/Corporate Score/corporate score",
      "/LoanValidation/Repayment/repayment",
      "/LoanValidation/Grade/grade",
      "/LoanValidation/Insurance/insurance"
   ],
   "executionId":"b4707973-ee80-45cc-bff4-86e3f2b79432",
   "executionMillis":3,
   "executionSuccess":true,
   "incidentCategory":null,
   "incidentId":null,
   "incidentStackTrace":null,
   "nonExecutedRules":[
      "/LoanValidation/Approval/bad score",
      "/LoanValidation/Approval/risky grade",
      "/LoanValidation/Approval/too big Debt to Income ratio",
      "/LoanValidation/Approval/age not valid",
      "/LoanValidation/Approval/no name",
      "/LoanValidation/Approval/wrong SSN",
      "/LoanValidation/Approval/wrong SSN format",
      "/LoanValidation/Approval/wrong zip format",
      "/LoanValidation/Approval/max amount exceeded"
   ],
   "runtimeNodeName":"worker0.mycluster.mycompany.com",
   "timestamp":1605602384767
}""")


def loan_journey(**fields) -> JourneySpec:
    """The steps and attributes of journeys/examples/loan-validation.json."""
    steps = (
        Step("Loan requested", "loan.requested", carries_location=True, carries_segment=True, carries_revenue=True),
        Step("Identity verified", "identity.verified", drop_off_pct=3, min_delay_hours=0.01, max_delay_hours=0.1),
        Step("Credit scored", "credit.scored", drop_off_pct=1, min_delay_hours=0.01, max_delay_hours=0.05),
        Step("Loan decision", "loan.decided", min_delay_hours=0.001, max_delay_hours=0.01, is_decision=True),
        Step("Offer accepted", "offer.accepted", drop_off_pct=20, min_delay_hours=0.05, max_delay_hours=24),
        Step("Funds disbursed", "funds.disbursed", drop_off_pct=0.5, min_delay_hours=1, max_delay_hours=4),
    )
    spec = JourneySpec(
        name="[LENDING] Personal loan validation",
        event_provider="quickloan.lending",
        correlation_field="loan.id",
        steps=steps,
        timezone="Europe/London",
        seed=73319,
        journeys_per_day=900,
        errors=(ErrorRule("identity.mismatch", 1, 2),),
        locations=(Weighted("London", 24), Weighted("Manchester", 14), Weighted("Leeds", 10)),
        segment_field="credit.band",
        segments=(Weighted("excellent", 20), Weighted("good", 40), Weighted("fair", 28), Weighted("poor", 12)),
        revenue=Revenue("loan.amount", 1000, 25000, "Loan volume"),
        hosts=(Weighted("HOST-4B8D2F0A6C9E1735", 50), Weighted("HOST-F3C7A1E5092D8B46", 50)),
    )
    spec = replace(spec, **fields)
    assert validate(spec) == []
    return spec


def loan_decision(**fields) -> DecisionSpec:
    decision = DecisionSpec(
        step=3,
        decision_service_id="lending.LoanApproval",
        decision_service_name="LoanApproval",
        decision_service_version="2.0.1",
        decision_operation="approveLoan",
        rules=(
            Rule("/LoanApproval/Score/score"),
            Rule("/LoanApproval/Insurance/insurance", 50),
            Rule("/LoanApproval/Approval/bad score", 3, rejects=True),
            Rule("/LoanApproval/Approval/risky grade", 1, rejects=True),
        ),
    )
    return replace(decision, **fields)


def example_decision(journey: JourneySpec | None = None) -> DecisionSpec:
    document = loan_decisions_document()
    [decision] = decisions_from_dict(document, journey or loan_journey())
    return decision


def example_journey_file() -> JourneySpec:
    """journeys/examples/loan-validation.json, read by the journey file reader once it is there."""
    jsonformat = pytest.importorskip("journeys.engine.jsonformat", reason="the journey file reader is not merged yet")
    path = EXAMPLES / "loan-validation.json"
    if not path.exists():
        pytest.skip("journeys/examples/loan-validation.json is not merged yet")
    return jsonformat.loads(path.read_text())


@pytest.mark.parametrize("source", ["steps as in the example", "the example journey file"])
def test_it_reproduces_the_documented_example_event_from_the_loan_validation_example(source):
    journey = loan_journey() if source == "steps as in the example" else example_journey_file()
    decisions = list(generate_decision_dicts(journey, example_decision(journey), *DAY))
    approvals = [
        d for d in decisions if d["executionSuccess"] and d["runtimeNodeName"] == SEED_EXAMPLE["runtimeNodeName"]
    ]
    approvals = [d for d in approvals if d["data"]["outputParameters"] == SEED_EXAMPLE["data"]["outputParameters"]]

    event = approvals[0]
    assert list(event) == list(SEED_EXAMPLE) == list(KEY_ORDER)
    assert list(event["data"]) == ["inputParameters", "outputParameters"]
    drawn = {"executionId", "executionMillis", "timestamp"}
    assert {k: v for k, v in event.items() if k not in drawn} == {
        k: v for k, v in SEED_EXAMPLE.items() if k not in drawn
    }
    assert {k: type(v) for k, v in event.items()} == {k: type(v) for k, v in SEED_EXAMPLE.items()}
    assert UUID.match(event["executionId"])
    assert 1 <= event["executionMillis"] <= 12
    assert DAY[0].timestamp() * 1000 <= event["timestamp"] < DAY[1].timestamp() * 1000


def test_it_builds_the_documented_decision_id_from_the_service():
    built = default_decision_id("samples.LoanValidation", "LoanValidation", "3.1.2")

    assert built == SEED_EXAMPLE["decisionId"]


def test_it_emits_one_decision_event_per_execution_loops_included():
    spec = loan_journey(steps=tuple(replace(s, max_loops=3) if s.is_decision else s for s in loan_journey().steps))
    executions = sum(1 for e in generate_dicts(spec, *DAY) if e["event.type"].startswith("loan.decided"))

    decisions = list(generate_decision_dicts(spec, loan_decision(), *DAY))

    assert executions > 500
    assert len(decisions) == executions
    assert len({d["executionId"] for d in decisions}) == executions


def test_it_gives_the_same_bytes_whichever_way_the_range_is_split():
    spec, decision = loan_journey(journeys_per_day=20_000), loan_decision(incident_pct=5)
    middle = datetime(2026, 3, 2, 13, 7, 11, tzinfo=UTC)

    whole = b"".join(b.data for b in generate_decisions(spec, decision, *DAY))
    halves = b"".join(b.data for b in generate_decisions(spec, decision, DAY[0], middle)) + b"".join(
        b.data for b in generate_decisions(spec, decision, middle, DAY[1], DAY[0])
    )

    assert whole == halves
    assert whole.count(b"\n") > 10_000


def _decided(spec: JourneySpec):
    """The journey's decision-step events and the decision batch made from the same columns."""
    compiled = compile_journey(spec)
    columns = generate_columns(compiled, *DAY)
    for cols in columns:
        [batch] = decision_batches(compiled, [loan_decision()], cols)
        mask = compiled.type_step[cols.type_code] == 3
        yield cols.take(mask), compiled.type_is_error[cols.type_code[mask]], batch


def test_it_rejects_exactly_when_the_journey_ends_at_the_decision():
    spec = loan_journey(errors=(ErrorRule("manual.review", 3, 10),))
    outcomes = Counter()
    for cols, is_error, batch in _decided(spec):
        for ended, error, event in zip(cols.is_last.tolist(), is_error.tolist(), batch.to_dicts(), strict=True):
            output = event["data"]["outputParameters"]
            assert output.startswith("REJECTED(") == (ended or error)
            outcomes[output] += 1

    assert outcomes["APPROVED"] > 0
    assert outcomes["REJECTED(bad score)"] > outcomes["REJECTED(risky grade)"] > 0


def test_it_approves_when_only_optional_steps_follow_the_decision():
    steps = loan_journey().steps
    spec = loan_journey(steps=steps[:4] + (replace(steps[4], optional_pct=10), replace(steps[5], optional_pct=10)))

    outputs = {d["data"]["outputParameters"] for d in generate_decision_dicts(spec, loan_decision(), *DAY)}

    assert outputs == {"APPROVED"}


def test_it_fills_the_default_input_from_the_journeys_attributes():
    for cols, _, batch in _decided(loan_journey()):
        events = batch.to_dicts()
        first = events[0]["data"]["inputParameters"]
        assert list(first) == ["loan.id", "location", "credit.band", "loan.amount"]
        for i, event in enumerate(events):
            inputs = event["data"]["inputParameters"]
            assert inputs["loan.id"] == str(uuid.UUID(bytes=bytes(cols.correlation[i])))
            assert inputs["loan.amount"] == int(cols.revenue_cents[i]) // 100
        break


def test_it_writes_the_metadata_switches_as_documented():
    spec = loan_journey()
    base = list(generate_decision_dicts(spec, loan_decision(), *DAY))

    silent = list(generate_decision_dicts(spec, loan_decision(business_monitoring_enabled=False), *DAY))
    no_input = list(generate_decision_dicts(spec, loan_decision(business_event_input_enabled=False), *DAY))
    no_output = list(generate_decision_dicts(spec, loan_decision(business_event_output_enabled=False), *DAY))

    assert base and silent == []
    assert [d["data"] for d in no_input] == [{"outputParameters": d["data"]["outputParameters"]} for d in base]
    assert [d["data"] for d in no_output] == [{"inputParameters": d["data"]["inputParameters"]} for d in base]
    assert [{**d, "data": None} for d in no_input] == [{**d, "data": None} for d in base]


def test_it_writes_the_timestamp_in_seconds_when_asked():
    in_ms = list(generate_decision_dicts(loan_journey(), loan_decision(), *DAY))
    in_s = list(generate_decision_dicts(loan_journey(), loan_decision(timestamp_unit="s"), *DAY))

    assert [d["timestamp"] // 1000 for d in in_ms] == [d["timestamp"] for d in in_s]


def test_it_reports_incidents_with_an_id_a_category_and_a_stack_trace():
    decision = loan_decision(incident_pct=100, incident_category="Runtime", incident_stack_trace="boom in $executionId")

    events = list(generate_decision_dicts(loan_journey(), decision, *DAY))

    assert events and all(not e["executionSuccess"] for e in events)
    assert all(e["incidentCategory"] == "Runtime" and UUID.match(e["incidentId"]) for e in events)
    assert all(e["incidentStackTrace"] == f"boom in {e['executionId']}" for e in events)
    assert all("outputParameters" not in e["data"] for e in events)
    assert not any("/LoanApproval/Approval/bad score" in e["executedRules"] for e in events)


def test_it_fires_rules_at_their_probability_and_lists_the_others_as_not_executed():
    events = list(generate_decision_dicts(loan_journey(journeys_per_day=5000), loan_decision(), *DAY))
    fired = Counter(rule for e in events for rule in e["executedRules"])

    assert fired["/LoanApproval/Score/score"] == len(events)
    assert abs(fired["/LoanApproval/Insurance/insurance"] / len(events) - 0.5) < 0.03
    for event in events:
        assert sorted(event["executedRules"] + event["nonExecutedRules"]) == sorted(
            r.path for r in loan_decision().rules
        )


def test_it_spreads_executions_over_runtime_nodes_by_weight_and_duration_range():
    nodes = (Weighted("node-a", 3), Weighted("node-b", 1))
    decision = loan_decision(runtime_nodes=nodes, execution_millis_min=5, execution_millis_max=9)

    events = list(generate_decision_dicts(loan_journey(journeys_per_day=5000), decision, *DAY))
    share_a = sum(e["runtimeNodeName"] == "node-a" for e in events) / len(events)

    assert abs(share_a - 0.75) < 0.03
    assert {e["executionMillis"] for e in events} == {5, 6, 7, 8, 9}


def test_it_substitutes_placeholders_whole_or_inside_text():
    decision = loan_decision(
        input_parameters={"case": {"id": "$correlation", "amount": "$revenue", "where": "in $location"}, "$segment": 1},
        output_approved={"approved": True, "outcome": "$outcome"},
    )

    event = next(generate_decision_dicts(loan_journey(), decision, *DAY))

    inputs = event["data"]["inputParameters"]
    assert UUID.match(inputs["case"]["id"]) and isinstance(inputs["case"]["amount"], int)
    assert inputs["case"]["where"].startswith("in ") and inputs["$segment"] == 1
    assert event["data"]["outputParameters"] in ({"approved": True, "outcome": "approved"}, "REJECTED(bad score)")


def test_it_keeps_the_key_columns_aligned_when_a_batch_is_sliced_or_joined():
    batch = DecisionBatch.concat(list(generate_decisions(loan_journey(), loan_decision(), *DAY)))
    ids = [d["executionId"].encode() for d in batch.to_dicts()]

    part = batch.slice(2, 5)
    joined = DecisionBatch.concat([batch.slice(0, 2), part])

    assert part.key_ids("event_id") == ids[2:5]
    assert joined.key_ids("event_id") == ids[:5]
    assert [len(k) for k in joined.key_ids("correlation")] == [36] * 5
    assert np.array_equal(joined.ts_ms, batch.ts_ms[:5])


def test_it_keeps_every_id_column_when_many_decision_batches_are_regrouped():
    generated = list(generate_decisions(loan_journey(), loan_decision(), *DAY))
    empty = DecisionBatch.concat([])
    batches = [empty] + [b for batch in generated for b in (batch, empty)]

    joined = list(regroup(batches, 10 * max(len(b) for b in generated)))

    events = [d for batch in generated for d in batch.to_dicts()]
    assert len(generated) > 20 and 1 < len(joined) < len(generated)
    assert all(isinstance(batch, DecisionBatch) for batch in joined)
    keys = [k for batch in joined for k in batch.key_ids("event_id")]
    correlations = [k for batch in joined for k in batch.key_ids("correlation")]
    assert keys == [d["executionId"].encode() for d in events]
    assert correlations == [d["data"]["inputParameters"]["loan.id"].encode() for d in events]


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        ({"step": 2}, "step", "not marked as a decision"),
        ({"execution_millis_min": 50}, "execution_millis_min", "above the maximum"),
        ({"rules": (Rule("/a", 120),)}, "rules[0].pct", "percentage"),
        ({"rules": (Rule("/a"), Rule("/a"))}, "rules[1].path", "listed twice"),
        ({"timestamp_unit": "us"}, "timestamp_unit", "'ms'"),
        ({"topic": "decisions/loans"}, "topic", "letters, digits"),
        ({"runtime_nodes": ()}, "runtime_nodes", "at least one"),
        ({"decision_operation": " "}, "decision_operation", "must not be empty"),
        ({"input_parameters": {"x": float("nan")}}, "input_parameters", "plain JSON"),
    ],
)
def test_it_names_the_setting_at_fault(change, path, message):
    errors = validate_decision(loan_journey(), loan_decision(**change), "decisions[0]")

    assert [e.path for e in errors] == [f"decisions[0].{path}"]
    assert message in errors[0].message


def test_it_samples_an_event_for_the_preview_even_for_a_journey_without_volume():
    spec = loan_journey(journeys_per_day=0)

    approved = sample_decision_event(spec, example_decision(), at_ms=1_772_442_000_000)
    rejected = sample_decision_event(spec, example_decision(), at_ms=1_772_442_000_000, rejected=True)
    text = sample_decision_json(spec, loan_decision(), at_ms=1_772_442_000_000)

    assert list(approved) == list(KEY_ORDER) and approved["timestamp"] == 1_772_442_000_000
    assert approved["data"]["outputParameters"] == "PASSED(mySimple02CustomerDecision)"
    assert rejected["data"]["outputParameters"].startswith("FAILED(")
    assert text.startswith('{\n  "decisionId": "/lending/LoanApproval/')
    assert json.loads(text)["data"]["inputParameters"]["location"] == "London"
