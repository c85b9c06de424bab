"""The decision events one destination receives: those of one or more decision steps, in stream order.

A journey's events form one stream ordered by timestamp (and by the generator's fixed order among
equal timestamps). Its decision events keep that order: the decision stream is the journey's stream
restricted to its decision steps' events, each turned into its decision event. So a delivery cursor
(a timestamp and a count of events already taken at it) means the same thing on both streams, and a
decision stream splits over time ranges exactly like the journey's.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

import numpy as np

from .columns import EventColumns
from .compiled import CompiledJourney, compile_journey
from .decisions import DecisionBatch, DecisionEncoder, DecisionSpec
from .generator import generate_columns
from .spec import JourneySpec


class DecisionStream:
    def __init__(self, journey: JourneySpec | CompiledJourney, decisions: Sequence[DecisionSpec]):
        self.journey = journey if isinstance(journey, CompiledJourney) else compile_journey(journey)
        ways = [(d.step, d.variant) for d in decisions]
        if len(set(ways)) != len(ways):
            raise ValueError("each decision step can appear once in a decision stream")
        # A step whose businessMonitoringEnabled is off emits nothing: it is not part of the stream.
        self.encoders = {
            (d.step, d.variant): DecisionEncoder(self.journey, d) for d in decisions if d.business_monitoring_enabled
        }
        # Which encoder, if any, takes each event type: -1 for none.
        self._encoder_of = np.full(len(self.journey.type_names), -1, np.int64)
        for number, encoder in enumerate(self.encoders.values()):
            self._encoder_of[encoder.type_codes] = number

    def select(self, cols: EventColumns) -> EventColumns:
        """The journey events that become decision events, in stream order."""
        return cols.take(self._encoder_of[cols.type_code] >= 0)

    def encode(self, cols: EventColumns) -> DecisionBatch:
        cols = self.select(cols)
        if not len(cols) or len(self.encoders) == 1:
            return next(iter(self.encoders.values())).encode(cols) if self.encoders else DecisionBatch.concat([])
        encoder_of = self._encoder_of[cols.type_code]
        lines: list[bytes] = [b""] * len(cols)
        correlation = np.empty((len(cols), 16), np.uint8)
        execution_id = np.empty((len(cols), 16), np.uint8)
        for number, encoder in enumerate(self.encoders.values()):
            rows = np.flatnonzero(encoder_of == number)
            part = encoder.encode(cols.take(rows))
            for row, line in zip(rows.tolist(), part.lines(), strict=True):
                lines[row] = line + b"\n"
            correlation[rows], execution_id[rows] = part.correlation, part.execution_id
        offsets = np.zeros(len(cols) + 1, np.int64)
        np.cumsum([len(line) for line in lines], out=offsets[1:])
        return DecisionBatch(b"".join(lines), offsets, cols.ts_ms.copy(), correlation, execution_id)

    def batches(self, start, end, origin=None) -> Iterator[DecisionBatch]:
        """Decision events with timestamps in [start, end) of journeys started at or after ``origin``."""
        for cols in generate_columns(self.journey, start, end, origin):
            batch = self.encode(cols)
            if len(batch):
                yield batch

    def columns(self, start, end, origin=None) -> Iterator[EventColumns]:
        """The same events as :meth:`batches`, as the journey's columns (counting without encoding)."""
        for cols in generate_columns(self.journey, start, end, origin):
            selected = self.select(cols)
            if len(selected):
                yield selected


def generate_decision_stream(
    journey: JourneySpec | CompiledJourney,
    decisions: Sequence[DecisionSpec],
    start: datetime | int,
    end: datetime | int,
    origin: datetime | int | None = None,
) -> Iterator[DecisionBatch]:
    return DecisionStream(journey, decisions).batches(start, end, origin)
