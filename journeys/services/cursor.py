"""The arithmetic of delivery progress, apart from the database so it can be reasoned about alone.

A journey's events form one stream, ordered by timestamp and, among equal timestamps, by the
generator's fixed order (generating from any point gives the same tail). A :class:`Cursor` marks a
point in that stream: every event before ``ms`` is behind it, and so are the first ``skip`` events
at exactly ``ms``. It is therefore exact even when a batch is cut among events that share a
millisecond (steps without delay, loops).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

import numpy as np


class Sliceable(Protocol):
    ts_ms: np.ndarray

    def __len__(self) -> int: ...


@dataclass(frozen=True, order=True)
class Cursor:
    ms: int
    skip: int = 0

    def after(self, ts_ms: np.ndarray) -> Cursor:
        """The cursor once the next ``len(ts_ms)`` events of the stream (these timestamps) are behind it."""
        if not len(ts_ms):
            return self
        last = int(ts_ms[-1])
        at_last = len(ts_ms) - int(np.searchsorted(ts_ms, last, side="left"))
        if last == self.ms:  # the stream is sorted and starts at ms: all of them were at ms
            return Cursor(last, self.skip + at_last)
        return Cursor(last, at_last)

    def at_least(self, ms: int) -> Cursor:
        """This cursor moved up to ``ms`` (never back): everything before ``ms`` is behind it."""
        return self if self.ms >= ms else Cursor(ms, 0)


def cut[Part: Sliceable](part: Part, start: int, stop: int) -> Part:
    """Events [start, stop) of an EncodedBatch or EventColumns."""
    if hasattr(part, "slice"):
        return part.slice(start, stop)
    return part.take(slice(start, stop))


def skip_delivered[Part: Sliceable](cursor: Cursor, parts: Iterable[Part]) -> Iterator[Part]:
    """The stream generated from ``cursor.ms`` without the ``cursor.skip`` events already delivered.

    Only leading events at exactly ``cursor.ms`` are skipped, so a stream that changed meanwhile (the
    journey was edited) can lose no event of another millisecond to a stale count.
    """
    remaining = cursor.skip
    for part in parts:
        if remaining:
            at_cursor = int(np.searchsorted(part.ts_ms, cursor.ms, side="right"))
            dropped = min(remaining, at_cursor)
            remaining = remaining - dropped if dropped == at_cursor == len(part) else 0
            part = cut(part, dropped, len(part))
        if len(part):
            yield part
