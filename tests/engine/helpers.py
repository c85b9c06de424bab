"""Small journeys and readers shared by the engine tests."""

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from journeys.engine.jsonformat import loads
from journeys.engine.spec import JourneySpec, Step, validate

EXAMPLES = Path(__file__).resolve().parents[2] / "journeys" / "examples"
DAY = datetime(2026, 11, 2, tzinfo=UTC)  # a Monday
HOUR_MS = 3_600_000


def example(name: str, **changes) -> JourneySpec:
    spec = loads((EXAMPLES / f"{name}.json").read_text())
    return replace(spec, **changes) if changes else spec


def journey(*steps: Step, **fields) -> JourneySpec:
    fields.setdefault("journeys_per_day", 2000)
    spec = JourneySpec(name="Orders", event_provider="acme.shop", correlation_field="order.id", steps=steps, **fields)
    assert validate(spec) == []
    return spec


def journeys_of(events: list[dict], field: str = "order.id") -> dict[str, list[dict]]:
    by_journey: dict[str, list[dict]] = {}
    for event in events:
        by_journey.setdefault(event[field], []).append(event)
    return by_journey


def epoch_ms(event: dict) -> int:
    return round(datetime.fromisoformat(event["timestamp"]).timestamp() * 1000)


def journey_keys(correlation: np.ndarray) -> np.ndarray:
    """One integer label per distinct journey, from the (n, 16) correlation bytes."""
    return np.unique(correlation.view("<u8").reshape(-1, 2), axis=0, return_inverse=True)[1].ravel()


def loan_decisions_document() -> dict:
    """The loan example's decision settings (held by its journey file's decision step) as a decisions document."""
    journey = json.loads((EXAMPLES / "loan-validation.json").read_text())
    decisions = [
        {"step": step["event_type"], **step["decision_settings"]}
        for step in journey["steps"]
        if "decision_settings" in step
    ]
    return {"format": "bizflow-studio/decisions", "version": 1, "decisions": decisions}


def branching_journey(**fields) -> JourneySpec:
    """A loan journey using every version 2 feature: variants (first step included), an end state,
    lognormal delays, variant errors, loops and attributes, and a daily surge."""
    from journeys.engine.spec import ErrorRule, Revenue, Surge, Variant, Weighted

    steps = (
        Step(
            name="Apply",
            event_type="",
            variants=(
                Variant("Online", "loan.applied.online", weight=3, carries_location=True),
                Variant("Branch", "loan.applied.branch", weight=1, carries_location=True, carries_revenue=True),
            ),
        ),
        Step("Check", "loan.checked", drop_off_pct=5, min_delay_hours=0.1, max_delay_hours=0.5, max_loops=3),
        Step(
            name="Decision",
            event_type="",
            drop_off_pct=10,
            variants=(
                Variant(
                    "Approved",
                    "loan.approved",
                    weight=70,
                    min_delay_hours=0.5,
                    max_delay_hours=8,
                    delay_shape="lognormal",
                    carries_revenue=True,
                ),
                Variant("Referred", "loan.referred", weight=20, min_delay_hours=1, max_delay_hours=4, max_loops=2),
                Variant(
                    "Rejected",
                    "loan.rejected",
                    weight=10,
                    min_delay_hours=0.2,
                    max_delay_hours=6,
                    delay_shape="lognormal",
                    ends_journey=True,
                ),
            ),
        ),
        Step("Payout", "loan.paid", optional_pct=80, min_delay_hours=1, max_delay_hours=12, delay_shape="lognormal"),
    )
    fields.setdefault("journeys_per_day", 2000)
    fields.setdefault("errors", (ErrorRule("timeout", 2, 4, variant=0), ErrorRule("fraud", 2, 10, variant=2)))
    fields.setdefault("locations", (Weighted("Vienna", 2), Weighted("Graz", 1)))
    fields.setdefault("revenue", Revenue("loan.amount", 1000, 50000))
    fields.setdefault("surges", (Surge(3, daily_start_hour=9, daily_end_hour=11),))
    spec = JourneySpec(name="Loans", event_provider="acme.bank", correlation_field="loan.id", steps=steps, **fields)
    assert validate(spec) == []
    return spec
