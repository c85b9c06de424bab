"""The decision events a destination receives: several decision steps, one stream in event order."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import orjson

from journeys.engine.compiled import compile_journey
from journeys.engine.decision_stream import DecisionStream, generate_decision_stream
from journeys.engine.decisions import DecisionSpec, generate_decisions
from journeys.engine.generator import generate_columns, generate_dicts
from journeys.engine.spec import JourneySpec, Step

START = datetime(2026, 3, 2, tzinfo=UTC)
DAY = (START, START + timedelta(days=1))
CLAIMS = JourneySpec(
    name="Claims",
    event_provider="insure.claims",
    correlation_field="claim.id",
    journeys_per_day=4000,
    steps=(
        Step("Filed", "claim.filed"),
        Step("Triage", "claim.triaged", max_delay_hours=0.2, is_decision=True, max_loops=2),
        Step("Assessed", "claim.assessed", drop_off_pct=10, max_delay_hours=1),
        Step("Settlement", "claim.settled", max_delay_hours=0.5, is_decision=True),
    ),
)


def decision(step: int, operation: str, **fields) -> DecisionSpec:
    return DecisionSpec(
        step=step,
        decision_service_id="insure.Claims",
        decision_service_name="Claims",
        decision_service_version="1.0",
        decision_operation=operation,
        **fields,
    )


TRIAGE, SETTLE = decision(1, "triage"), decision(3, "settle")


def test_it_interleaves_several_decision_steps_in_the_journeys_event_order():
    events = [e for e in generate_dicts(CLAIMS, *DAY) if e["event.type"] in ("claim.triaged", "claim.settled")]

    stream = [
        orjson.loads(line)
        for batch in generate_decision_stream(CLAIMS, [SETTLE, TRIAGE], *DAY)
        for line in batch.lines()
    ]

    operations = [d["decisionOperation"] for d in stream]
    assert operations == ["triage" if e["event.type"] == "claim.triaged" else "settle" for e in events]
    assert [d["timestamp"] for d in stream] == [
        int(datetime.fromisoformat(e["timestamp"]).timestamp() * 1000) for e in events
    ]


def test_it_writes_each_step_as_that_steps_own_decision_events():
    stream = [d for batch in generate_decision_stream(CLAIMS, [TRIAGE, SETTLE], *DAY) for d in batch.to_dicts()]

    alone = [d for batch in generate_decisions(CLAIMS, SETTLE, *DAY) for d in batch.to_dicts()]

    assert [d for d in stream if d["decisionOperation"] == "settle"] == alone


def test_it_leaves_out_a_step_whose_monitoring_is_off():
    quiet = replace(SETTLE, business_monitoring_enabled=False)

    stream = [d for batch in generate_decision_stream(CLAIMS, [TRIAGE, quiet], *DAY) for d in batch.to_dicts()]
    counted = sum(len(c) for c in DecisionStream(CLAIMS, [TRIAGE, quiet]).columns(*DAY))

    assert stream and {d["decisionOperation"] for d in stream} == {"triage"}
    assert counted == len(stream)


def test_it_keeps_the_key_columns_in_line_with_the_events():
    compiled = compile_journey(CLAIMS)
    cols = next(c for c in generate_columns(compiled, *DAY) if len(c) > 50)

    batch = DecisionStream(compiled, [TRIAGE, SETTLE]).encode(cols)

    assert batch.key_ids("event_id") == [d["executionId"].encode() for d in batch.to_dicts()]
    assert len(batch.ts_ms) == len(batch) == len(batch.correlation)


def test_it_splits_over_time_like_the_journeys_stream():
    middle = START + timedelta(hours=9, minutes=3)

    whole = b"".join(b.data for b in generate_decision_stream(CLAIMS, [TRIAGE, SETTLE], *DAY))
    first = b"".join(b.data for b in generate_decision_stream(CLAIMS, [TRIAGE, SETTLE], START, middle))
    second = b"".join(b.data for b in generate_decision_stream(CLAIMS, [TRIAGE, SETTLE], middle, DAY[1], START))

    assert whole == first + second and whole
