"""Business events ingest: decoding request bodies, Dynatrace's per-event rules, and the event store.

Documented behaviour emulated here (see /work/shared/reference/dynatrace.md §2):
- ``application/json`` takes one object or an array; CloudEvents (single and batch) need specversion, id,
  source and type, which become event.id, event.provider and event.type; ``data`` fields go top-level.
- ``event.kind`` is forced to BIZ_EVENT, ``event.id`` is generated when absent, a missing ``timestamp``
  means ingest time, and ``dt.openpipeline.*``, ``dt.ingest.*``, ``dt.retain.*``, ``dt.system.*`` are
  read-only (removed here).
- ``timestamp`` is RFC 3339 or epoch seconds/ms/µs/ns by magnitude. Events older than ingest time minus
  24 h are dropped (the request still answers 202); more than 10 minutes ahead is clamped to now + 10 min.
- Nested objects are stored as JSON strings.

What this receiver rejects (the request then answers 400, and the valid events are still stored):
- an array element that is not a JSON object;
- a ``timestamp`` that is neither a number, an all-digit string nor an ISO 8601 / RFC 3339 string;
- a CloudEvent without specversion, id, source or type, or whose ``data`` is not an object.

Each stored event is the dict Dynatrace would keep, with ``timestamp`` rewritten to the effective UTC
time (``2026-11-22T08:35:20.635000000Z``, as Grail returns it), plus two receiver-only keys that start
with an underscore: ``_epoch`` (effective time, epoch seconds) and, for clamped events only,
``_original_timestamp`` (the value as sent).
"""

from __future__ import annotations

import math
import threading
import time
import uuid
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from .http import media_type

MAX_AGE_SECONDS = 24 * 3600
MAX_FUTURE_SECONDS = 10 * 60
DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024

JSON_TYPES = frozenset({"application/json"})
# The documentation spells these both ways (cloudevent / cloudevents): accept either.
CLOUDEVENT_TYPES = frozenset({"application/cloudevent+json", "application/cloudevents+json"})
CLOUDEVENT_BATCH_TYPES = frozenset({"application/cloudevent-batch+json", "application/cloudevents-batch+json"})
READ_ONLY_PREFIXES = ("dt.openpipeline.", "dt.ingest.", "dt.retain.", "dt.system.")
_READ_ONLY_MARKERS = tuple(b'"' + prefix.encode() for prefix in READ_ONLY_PREFIXES)
CLOUDEVENT_REQUIRED = ("specversion", "id", "source", "type")
# CloudEvents context attributes that describe the envelope rather than the business event.
CLOUDEVENT_ENVELOPE = frozenset({"specversion", "id", "source", "type", "time", "data", "datacontenttype"})


class IngestError(Exception):
    """The whole request is refused (nothing stored)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


# --- timestamps -------------------------------------------------------------------------------------


def epoch_from_number(value: float) -> float | None:
    """Epoch seconds from a number whose unit is told by its magnitude (s, ms, µs or ns)."""
    if value < 0 or (type(value) is float and not math.isfinite(value)):
        return None
    if value < 1e11:  # seconds until the year 5138
        return float(value)
    if value < 1e14:
        return value / 1e3
    if value < 1e17:
        return value / 1e6
    return value / 1e9


def parse_timestamp(value: Any) -> float | None:
    """Epoch seconds, or None when the value is not a timestamp Dynatrace would understand."""
    kind = type(value)
    if kind is str:
        if value.isdigit():
            return epoch_from_number(int(value))
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
        if parsed.tzinfo is None:  # RFC 3339 requires an offset; read a missing one as UTC
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.timestamp()
    if kind is int or kind is float:  # not bool: True is not a timestamp
        return epoch_from_number(value)
    return None


_SECOND_PREFIXES: dict[int, str] = {}


def format_timestamp(epoch: float) -> str:
    """``2026-11-22T08:35:20.635000000Z``: the form Grail returns timestamps in."""
    second = math.floor(epoch)
    nanos = round((epoch - second) * 1e9)
    if nanos >= 1_000_000_000:
        second, nanos = second + 1, 0
    prefix = _SECOND_PREFIXES.get(second)
    if prefix is None:
        # Events of a batch cluster in time: caching the formatted second saves a strftime per event.
        if len(_SECOND_PREFIXES) > 200_000:
            _SECOND_PREFIXES.clear()
        prefix = _SECOND_PREFIXES[second] = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
    return f"{prefix}.{nanos:09d}Z"


# --- request bodies ---------------------------------------------------------------------------------


def decode_body(
    body: bytes, *, content_type: str, content_encoding: str, accept_gzip: bool, max_bytes: int
) -> tuple[list[Any], bool, bytes]:
    """Return (items, items_are_cloudevents, decoded bytes) or raise :class:`IngestError`."""
    if len(body) > max_bytes:
        raise IngestError(413, f"Payload of {len(body)} bytes exceeds the limit of {max_bytes} bytes")
    encoding = content_encoding.strip().lower()
    if encoding == "gzip" and accept_gzip:
        body = _gunzip(body, max_bytes)
    elif encoding not in ("", "identity") and encoding != "gzip":
        raise IngestError(415, f"Unsupported Content-Encoding: {content_encoding}")
    # With gzip switched off the compressed bytes reach the JSON parser and fail there, as they
    # would on a tenant that does not decode them.
    kind = media_type(content_type)
    if kind not in JSON_TYPES and kind not in CLOUDEVENT_TYPES and kind not in CLOUDEVENT_BATCH_TYPES:
        raise IngestError(415, f"Unsupported Content-Type: {content_type or '(none)'}")
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise IngestError(400, f"Could not parse the request body as JSON: {exc}") from None
    if kind in CLOUDEVENT_TYPES:
        if type(payload) is not dict:
            raise IngestError(400, f"{kind} takes one CloudEvent object")
        return [payload], True, body
    if kind in CLOUDEVENT_BATCH_TYPES:
        if type(payload) is not list:
            raise IngestError(400, f"{kind} takes an array of CloudEvents")
        return payload, True, body
    if type(payload) is dict:
        return [payload], False, body
    if type(payload) is list:
        return payload, False, body
    raise IngestError(400, "The body must be a JSON object or an array of objects")


def _gunzip(body: bytes, max_bytes: int) -> bytes:
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        # Stop one byte past the limit so a small bomb cannot inflate without bound.
        data = decompressor.decompress(body, max_bytes + 1)
    except zlib.error as exc:
        raise IngestError(400, f"Could not decompress the gzip body: {exc}") from None
    if len(data) > max_bytes or decompressor.unconsumed_tail:
        raise IngestError(413, f"Decompressed payload exceeds the limit of {max_bytes} bytes")
    return data


# --- per-event rules --------------------------------------------------------------------------------


@dataclass(slots=True)
class IngestResult:
    received: int = 0
    accepted: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (index in the body, reason)
    dropped_too_old: int = 0
    clamped_future: int = 0
    read_only_fields_removed: int = 0
    nested_values_stringified: int = 0


def from_cloudevent(event: Any) -> dict[str, Any] | str:
    """The business event a CloudEvent maps to, or the reason it is invalid."""
    if type(event) is not dict:
        return "A CloudEvent must be a JSON object"
    missing = [name for name in CLOUDEVENT_REQUIRED if not event.get(name)]
    if missing:
        return f"CloudEvent attribute(s) missing: {', '.join(missing)}"
    data = event.get("data")
    if data is not None and type(data) is not dict:
        return "CloudEvent data must be a JSON object"
    mapped: dict[str, Any] = dict(data) if data else {}
    for name, value in event.items():
        if name not in CLOUDEVENT_ENVELOPE:
            mapped[name] = value  # subject, traceparent, dtcontext and extensions stay as fields
    mapped["event.id"] = event["id"]
    mapped["event.provider"] = event["source"]
    mapped["event.type"] = event["type"]
    if event.get("time") is not None:
        mapped["timestamp"] = event["time"]
    return mapped


def normalize_events(items: list[Any], *, now: float, raw: bytes = b"", cloudevents: bool = False) -> IngestResult:
    """Apply Dynatrace's rules to each event, in place; ``now`` is the receive time (epoch seconds)."""
    result = IngestResult(received=len(items))
    oldest, latest = now - MAX_AGE_SECONDS, now + MAX_FUTURE_SECONDS
    ingest_time = format_timestamp(now)
    # Generated ids share one random prefix per request: uuid4() per event would cost more than the rest.
    id_prefix = str(uuid.uuid4())[:24]
    # Cheap whole-body checks let typical batches skip the per-field scans: with no read-only prefix
    # anywhere there is no read-only field, and with one '{' per event and one '[' there is no nesting.
    scan_read_only = not raw or any(marker in raw for marker in _READ_ONLY_MARKERS)
    scan_nested = cloudevents or not raw or raw.count(b"{") != len(items) or raw.count(b"[") > 1
    accepted, rejected = result.accepted, result.rejected
    for index, event in enumerate(items):
        if cloudevents:
            event = from_cloudevent(event)
            if type(event) is str:
                rejected.append((index, event))
                continue
        elif type(event) is not dict:
            rejected.append((index, "An event must be a JSON object"))
            continue
        if scan_read_only:
            result.read_only_fields_removed += _remove_read_only(event)
        if scan_nested:
            result.nested_values_stringified += _stringify_nested(event)
        sent = event.get("timestamp")
        if sent is None:
            epoch, stamp = now, ingest_time
        else:
            epoch = parse_timestamp(sent)
            if epoch is None:
                rejected.append((index, f"Invalid timestamp: {sent!r}"))
                continue
            if epoch < oldest:
                result.dropped_too_old += 1
                continue
            if epoch > latest:
                event["_original_timestamp"] = sent
                epoch = latest
                result.clamped_future += 1
            stamp = format_timestamp(epoch)
        event["timestamp"] = stamp
        event["_epoch"] = epoch
        event["event.kind"] = "BIZ_EVENT"
        if "event.id" not in event:
            event["event.id"] = f"{id_prefix}{index:012x}"
        accepted.append(event)
    return result


def _remove_read_only(event: dict[str, Any]) -> int:
    doomed = [key for key in event if key.startswith(READ_ONLY_PREFIXES)]
    for key in doomed:
        del event[key]
    return len(doomed)


def _stringify_nested(event: dict[str, Any]) -> int:
    changed = 0
    for key, value in event.items():
        kind = type(value)
        if kind is dict or (kind is list and any(type(item) in (dict, list) for item in value)):
            event[key] = orjson.dumps(value).decode()
            changed += 1
    return changed


def public_fields(event: dict[str, Any]) -> dict[str, Any]:
    """The event as a query would return it: without the receiver's underscore keys."""
    return {key: value for key, value in event.items() if not key.startswith("_")}


# --- storage ----------------------------------------------------------------------------------------


class EventStore:
    """Accepted events in arrival order, indexed by provider and id; safe to use from many threads."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._events: list[dict[str, Any]] = []
        self._by_provider: dict[str, list[dict[str, Any]]] = {}
        self._ids: set[Any] = set()

    def add(self, events: list[dict[str, Any]]) -> int:
        """Store the events; return how many carried an event.id already stored (retries, replays)."""
        duplicates = 0
        with self._condition:
            ids, by_provider = self._ids, self._by_provider
            for event in events:
                event_id = event["event.id"]
                if event_id in ids:
                    duplicates += 1
                else:
                    ids.add(event_id)
                provider = event.get("event.provider")
                bucket = by_provider.get(provider)
                if bucket is None:
                    bucket = by_provider[provider] = []
                bucket.append(event)
            self._events.extend(events)
            self._condition.notify_all()
        return duplicates

    def __len__(self) -> int:
        return len(self._events)

    def snapshot(self) -> list[dict[str, Any]]:
        with self._condition:
            return list(self._events)

    def event_ids(self) -> list[Any]:
        with self._condition:
            return [event["event.id"] for event in self._events]

    def for_provider(self, provider: str | None) -> list[dict[str, Any]]:
        with self._condition:
            return list(self._by_provider.get(provider, ()))

    def provider_counts(self) -> dict[Any, int]:
        with self._condition:
            return {provider: len(events) for provider, events in self._by_provider.items()}

    def wait_for(self, count: int, timeout: float) -> bool:
        """Block until at least ``count`` events are stored (for code that sends from another thread)."""
        with self._condition:
            return self._condition.wait_for(lambda: len(self._events) >= count, timeout)

    def clear(self) -> None:
        with self._condition:
            self._events = []
            self._by_provider = {}
            self._ids = set()
