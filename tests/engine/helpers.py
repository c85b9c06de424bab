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
