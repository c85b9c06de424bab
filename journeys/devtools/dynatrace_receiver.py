"""A local stand-in for a Dynatrace tenant, for tests, benchmarks and trying the product by hand.

No tenant is reachable from our machines, so sinks are tested against this receiver, which answers
as the documented APIs do (business events ingest, Settings 2.0 for Business Flow, Documents, Grail
queries, SSO OAuth tokens) and can be told to misbehave. Plain Python, no Django::

    with DynatraceReceiver() as dt:
        requests.post(dt.ingest_url, json=[...], headers={"Authorization": f"Api-Token {dt.api_token}"})
        assert dt.counters["events_accepted"] == ...

    python -m journeys.devtools.dynatrace_receiver --port 8787

The documented behaviour and the receiver's own choices are described at the top of each module in
``journeys/devtools/dynatrace/``. The receiver's "now" is ``clock()`` (epoch seconds), injectable so
tests can replay simulated time; only ``delay_seconds`` uses real time.
"""

from __future__ import annotations

import argparse
import re
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .dynatrace.auth import DEFAULT_API_TOKEN_SCOPES, DEFAULT_TOKEN_TTL_SECONDS, Authority, Principal
from .dynatrace.documents import DocumentStore
from .dynatrace.dql import DEFAULT_TIMEFRAME_HOURS, QueryService
from .dynatrace.faults import FaultPlan
from .dynatrace.http import Request, Response, error_response, json_response, violation
from .dynatrace.ingest import (
    DEFAULT_MAX_BODY_BYTES,
    EventStore,
    IngestError,
    decode_body,
    normalize_events,
    public_fields,
)
from .dynatrace.server import HttpRunner
from .dynatrace.settings_api import SettingsStore

DEFAULT_API_TOKEN = "dt0c01.TEST"
DEFAULT_OAUTH_CLIENTS = {"dt0s02.TEST": "dt0s02.TEST.SECRET"}
CLASSIC_PREFIX = "/api/v2"
PLATFORM_CLASSIC_PREFIX = "/platform/classic/environment-api/v2"
DOCUMENTS_PATH = "/platform/document/v1/documents"
QUERY_PREFIX = "/platform/storage/query/v1"
TOKEN_PATH = "/sso/oauth2/token"
QUERY_SCOPES = ("storage:bizevents:read", "storage:buckets:read")
COUNTER_NAMES = (
    "requests",
    "ingest_requests",
    "bytes_received",
    "events_received",
    "events_accepted",
    "events_rejected",
    "dropped_too_old",
    "clamped_future",
    "duplicate_event_ids",
    "read_only_fields_removed",
    "nested_values_stringified",
    "injected_failures",
    "injected_throttles",
    "auth_failures",
)
MAX_VIOLATIONS_REPORTED = 100


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One line of the request log."""

    method: str
    path: str
    status: int
    count: int  # business events in the body (ingest), else 0
    accepted: int  # of which stored
    bytes: int  # body size as sent (compressed size for gzip)
    endpoint: str  # ingest, settings, documents, query, oauth, control or unknown
    at: float  # receiver clock


Handler = Callable[[Request, Principal | None, re.Match[str]], Response]


@dataclass(frozen=True, slots=True)
class _Route:
    method: str
    pattern: re.Pattern[str]
    endpoint: str  # the fault-injection kind
    scheme: str | None  # "Api-Token", "Bearer", or None for no authentication
    scopes: tuple[str, ...]
    handler: Handler


class DynatraceReceiver:
    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        api_token: str = DEFAULT_API_TOKEN,
        api_token_scopes: Iterable[str] = DEFAULT_API_TOKEN_SCOPES,
        oauth_clients: Mapping[str, str] | None = None,
        oauth_allowed_scopes: Iterable[str] | None = None,
        oauth_token_ttl: int = DEFAULT_TOKEN_TTL_SECONDS,
        clock: Callable[[], float] = time.time,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        accept_gzip: bool = True,
        dql_default_timeframe_hours: float = DEFAULT_TIMEFRAME_HOURS,
        query_poll_rounds: int = 0,
        request_log_limit: int = 100_000,
        verbose: bool = False,
    ) -> None:
        self._clock = clock
        now = self.now  # components read the clock through this, so set_clock() reaches them all
        self.max_body_bytes = max_body_bytes
        self.accept_gzip = accept_gzip
        self._lock = threading.Lock()
        self._counters: Counter[str] = Counter(dict.fromkeys(COUNTER_NAMES, 0))
        self._requests: deque[RequestRecord] = deque(maxlen=request_log_limit)
        self._events = EventStore()
        self._authority = Authority(
            api_token=api_token,
            api_token_scopes=api_token_scopes,
            oauth_clients=DEFAULT_OAUTH_CLIENTS if oauth_clients is None else oauth_clients,
            oauth_allowed_scopes=oauth_allowed_scopes,
            token_ttl=oauth_token_ttl,
            clock=now,
        )
        self._settings = SettingsStore(now)
        self._documents = DocumentStore(now)
        self._queries = QueryService(
            self._events, now, default_timeframe_hours=dql_default_timeframe_hours, poll_rounds=query_poll_rounds
        )
        self._faults = FaultPlan()
        self._routes = self._build_routes()
        self._runner = HttpRunner(host, port, self.handle, verbose=verbose)

    # --- lifecycle ------------------------------------------------------------------------------------

    def start(self) -> DynatraceReceiver:
        self._runner.start()
        return self

    def stop(self) -> None:
        self._runner.stop()

    def __enter__(self) -> DynatraceReceiver:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<DynatraceReceiver {self.url} events={len(self._events)}>"

    @property
    def host(self) -> str:
        return self._runner.host

    @property
    def port(self) -> int:
        return self._runner.port

    @property
    def url(self) -> str:
        """Base URL, standing for both https://{env}.live.dynatrace.com and https://{env}.apps.dynatrace.com."""
        return f"http://{self.host}:{self.port}"

    @property
    def ingest_url(self) -> str:
        return self.url + CLASSIC_PREFIX + "/bizevents/ingest"

    @property
    def platform_ingest_url(self) -> str:
        return self.url + PLATFORM_CLASSIC_PREFIX + "/bizevents/ingest"

    @property
    def token_url(self) -> str:
        """Stands for https://sso.dynatrace.com/sso/oauth2/token."""
        return self.url + TOKEN_PATH

    @property
    def api_token(self) -> str:
        return self._authority.api_token

    def now(self) -> float:
        return self._clock()

    def set_clock(self, clock: Callable[[], float]) -> None:
        self._clock = clock

    # --- what was received ----------------------------------------------------------------------------

    @property
    def events(self) -> list[dict[str, Any]]:
        """Accepted events in arrival order (a copy of the list; the dicts are the stored ones)."""
        return self._events.snapshot()

    @property
    def event_count(self) -> int:
        return len(self._events)

    def event_ids(self) -> list[Any]:
        return self._events.event_ids()

    def events_for_provider(self, provider: str) -> list[dict[str, Any]]:
        return self._events.for_provider(provider)

    def wait_for_events(self, count: int, timeout: float = 5.0) -> bool:
        return self._events.wait_for(count, timeout)

    @property
    def counters(self) -> dict[str, int]:
        with self._lock:
            snapshot = dict(self._counters)
        snapshot["token_requests"] = self._authority.token_requests
        snapshot["tokens_issued"] = self._authority.tokens_issued
        return snapshot

    @property
    def requests(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._requests)

    @property
    def settings_objects(self) -> list[dict[str, Any]]:
        return self._settings.objects()

    @property
    def documents(self) -> list[dict[str, Any]]:
        return self._documents.documents()

    @property
    def executed_queries(self) -> list[str]:
        return list(self._queries.executed)

    def reset(self) -> None:
        """Forget everything received and every injected fault; configuration and the socket stay."""
        self._events.clear()
        self._settings.clear()
        self._documents.clear()
        self._queries.clear()
        self._authority.reset()
        self._faults.clear()
        with self._lock:
            self._counters = Counter(dict.fromkeys(COUNTER_NAMES, 0))
            self._requests.clear()

    # --- fault injection and runtime configuration ----------------------------------------------------

    def fail_next(self, count: int = 1, status: int = 503, *, endpoint: str = "ingest") -> None:
        self._faults.fail_next(count, status, endpoint)

    def throttle_next(self, count: int = 1, retry_after: int = 1, *, endpoint: str = "ingest") -> None:
        self._faults.throttle_next(count, retry_after, endpoint)

    def fail_every_other_batch(self, enabled: bool = True, status: int = 503) -> None:
        self._faults.fail_every_other_batch(enabled, status)

    def delay_seconds(self, seconds: float) -> None:
        """Answer every request this many (real) seconds late; 0 turns it off."""
        self._faults.set_delay(seconds)

    def clear_faults(self) -> None:
        self._faults.clear()
        self._authority.reject_tokens(False)

    def set_down(self) -> None:
        """Close the listening socket and cut open connections: clients get connection refused."""
        self._runner.stop()

    def set_up(self) -> None:
        """Listen again, on the same port."""
        self._runner.start()

    @property
    def is_up(self) -> bool:
        return self._runner.running

    def reject_token(self, reject: bool = True) -> None:
        """Refuse every API and bearer token with 401 (as after a revocation) until called with False."""
        self._authority.reject_tokens(reject)

    def revoke_oauth_tokens(self) -> None:
        self._authority.revoke_oauth_tokens()

    def set_api_token_scopes(self, scopes: Iterable[str]) -> None:
        self._authority.set_api_token_scopes(scopes)

    def set_max_body_bytes(self, limit: int) -> None:
        self.max_body_bytes = limit

    def issue_oauth_token(self, scopes: Iterable[str], client_id: str = "test") -> str:
        """A bearer token without the HTTP round trip, for tests that are not about OAuth."""
        return self._authority.issue(client_id, scopes)[0]

    # --- routing --------------------------------------------------------------------------------------

    def _build_routes(self) -> list[_Route]:
        return [
            *self._ingest_routes(),
            *self._settings_routes(),
            *self._document_routes(),
            *self._query_routes(),
            *self._service_routes(),
        ]

    def _ingest_routes(self) -> list[_Route]:
        return [
            _route(
                "POST", CLASSIC_PREFIX + "/bizevents/ingest", "ingest", "Api-Token", ("bizevents.ingest",), self._ingest
            ),
            _route(
                "POST",
                PLATFORM_CLASSIC_PREFIX + "/bizevents/ingest",
                "ingest",
                "Bearer",
                ("storage:events:write",),
                self._ingest,
            ),
        ]

    def _settings_routes(self) -> list[_Route]:
        settings, routes = self._settings, []
        for prefix, scheme, read, write in (
            (CLASSIC_PREFIX, "Api-Token", "settings.read", "settings.write"),
            (PLATFORM_CLASSIC_PREFIX, "Bearer", "settings:objects:read", "settings:objects:write"),
        ):
            objects = prefix + "/settings/objects"
            routes += [
                _route("POST", objects, "settings", scheme, (write,), lambda r, p, m: settings.create(r)),
                _route("GET", objects, "settings", scheme, (read,), lambda r, p, m: settings.list(r)),
                _route(
                    "GET",
                    objects + "/(?P<id>[^/]+)",
                    "settings",
                    scheme,
                    (read,),
                    lambda r, p, m: settings.get(m["id"]),
                ),
                _route(
                    "PUT",
                    objects + "/(?P<id>[^/]+)",
                    "settings",
                    scheme,
                    (write, read),
                    lambda r, p, m: settings.update(m["id"], r),
                ),
            ]
        return routes

    def _document_routes(self) -> list[_Route]:
        documents, read, write = self._documents, ("document:documents:read",), ("document:documents:write",)
        return [
            _route(
                "POST", DOCUMENTS_PATH, "documents", "Bearer", write, lambda r, p, m: documents.create(r, _subject(p))
            ),
            _route("GET", DOCUMENTS_PATH, "documents", "Bearer", read, lambda r, p, m: documents.list(r)),
            _route(
                "GET",
                DOCUMENTS_PATH + "/(?P<id>[^/]+)(?:/(?P<part>metadata|content))?",
                "documents",
                "Bearer",
                read,
                lambda r, p, m: documents.get(m["id"], m["part"] or ""),
            ),
            _route(
                "PATCH",
                DOCUMENTS_PATH + "/(?P<id>[^/]+)",
                "documents",
                "Bearer",
                write,
                lambda r, p, m: documents.update(m["id"], r, _subject(p)),
            ),
        ]

    def _query_routes(self) -> list[_Route]:
        queries = self._queries
        return [
            _route(
                "POST",
                QUERY_PREFIX + "/query:execute",
                "query",
                "Bearer",
                QUERY_SCOPES,
                lambda r, p, m: queries.execute(r),
            ),
            _route(
                "GET", QUERY_PREFIX + "/query:poll", "query", "Bearer", QUERY_SCOPES, lambda r, p, m: queries.poll(r)
            ),
        ]

    def _service_routes(self) -> list[_Route]:
        return [
            _route("POST", TOKEN_PATH, "oauth", None, (), lambda r, p, m: self._authority.token_endpoint(r)),
            # Not Dynatrace: lets a benchmark or a person read and clear a receiver run from the CLI.
            _route("GET", "/_receiver/stats", "control", None, (), lambda r, p, m: self._stats()),
            _route("POST", "/_receiver/reset", "control", None, (), lambda r, p, m: self._reset_response()),
            _route("GET", "/_receiver/events", "control", None, (), lambda r, p, m: self._events_response(r)),
        ]

    def _resolve(self, request: Request) -> tuple[_Route | None, re.Match[str] | None, int]:
        path_matched = False
        for candidate in self._routes:
            match = candidate.pattern.match(request.path)
            if match:
                if candidate.method == request.method:
                    return candidate, match, 200
                path_matched = True
        return None, None, 405 if path_matched else 404

    def handle(self, request: Request) -> Response:
        """Answer one request; the HTTP server calls this from its connection threads."""
        delay = self._faults.delay
        if delay:
            time.sleep(delay)
        route, match, status = self._resolve(request)
        endpoint = route.endpoint if route else "unknown"
        if route is None or match is None:
            response = error_response(status, f"No {request.method} endpoint at {request.path}")
        else:
            response = self._handle_route(route, match, request)
        self._record(request, response, endpoint)
        return response

    def _handle_route(self, route: _Route, match: re.Match[str], request: Request) -> Response:
        if route.endpoint != "control":
            injected = self._faults.take(route.endpoint)
            if injected is not None:
                with self._lock:
                    self._counters["injected_throttles" if injected.status == 429 else "injected_failures"] += 1
                return injected
        principal = None
        if route.scheme is not None:
            checked = self._authority.authenticate(request, route.scheme, route.scopes)
            if isinstance(checked, Response):
                with self._lock:
                    self._counters["auth_failures"] += 1
                return checked
            principal = checked
        if request.body_too_large:
            return error_response(413, "Payload too large")
        return route.handler(request, principal, match)

    def _record(self, request: Request, response: Response, endpoint: str) -> None:
        size = len(request.body) if not request.body_too_large else int(request.header("Content-Length") or 0)
        record = RequestRecord(
            request.method,
            request.path,
            response.status,
            response.event_count,
            response.accepted_count,
            size,
            endpoint,
            self._clock(),
        )
        with self._lock:
            self._counters["requests"] += 1
            self._counters["bytes_received"] += size
            if endpoint == "ingest":
                self._counters["ingest_requests"] += 1
            self._requests.append(record)

    # --- endpoints kept here ----------------------------------------------------------------------------

    # Documented: POST /api/v2/bizevents/ingest (Api-Token, bizevents.ingest) and
    # POST /platform/classic/environment-api/v2/bizevents/ingest (Bearer, storage:events:write).
    def _ingest(self, request: Request, principal: Principal | None, match: re.Match[str]) -> Response:
        now = self._clock()  # one receive time per request, as the 24 h / 10 min rules are relative to it
        try:
            items, cloudevents, raw = decode_body(
                request.body,
                content_type=request.header("Content-Type"),
                content_encoding=request.header("Content-Encoding"),
                accept_gzip=self.accept_gzip,
                max_bytes=self.max_body_bytes,
            )
        except IngestError as exc:
            return error_response(exc.status, exc.message)
        result = normalize_events(items, now=now, raw=raw, cloudevents=cloudevents)
        duplicates = self._events.add(result.accepted) if result.accepted else 0
        with self._lock:
            counters = self._counters
            counters["events_received"] += result.received
            counters["events_accepted"] += len(result.accepted)
            counters["events_rejected"] += len(result.rejected)
            counters["dropped_too_old"] += result.dropped_too_old
            counters["clamped_future"] += result.clamped_future
            counters["duplicate_event_ids"] += duplicates
            counters["read_only_fields_removed"] += result.read_only_fields_removed
            counters["nested_values_stringified"] += result.nested_values_stringified
        if result.rejected:
            reported = result.rejected[:MAX_VIOLATIONS_REPORTED]
            violations = [violation(f"[{index}]", reason) for index, reason in reported]
            response = error_response(
                400,
                f"{len(result.rejected)} of {result.received} events were invalid and not ingested; "
                f"the other {result.received - len(result.rejected)} were accepted",
                violations=violations,
            )
        else:
            response = Response(202)  # documented: "Accepted. Response doesn't have a body."
        response.event_count, response.accepted_count = result.received, len(result.accepted)
        return response

    def _stats(self) -> Response:
        return json_response(
            200,
            {
                "url": self.url,
                "events": len(self._events),
                "counters": self.counters,
                "providers": self._events.provider_counts(),
            },
        )

    def _reset_response(self) -> Response:
        self.reset()
        return Response(204)

    def _events_response(self, request: Request) -> Response:
        provider = request.query.get("provider")
        events = self._events.for_provider(provider) if provider is not None else self._events.snapshot()
        limit = int(request.query.get("limit") or 100)
        return json_response(200, [public_fields(event) for event in events[-limit:]])


def _route(
    method: str, path: str, endpoint: str, scheme: str | None, scopes: tuple[str, ...], handler: Handler
) -> _Route:
    return _Route(method, re.compile(f"^{path}$"), endpoint, scheme, scopes, handler)


def _subject(principal: Principal | None) -> str:
    return principal.subject if principal is not None else "anonymous"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A local Dynatrace tenant for BizFlow Studio.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8787)
    parser.add_argument("--api-token", default=DEFAULT_API_TOKEN)
    parser.add_argument(
        "--oauth-client",
        action="append",
        metavar="ID:SECRET",
        help=f"may repeat; default {next(iter(DEFAULT_OAUTH_CLIENTS))}:<its secret>",
    )
    parser.add_argument("--max-body-bytes", type=int, default=DEFAULT_MAX_BODY_BYTES)
    parser.add_argument("--no-gzip", action="store_true", help="do not decode Content-Encoding: gzip")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = parser.parse_args(argv)
    clients = dict(item.split(":", 1) for item in args.oauth_client) if args.oauth_client else None
    receiver = DynatraceReceiver(
        args.host,
        args.port,
        api_token=args.api_token,
        oauth_clients=clients,
        max_body_bytes=args.max_body_bytes,
        accept_gzip=not args.no_gzip,
        verbose=args.verbose,
    )
    receiver.start()
    oauth = ", ".join(f"{cid}:{secret}" for cid, secret in (clients or DEFAULT_OAUTH_CLIENTS).items())
    print(
        f"Dynatrace receiver on {receiver.url}\n  Api-Token {receiver.api_token}\n  OAuth clients {oauth}\n"
        f"  token URL {receiver.token_url}\n  stats {receiver.url}/_receiver/stats   (Ctrl-C stops)",
        flush=True,
    )
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        receiver.stop()
        print({name: value for name, value in receiver.counters.items() if value})


if __name__ == "__main__":
    main()
