"""What a journey-destination delivers: the journey's own events, or the decision events of its steps.

A destination named in a decision step's settings (DecisionSettings.destination) receives that
journey's decision execution events instead of its business events, on the decision settings' topic.
Both are streams in the same order with the same timestamps, so the delivery service moves one
cursor over either in the same way.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..engine.compiled import CompiledJourney
from ..engine.decision_stream import DecisionStream
from ..engine.decisions import DecisionSpec
from ..engine.generator import generate, generate_columns
from ..engine.spec import JourneySpec
from ..models import JourneyDestination
from ..selectors.journeys import journey_decisions


class JourneyEvents:
    """The journey's business events, as the generator writes them."""

    def __init__(self, journey: CompiledJourney):
        self.journey = journey

    def sink_config(self, config: dict, kind: str) -> dict:
        return config

    def batches(self, start_ms: int, end_ms: int, origin_ms: int | None) -> Iterator:
        return generate(self.journey, start_ms, end_ms, origin=origin_ms)

    def columns(self, start_ms: int, end_ms: int, origin_ms: int | None) -> Iterator:
        return generate_columns(self.journey, start_ms, end_ms, origin=origin_ms)


class DecisionEvents:
    """The decision execution events of the decision steps that send to this destination."""

    def __init__(self, journey: CompiledJourney, decisions: list[DecisionSpec]):
        self.decisions = decisions
        self.stream = DecisionStream(journey, decisions)

    def sink_config(self, config: dict, kind: str) -> dict:
        return {**config, "topic": self.decisions[0].topic} if kind == "kafka" else config

    def batches(self, start_ms: int, end_ms: int, origin_ms: int | None) -> Iterator:
        return self.stream.batches(start_ms, end_ms, origin_ms)

    def columns(self, start_ms: int, end_ms: int, origin_ms: int | None) -> Iterator:
        return self.stream.columns(start_ms, end_ms, origin_ms)


def has_decisions(spec: JourneySpec) -> bool:
    """Whether any step or variant is marked as a decision: only then can settings send decision events."""
    return any(way.is_decision for step in spec.steps for way in step.ways())


def delivery_stream(*, pair: JourneyDestination, journey: CompiledJourney) -> JourneyEvents | DecisionEvents:
    """The stream a journey-destination delivers of ``journey`` (the pair's, compiled); raises ValueError
    when its decision settings clash. A journey without decisions costs no query."""
    if not has_decisions(journey.spec):
        return JourneyEvents(journey)
    decisions = [spec for row, spec in journey_decisions(pair.journey) if row.destination_id == pair.destination_id]
    if not decisions:
        return JourneyEvents(journey)
    topics = sorted({d.topic for d in decisions})
    if len(topics) > 1:
        raise ValueError(
            f"decision steps sending to one destination must share a topic (found {', '.join(topics)}); "
            "give each topic its own destination"
        )
    return DecisionEvents(journey, decisions)
