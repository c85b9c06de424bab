"""Building blocks of decision events: per-event draws keyed by the event's id, and JSON templates."""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: a bijective scramble of 64-bit words."""
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


class Draws:
    """Independent pseudo-random streams keyed by each event's id: stream ``k`` of event ``i`` is a
    pure function of (event id, k), so a draw never depends on which batch the event sits in."""

    def __init__(self, event_id: np.ndarray):
        words = np.ascontiguousarray(event_id).view("<u8")
        self._low, self._high = words[:, 0], words[:, 1]

    def words(self, stream: int) -> np.ndarray:
        with np.errstate(over="ignore"):
            return _mix(self._low ^ _mix(self._high ^ (np.uint64(stream + 1) * _GOLDEN)))

    def uniform(self, stream: int) -> np.ndarray:
        return (self.words(stream) >> np.uint64(11)).astype(np.float64) * 2.0**-53

    def uuids(self, stream: int) -> np.ndarray:
        raw = np.stack([self.words(stream), self.words(stream + 1)], axis=1).view(np.uint8).copy()
        raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40  # version 4
        raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80  # RFC 4122 variant
        return raw


# The streams each decision draws from; rule r fires by stream RULE_STREAMS + r.
MILLIS, NODE, INCIDENT, INCIDENT_CUT, REJECT_RULE, EXECUTION_ID, INCIDENT_ID = 0, 1, 2, 3, 4, 5, 7
RULE_STREAMS = 16


_PLACEHOLDER = re.compile(r"\$([A-Za-z]+)")


def quote(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=True, separators=(",", ":"), allow_nan=False).encode("ascii")


class Template:
    """A JSON template whose string values may hold ``$name`` placeholders.

    A string that is exactly one placeholder takes the value with its JSON type (a number stays a
    number); a placeholder inside longer text is written into that text. Object keys are never
    substituted. Rendering joins precomputed byte pieces, so no JSON is parsed per event.
    """

    def __init__(self, value: Any, names: tuple[str, ...]):
        self.names = names
        self.pieces: list[bytes | tuple[str, bool]] = []  # bytes, or (name, whole value?)
        self._emit(value)
        merged: list[bytes | tuple[str, bool]] = []
        for piece in self.pieces:
            if isinstance(piece, bytes) and merged and isinstance(merged[-1], bytes):
                merged[-1] += piece
            else:
                merged.append(piece)
        self.pieces = merged
        self.used = {piece[0] for piece in self.pieces if isinstance(piece, tuple)}

    def _emit(self, value: Any) -> None:
        if isinstance(value, dict):
            self.pieces.append(b"{")
            for index, (key, item) in enumerate(value.items()):
                self.pieces.append((b"," if index else b"") + quote(str(key)) + b":")
                self._emit(item)
            self.pieces.append(b"}")
        elif isinstance(value, list):
            self.pieces.append(b"[")
            for index, item in enumerate(value):
                if index:
                    self.pieces.append(b",")
                self._emit(item)
            self.pieces.append(b"]")
        elif isinstance(value, str):
            self._emit_text(value)
        else:
            self.pieces.append(quote(value))

    def _emit_text(self, text: str) -> None:
        found = [m for m in _PLACEHOLDER.finditer(text) if m.group(1) in self.names]
        if len(found) == 1 and found[0].span() == (0, len(text)):
            self.pieces.append((found[0].group(1), True))
            return
        self.pieces.append(b'"')
        position = 0
        for match in found:
            self.pieces.append(quote(text[position : match.start()])[1:-1])
            self.pieces.append((match.group(1), False))
            position = match.end()
        self.pieces.append(quote(text[position:])[1:-1] + b'"')

    def render(self, whole: dict[str, list[bytes]], inline: dict[str, list[bytes]], i: int) -> bytes:
        return b"".join(
            piece if isinstance(piece, bytes) else (whole if piece[1] else inline)[piece[0]][i] for piece in self.pieces
        )


def placeholders_in(value: Any) -> set[str]:
    """Every ``$name`` in a template's text values (object keys are never substituted)."""
    if isinstance(value, dict):
        return set().union(*(placeholders_in(item) for item in value.values()))
    if isinstance(value, list):
        return set().union(*(placeholders_in(item) for item in value))
    if isinstance(value, str):
        return {match.group(1) for match in _PLACEHOLDER.finditer(value)}
    return set()


def inline_text(value: bytes) -> bytes:
    """The text form of a JSON value, for a placeholder inside a longer string."""
    if value.startswith(b'"'):
        return value[1:-1]
    return b"" if value == b"null" else value
