"""Kafka messages from an EncodedBatch: values and keys without re-serialising the events.

Values are the batch's lines as they are (flat) or wrapped, untouched, in a CloudEvents envelope.
Keys are cut out of the lines at a fixed position: the encoder writes every line of a batch with the
same fixed-width start (provider, correlation id, timestamp, event id), so the correlation id and the
event id sit at the same offset in every line. The offset is found in the first line and checked in
all of them at once; anything unexpected falls back to parsing each line. Decision batches carry
their ids as columns and hand out their own keys.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import numpy as np
import orjson

from ...engine.encode import EncodedBatch

UUID_LENGTH = 36
EVENT_ID_MARKER = b'"event.id":"'
CLOUDEVENTS_CONTENT_TYPE = ("content-type", b"application/cloudevents+json; charset=UTF-8")


def values(batch: EncodedBatch) -> list[bytes]:
    """Each line's bytes, newline excluded: one split, no copy per event in Python."""
    return batch.data.split(b"\n")[:-1] if len(batch) else []


def _marker(batch: EncodedBatch, mode: str) -> bytes | None:
    """What precedes the key's UUID in the first line (``"field":"``), or None if it is not there."""
    first = orjson.loads(batch.line(0))
    if mode == "event_id":
        return EVENT_ID_MARKER if "event.id" in first else None
    names = list(first)
    if len(names) < 2:
        return None
    return json.dumps(names[1], ensure_ascii=True).encode() + b':"'  # the correlation field comes second


def _parsed_keys(batch: EncodedBatch, mode: str) -> list[bytes]:
    keys = []
    for line in values(batch):
        event = orjson.loads(line)
        key = event.get("event.id") if mode == "event_id" else list(event.values())[1]
        keys.append(str(key).encode())
    return keys


def message_keys(batch: EncodedBatch, mode: str, lines: list[bytes] | None = None) -> list[bytes] | None:
    """One key per event: the journey's correlation id, the event's id, or None for no keys.

    ``lines`` are the batch's :func:`values` if the caller has them already (saves a split).
    """
    if mode == "none" or not len(batch):
        return None
    own = getattr(batch, "message_keys", None)
    if own is not None:
        return own(mode)
    marker = _marker(batch, mode)
    position = batch.line(0).find(marker) if marker else -1
    if position < 0 or not _same_layout(batch, position, marker):
        return _parsed_keys(batch, mode)
    start = position + len(marker)
    stop = start + UUID_LENGTH
    return [line[start:stop] for line in (lines if lines is not None else values(batch))]


def _same_layout(batch: EncodedBatch, position: int, marker: bytes) -> bool:
    """Whether every line has the marker's quotes and a UUID's dashes where the first line has them."""
    data = np.frombuffer(batch.data, np.uint8)
    line_starts = batch.offsets[:-1]
    start = position + len(marker)
    if (line_starts + start + UUID_LENGTH >= batch.offsets[1:]).any():
        return False
    expected = {position: marker[0], start - 1: ord('"'), start + 8: ord("-"), start + 23: ord("-")}
    expected[start + UUID_LENGTH] = ord('"')
    return all((data[line_starts + offset] == char).all() for offset, char in expected.items())


def _iso_time(value) -> str:
    if isinstance(value, str):
        return value
    seconds = value / 1000 if value >= 10**11 else value  # decision events may count seconds
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def cloudevents(batch: EncodedBatch, *, source: str) -> list[bytes]:
    """Structured-mode CloudEvents 1.0 JSON, the event itself as ``data`` (its bytes unchanged).

    https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/bindings/kafka-protocol-binding.md#33-structured-content-mode
    """
    wrapped = []
    for line in values(batch):
        event = orjson.loads(line)
        if "executionId" in event:  # a decision execution event
            identity, kind, subject = event["executionId"], "decision.execution", event.get("decisionOperation")
        else:
            identity, kind, subject = event.get("event.id"), event.get("event.type"), None
        envelope = {"specversion": "1.0", "id": identity, "source": source, "type": kind}
        if subject:
            envelope["subject"] = subject
        envelope["time"] = _iso_time(event.get("timestamp"))
        envelope["datacontenttype"] = "application/json"
        head = orjson.dumps(envelope)
        wrapped.append(head[:-1] + b',"data":' + line + b"}")
    return wrapped
