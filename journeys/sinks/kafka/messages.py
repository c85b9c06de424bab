"""Kafka messages from an EncodedBatch: values and keys without re-serialising the events.

Values are the batch's lines as they are (flat) or wrapped, untouched, in a CloudEvents envelope.
Keys come from the id columns the generator hands over with every batch (the journey's correlation
id, the event's id or a decision event's execution id), never from the JSON: a key read back out of
a line could only be as right as a guess at the line's layout.
"""

from __future__ import annotations

from datetime import UTC, datetime

import orjson

from ...engine.encode import EncodedBatch

CLOUDEVENTS_CONTENT_TYPE = ("content-type", b"application/cloudevents+json; charset=UTF-8")


def values(batch: EncodedBatch) -> list[bytes]:
    """Each line's bytes, newline excluded: one split, no copy per event in Python."""
    return batch.data.split(b"\n")[:-1] if len(batch) else []


def message_keys(batch: EncodedBatch, mode: str) -> list[bytes] | None:
    """One key per event: the journey's correlation id (``correlation``), the event's id (``event_id``;
    a decision event's executionId), or None for no keys. A batch without the column raises ValueError."""
    if mode == "none" or not len(batch):
        return None
    return batch.key_ids(mode)


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
