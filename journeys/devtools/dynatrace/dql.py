"""The Grail query API, for the few DQL queries the product runs against business events.

Documented behaviour emulated here:
- ``POST /platform/storage/query/v1/query:execute`` with ``{"query": ...}`` answers 202
  ``{state: "RUNNING", requestToken, ttlSeconds}``; ``GET .../query:poll?request-token=`` answers
  ``{state: "SUCCEEDED", progress: 100, result: {records, types, metadata}}``.
- Long values such as ``count()`` come back as JSON strings, as Grail sends them.
- Without ``from:``/``to:`` in the query or ``defaultTimeframeStart``/``defaultTimeframeEnd`` in the
  body, a query looks at the last 2 hours only (the default timeframe). A "does this provider have
  data?" check over a 24 h backfill must therefore say ``fetch bizevents, from: now()-24h``.

Understood queries (anything else answers 400 with the grammar below)::

    fetch bizevents[, from: <time>][, to: <time>]
      [| filter event.provider == "<P>"]
      [| summarize count()[, by: {event.provider[, event.type]}] | limit <n>]

where ``<time>`` is ``now()``, ``now()-<n><s|m|h|d>``, ``-<n><unit>`` or a quoted ISO timestamp.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from .http import Request, Response, error_response, json_response
from .ingest import EventStore, format_timestamp, parse_timestamp, public_fields

DEFAULT_TIMEFRAME_HOURS = 2.0
DEFAULT_MAX_RESULT_RECORDS = 1000
RESULT_TTL_SECONDS = 600
GRAMMAR = (
    'fetch bizevents[, from: <time>][, to: <time>] [| filter event.provider == "<P>"] '
    "[| summarize count()[, by: {event.provider, event.type}] | limit <n>]"
)

_FETCH = re.compile(r"^fetch\s+bizevents\s*((?:,\s*(?:from|to)\s*:\s*[^,]+?\s*)*)$")
_TIME_ARG = re.compile(r",\s*(from|to)\s*:\s*([^,]+)")
_FILTER = re.compile(r'^filter\s+event\.provider\s*==\s*"((?:[^"\\]|\\.)*)"$')
_SUMMARIZE = re.compile(r"^summarize\s+count\(\)(?:\s*,\s*by\s*:\s*\{([^}]*)\})?$")
_LIMIT = re.compile(r"^limit\s+(\d+)$")
_RELATIVE = re.compile(r"^(?:now\(\))?\s*(?:-\s*(\d+(?:\.\d+)?)\s*(s|m|h|d))?$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_BY_FIELDS = ("event.provider", "event.type")


class QueryError(Exception):
    pass


@dataclass(slots=True)
class ParsedQuery:
    start: float
    end: float
    provider: str | None
    count_by: tuple[str, ...] | None  # None: return records; () : one total count
    limit: int | None


def _split_stages(query: str) -> list[str]:
    # Split on pipes outside double quotes, so a provider name may contain '|'.
    stages, current, quoted, escaped = [], [], False, False
    for char in query:
        if char == "|" and not quoted:
            stages.append("".join(current).strip())
            current = []
            continue
        if char == '"' and not escaped:
            quoted = not quoted
        escaped = char == "\\" and not escaped
        current.append(char)
    stages.append("".join(current).strip())
    return stages


def _parse_time(text: str, now: float) -> float:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        epoch = parse_timestamp(text[1:-1])
        if epoch is None:
            raise QueryError(f"Not a timestamp: {text}")
        return epoch
    match = _RELATIVE.match(text)
    if not match or not text:
        raise QueryError(f"Unsupported time expression {text!r}: use now(), now()-24h or -24h")
    amount, unit = match.groups()
    return now - (float(amount) * _UNIT_SECONDS[unit] if amount else 0.0)


def parse_query(query: str, *, now: float, default_start: float, default_end: float) -> ParsedQuery:
    stages = _split_stages(" ".join(query.split()))
    fetch = _FETCH.match(stages[0])
    if not fetch:
        raise QueryError(f"The receiver answers only: {GRAMMAR}")
    parsed = ParsedQuery(default_start, default_end, None, None, None)
    for name, value in _TIME_ARG.findall(fetch.group(1)):
        setattr(parsed, "start" if name == "from" else "end", _parse_time(value, now))
    rest = stages[1:]
    if rest and (match := _FILTER.match(rest[0])):
        parsed.provider = orjson.loads(f'"{match.group(1)}"')
        rest = rest[1:]
    if rest and (match := _SUMMARIZE.match(rest[0])):
        by = tuple(part.strip() for part in (match.group(1) or "").split(",") if part.strip())
        if any(name not in _BY_FIELDS for name in by):
            raise QueryError(f"summarize by: takes only {', '.join(_BY_FIELDS)}")
        parsed.count_by = by
        rest = rest[1:]
    elif rest and (match := _LIMIT.match(rest[0])):
        parsed.limit = int(match.group(1))
        rest = rest[1:]
    if rest:
        raise QueryError(f"Unsupported stage {rest[0]!r}. The receiver answers only: {GRAMMAR}")
    return parsed


def run_query(parsed: ParsedQuery, store: EventStore, max_records: int) -> list[dict[str, Any]]:
    events = store.for_provider(parsed.provider) if parsed.provider is not None else store.snapshot()
    start, end = parsed.start, parsed.end
    in_frame = [event for event in events if start <= event["_epoch"] < end]
    if parsed.count_by is None:
        in_frame.sort(key=lambda event: event["_epoch"], reverse=True)  # newest first, as a notebook shows
        limit = min(parsed.limit if parsed.limit is not None else max_records, max_records)
        return [public_fields(event) for event in in_frame[:limit]]
    if not parsed.count_by:
        return [{"count()": str(len(in_frame))}]
    groups: dict[tuple[Any, ...], int] = {}
    for event in in_frame:
        key = tuple(event.get(name) for name in parsed.count_by)
        groups[key] = groups.get(key, 0) + 1
    return [
        {**dict(zip(parsed.count_by, key, strict=True)), "count()": str(count)}
        for key, count in sorted(groups.items(), key=lambda item: str(item[0]))
    ]


def _types(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not records:
        return []
    mappings = {name: {"type": "long" if name == "count()" else "string"} for name in records[0]}
    if "timestamp" in mappings:
        mappings["timestamp"] = {"type": "timestamp"}
    return [{"indexRange": [0, len(records) - 1], "mappings": mappings}]


class QueryService:
    """Holds running queries between execute and poll; thread-safe."""

    def __init__(
        self, store: EventStore, clock: Callable[[], float], *, default_timeframe_hours: float, poll_rounds: int
    ) -> None:
        self._store = store
        self._clock = clock
        self._default_timeframe = default_timeframe_hours * 3600
        self.poll_rounds = poll_rounds  # how many polls answer RUNNING before SUCCEEDED
        self._lock = threading.Lock()
        self._queries: dict[str, dict[str, Any]] = {}
        self.executed: list[str] = []  # the query texts, for tests

    def clear(self) -> None:
        with self._lock:
            self._queries.clear()
            self.executed.clear()

    # Documented: POST /platform/storage/query/v1/query:execute (storage:bizevents:read).
    def execute(self, request: Request) -> Response:
        try:
            body = orjson.loads(request.body)
        except orjson.JSONDecodeError:
            body = None
        if not isinstance(body, dict) or not isinstance(body.get("query"), str):
            return error_response(400, 'The body must be {"query": "<DQL>"}')
        now = self._clock()
        try:
            default_start = _body_time(body, "defaultTimeframeStart", now - self._default_timeframe)
            default_end = _body_time(body, "defaultTimeframeEnd", now)
            parsed = parse_query(body["query"], now=now, default_start=default_start, default_end=default_end)
        except QueryError as exc:
            return error_response(400, str(exc))
        max_records = int(body.get("maxResultRecords") or DEFAULT_MAX_RESULT_RECORDS)
        # The answer is computed now, as a snapshot: events that arrive while the client polls do not count.
        records = run_query(parsed, self._store, max_records)
        token = secrets.token_urlsafe(24)
        result = {
            "records": records,
            "types": _types(records),
            "metadata": {
                "grail": {
                    "canonicalQuery": body["query"],
                    "query": body["query"],
                    "timezone": "Z",
                    "locale": "und",
                    "dqlVersion": "V1_0",
                    "scannedRecords": len(self._store),
                    "analysisTimeframe": {"start": format_timestamp(parsed.start), "end": format_timestamp(parsed.end)},
                }
            },
        }
        with self._lock:
            self.executed.append(body["query"])
            self._queries[token] = {
                "result": result,
                "polls_left": self.poll_rounds,
                "expires": now + RESULT_TTL_SECONDS,
            }
        return json_response(202, {"state": "RUNNING", "requestToken": token, "ttlSeconds": RESULT_TTL_SECONDS})

    # Documented: GET /platform/storage/query/v1/query:poll?request-token=<token>.
    def poll(self, request: Request) -> Response:
        token = request.query.get("request-token", "")
        if not token:
            return error_response(400, "The request-token query parameter is required")
        with self._lock:
            query = self._queries.get(token)
            if query is None or self._clock() >= query["expires"]:
                self._queries.pop(token, None)
                return error_response(410, "The query is unknown or its result has expired")
            if query["polls_left"] > 0:
                query["polls_left"] -= 1
                return json_response(200, {"state": "RUNNING", "progress": 50, "ttlSeconds": RESULT_TTL_SECONDS})
        return json_response(
            200, {"state": "SUCCEEDED", "progress": 100, "ttlSeconds": RESULT_TTL_SECONDS, "result": query["result"]}
        )


def _body_time(body: dict[str, Any], name: str, default: float) -> float:
    value = body.get(name)
    if value is None:
        return default
    epoch = parse_timestamp(value) if isinstance(value, str) else None
    if epoch is None:
        raise QueryError(f"{name} must be an ISO 8601 timestamp")
    return epoch
