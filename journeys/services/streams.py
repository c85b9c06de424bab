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
from ..models import JourneyDestination
from ..selectors.journeys import journey_decisions


class JourneyEvents:
    """The journey's business events, as the generator writes them."""

    def sink_config(self, config: dict, kind: str) -> dict:
        return config

    def batches(self, journey: CompiledJourney, start_ms: int, end_ms: int, origin_ms: int | None) -> Iterator:
        return generate(journey, start_ms, end_ms, origin=origin_ms)

    def columns(self, journey: CompiledJourney, start_ms: int, end_ms: int, origin_ms: int | None) -> Iterator:
        return generate_columns(journey, start_ms, end_ms, origin=origin_ms)


class DecisionEvents:
    """The decision execution events of the decision steps that send to this destination."""

    def __init__(self, decisions: list[DecisionSpec]):
        self.decisions = decisions
        self._streams: dict[int, DecisionStream] = {}

    def _stream(self, journey: CompiledJourney) -> DecisionStream:
        if id(journey) not in self._streams:
            self._streams[id(journey)] = DecisionStream(journey, self.decisions)
        return self._streams[id(journey)]

    def sink_config(self, config: dict, kind: str) -> dict:
        return {**config, "topic": self.decisions[0].topic} if kind == "kafka" else config

    def batches(self, journey: CompiledJourney, start_ms: int, end_ms: int, origin_ms: int | None) -> Iterator:
        return self._stream(journey).batches(start_ms, end_ms, origin_ms)

    def columns(self, journey: CompiledJourney, start_ms: int, end_ms: int, origin_ms: int | None) -> Iterator:
        return self._stream(journey).columns(start_ms, end_ms, origin_ms)


def delivery_stream(*, pair: JourneyDestination) -> JourneyEvents | DecisionEvents:
    """The stream a journey-destination delivers; raises ValueError when its decision settings clash."""
    decisions = [spec for row, spec in journey_decisions(pair.journey) if row.destination_id == pair.destination_id]
    if not decisions:
        return JourneyEvents()
    topics = sorted({d.topic for d in decisions})
    if len(topics) > 1:
        raise ValueError(
            f"decision steps sending to one destination must share a topic (found {', '.join(topics)}); "
            "give each topic its own destination"
        )
    return DecisionEvents(decisions)
