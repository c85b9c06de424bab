"""Journeys the asset tests share: the shipped examples and small hand-built ones."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

from journeys.engine.generator import generate
from journeys.engine.jsonformat import loads_document
from journeys.engine.spec import ErrorRule, Incident, JourneySpec, Revenue, Step, Weighted

EXAMPLES_DIR = Path(__file__).resolve().parents[2] / "journeys" / "examples"
EXAMPLE_PATHS = sorted(EXAMPLES_DIR.glob("*.json"))


@cache
def example(name: str) -> JourneySpec:
    return loads_document((EXAMPLES_DIR / name).read_text()).spec


@cache
def emitted(spec: JourneySpec) -> dict[str, frozenset[str]]:
    """The keys of each event type in a day of the journey's events, as the generator sends them.

    The day is a steady state: journeys started up to the longest journey's duration before it are
    included, so late steps show up too.
    """
    start = datetime(2026, 11, 2, tzinfo=UTC)
    origin = start - timedelta(hours=spec.max_duration_hours)
    keys: dict[str, set[str]] = {}
    for batch in generate(spec, start, start + timedelta(days=1), origin):
        for event in batch.to_dicts():
            keys.setdefault(event["event.type"], set()).update(event)
    return {event_type: frozenset(names) for event_type, names in keys.items()}


def small_journey(**changes) -> JourneySpec:
    """Four steps: a looping second step, an optional third, errors on the last one."""
    spec = JourneySpec(
        name="Order delivery",
        event_provider="acme.retail",
        correlation_field="order.id",
        journeys_per_day=2000,
        steps=(
            Step("Place order", "place.order", carries_location=True, carries_segment=True, carries_revenue=True),
            Step("Item picked", "item.picked", min_delay_hours=0.1, max_delay_hours=0.2, max_loops=3),
            Step(
                "Delivery re-attempted", "delivery.reattempted", min_delay_hours=0.1, max_delay_hours=1, optional_pct=40
            ),
            Step("Order received", "order.received", min_delay_hours=0.1, max_delay_hours=0.2),
        ),
        errors=(ErrorRule("lost", 3, 5),),
        incidents=(Incident(3, "warehouse.fire", 50, daily_start_hour=1, daily_end_hour=2),),
        locations=(Weighted("London", 3), Weighted("Leeds", 1)),
        segment_field="loyalty",
        segments=(Weighted("gold", 1), Weighted("basic", 2)),
        revenue=Revenue("order.value", 100, 2000, "Order value"),
        hosts=(Weighted("HOST-DA9370FA4A602E97", 1),),
    )
    return replace(spec, **changes)


def bare_journey(**changes) -> JourneySpec:
    """Two plain steps: no errors, locations, segments, revenue or hosts."""
    spec = JourneySpec(
        name="Sign-up",
        event_provider="acme.signup",
        correlation_field="signup.id",
        journeys_per_day=500,
        steps=(Step("Started", "signup.started"), Step("Confirmed", "signup.confirmed", max_delay_hours=0.5)),
    )
    return replace(spec, **changes)
