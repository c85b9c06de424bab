"""Ask a tenant whether a provider already has business events, as a Notebook user would.

Before the first backfill, the reference generator looks for ``fetch bizevents | filter
event.provider == "<P>"`` and only backfills an empty provider. We ask the same question through the
Grail query API: start the query, then poll it with its request token until it has an answer.

``None`` means "could not tell" (the credentials cannot run DQL queries, the tenant did not answer
in time): the caller decides what to do, and the message says why in words for the user.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from journeys.assets import dql
from journeys.sinks.base import DeliveryError

QUERY_EXECUTE = "/platform/storage/query/v1/query:execute"
QUERY_POLL = "/platform/storage/query/v1/query:poll"
QUERY_SCOPE = "storage:bizevents:read"
LOOKBACK = "now()-24h"  # Dynatrace keeps ingesting only the last 24 h: older events cannot be ours
POLL_WAIT_MS = 2000  # how long one poll may wait on the server for the result
MAX_WAIT_SECONDS = 30.0


def provider_query(provider: str) -> str:
    return f"fetch bizevents, from: {LOOKBACK}\n| filter event.provider == {dql.string(provider)}\n| summarize count()"


def _count(result: dict[str, Any]) -> int:
    records = result.get("records") or []
    if not records:
        return 0
    return int(records[0].get("count()") or 0)  # Grail sends longs as strings


class ProbeFailed(Exception):
    """The tenant could not be asked; the message says why, in words for the user."""


def provider_event_count(
    client: Any,
    provider: str,
    *,
    max_wait: float = MAX_WAIT_SECONDS,
    clock: Callable[[], float] = time.monotonic,
) -> int:
    """How many business events ``provider`` has in the tenant over the last 24 hours.

    Raises :class:`ProbeFailed` when the tenant cannot be asked or gives no answer in ``max_wait``.
    """
    body = {"query": provider_query(provider), "requestTimeoutMilliseconds": POLL_WAIT_MS, "maxResultRecords": 1}
    deadline = clock() + max_wait
    try:
        # Grail query API: https://docs.dynatrace.com/docs/dynatrace-api/platform-api/platform-storage-query-v1
        response = client.request("POST", QUERY_EXECUTE, scope=QUERY_SCOPE, json=body)
        payload = _answer(response)
        while payload.get("state") not in ("SUCCEEDED", "FAILED", "CANCELLED"):
            token = payload.get("requestToken")
            if not token:
                raise ProbeFailed("the tenant started the query but sent no request token to poll it with")
            if clock() >= deadline:
                raise ProbeFailed(f"the tenant did not answer the query within {max_wait:g} s")
            response = client.request(
                "GET",
                QUERY_POLL,
                scope=QUERY_SCOPE,
                params={"request-token": token, "request-timeout-milliseconds": POLL_WAIT_MS},
            )
            payload = {"requestToken": token, **_answer(response)}
    except DeliveryError as exc:
        if getattr(exc, "status", None) in (401, 403):
            raise ProbeFailed(
                f"these credentials cannot read business events with DQL (they need the {QUERY_SCOPE} scope, "
                f"through an OAuth client or platform token): {exc}"
            ) from None
        raise ProbeFailed(str(exc)) from None
    if payload["state"] != "SUCCEEDED":
        raise ProbeFailed(f"the tenant's query ended {payload['state'].lower()}")
    return _count(payload.get("result") or {})


def provider_has_events(
    client: Any,
    provider: str,
    *,
    max_wait: float = MAX_WAIT_SECONDS,
    clock: Callable[[], float] = time.monotonic,
) -> tuple[bool | None, str]:
    """(True/False, what was found) or (None, why the tenant could not be asked)."""
    try:
        count = provider_event_count(client, provider, max_wait=max_wait, clock=clock)
    except ProbeFailed as exc:
        return None, f"Could not ask the tenant: {exc}"
    if count:
        return True, f"The tenant has {count} business events from {provider} in the last 24 hours."
    return False, f"The tenant has no business events from {provider} in the last 24 hours."


def _answer(response: Any) -> dict[str, Any]:
    try:
        payload = response.json()
    except ValueError:
        payload = None
    if response.status_code not in (200, 202):
        error = payload.get("error") if isinstance(payload, dict) else None
        reason = error.get("message") if isinstance(error, dict) else response.text[:200]
        raise ProbeFailed(f"the tenant refused the query (HTTP {response.status_code}): {reason}")
    if not isinstance(payload, dict):
        raise ProbeFailed("the tenant answered the query with something that is not a JSON object")
    return payload
