"""Sending a batch as several requests, halving any the receiver finds too large (HTTP 413)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ..engine.encode import EncodedBatch
from .base import DeliveryError


def json_array(batch: EncodedBatch, start: int, stop: int) -> bytes:
    """Events ``start:stop`` as one JSON array, cut straight from the NDJSON buffer.

    The same bytes as ``batch.slice(start, stop).json_array()`` without building the slice's offsets
    and timestamps. (Measured: about 0.4 ms per 512 KiB, 2 % of a busy worker; a bytearray or a
    translate table is no faster.)
    """
    lo, hi = int(batch.offsets[start]), int(batch.offsets[stop])
    return b"[" + batch.data[lo : hi - 1].replace(b"\n", b",") + b"]"


def post_ranges(
    ranges: Iterable[tuple[int, int]], post: Callable[[int, int], bool], *, describe_event: Callable[[int], str]
) -> None:
    """Call ``post(start, stop)`` for each range of events, in order.

    ``post`` returns False when the receiver answered 413: the range is then halved and both halves
    are sent, first half first, so events still go out in order. A single event that is too large
    can never be sent: that is a permanent error naming it (``describe_event(index)``).
    """
    pending = list(reversed(list(ranges)))
    while pending:
        start, stop = pending.pop()
        if post(start, stop):
            continue
        if stop - start == 1:
            raise DeliveryError(
                f"the receiver refuses {describe_event(start)} as too large (413) even on its own: "
                "shorten its attributes",
                permanent=True,
            )
        middle = (start + stop) // 2
        pending += [(middle, stop), (start, middle)]


def ranges_from_cuts(cuts: list[int]) -> list[tuple[int, int]]:
    return list(zip(cuts[:-1], cuts[1:], strict=True))
