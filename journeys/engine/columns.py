"""Events as columns: the generator's output before it is serialised."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np


@dataclass(frozen=True)
class EventColumns:
    """A run of events, one array entry per event, in delivery order (timestamp, then journey order).

    ``location``, ``segment``, ``host`` index the journey's weighted lists (-1: the journey has none);
    ``revenue_cents`` is the journey's revenue (-1: none). Whether an event carries them depends on
    its step, which the encoder knows from ``type_code``.
    """

    ts_ms: np.ndarray  # int64 epoch milliseconds
    type_code: np.ndarray  # int16 index into CompiledJourney.type_names
    seq: np.ndarray  # int16 position of the event within its journey (0 = first step)
    is_last: np.ndarray  # bool: the journey's final event
    journey_start_ms: np.ndarray  # int64
    correlation: np.ndarray  # uint8 (n, 16): the journey's UUID
    event_id: np.ndarray  # uint8 (n, 16): the event's UUID (journey-specific, with seq folded in)
    location: np.ndarray  # int16
    segment: np.ndarray  # int16
    host: np.ndarray  # int16
    revenue_cents: np.ndarray  # int64

    def __len__(self) -> int:
        return len(self.ts_ms)

    def take(self, index) -> EventColumns:
        return EventColumns(*(getattr(self, name)[index] for name in _COLUMNS))

    def copy(self) -> EventColumns:
        return EventColumns(*(getattr(self, name).copy() for name in _COLUMNS))

    @staticmethod
    def concat(parts: list[EventColumns]) -> EventColumns:
        if len(parts) == 1:
            return parts[0]
        return EventColumns(*(np.concatenate([getattr(p, name) for p in parts]) for name in _COLUMNS))

    @staticmethod
    def empty() -> EventColumns:
        return EventColumns(
            ts_ms=np.empty(0, np.int64),
            type_code=np.empty(0, np.int16),
            seq=np.empty(0, np.int16),
            is_last=np.empty(0, bool),
            journey_start_ms=np.empty(0, np.int64),
            correlation=np.empty((0, 16), np.uint8),
            event_id=np.empty((0, 16), np.uint8),
            location=np.empty(0, np.int16),
            segment=np.empty(0, np.int16),
            host=np.empty(0, np.int16),
            revenue_cents=np.empty(0, np.int64),
        )


_COLUMNS = tuple(f.name for f in fields(EventColumns))  # in the order the constructor takes them
