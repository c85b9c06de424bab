"""Injected failures: the answers a tenant gives when it is unwell, on demand and in order.

Faults are checked before authentication, as a load balancer or throttling layer in front of the
tenant answers before the token is looked at. Each fault targets one endpoint kind (``"ingest"`` by
default) or ``"any"``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from .http import Response, error_response

ENDPOINT_KINDS = frozenset({"ingest", "settings", "documents", "query", "oauth", "any"})


@dataclass(slots=True)
class _Pending:
    endpoint: str
    remaining: int
    status: int
    retry_after: int | None  # set for throttling (429)


class FaultPlan:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[_Pending] = []  # consumed in the order they were asked for
        self._every_other_status: int | None = None
        self._every_other_seen = 0
        self._delay = 0.0

    def fail_next(self, count: int, status: int, endpoint: str) -> None:
        self._add(_Pending(_check_endpoint(endpoint), count, status, None))

    def throttle_next(self, count: int, retry_after: int, endpoint: str) -> None:
        self._add(_Pending(_check_endpoint(endpoint), count, 429, retry_after))

    def fail_every_other_batch(self, enabled: bool, status: int) -> None:
        with self._lock:
            self._every_other_status = status if enabled else None
            self._every_other_seen = 0

    def set_delay(self, seconds: float) -> None:
        with self._lock:
            self._delay = max(0.0, seconds)

    @property
    def delay(self) -> float:
        return self._delay

    def clear(self) -> None:
        with self._lock:
            self._pending.clear()
            self._every_other_status = None
            self._every_other_seen = 0
            self._delay = 0.0

    def _add(self, pending: _Pending) -> None:
        if pending.remaining > 0:
            with self._lock:
                self._pending.append(pending)

    def take(self, endpoint: str) -> Response | None:
        """The injected answer for this request, if one is due (and count it as used)."""
        with self._lock:
            for pending in self._pending:
                if pending.endpoint in (endpoint, "any"):
                    pending.remaining -= 1
                    if pending.remaining == 0:
                        self._pending.remove(pending)
                    return _answer(pending.status, pending.retry_after)
            if endpoint == "ingest" and self._every_other_status is not None:
                self._every_other_seen += 1
                # The first batch goes through, the second fails, and so on: a retry then succeeds.
                if self._every_other_seen % 2 == 0:
                    return _answer(self._every_other_status, None)
        return None


def _answer(status: int, retry_after: int | None) -> Response:
    if retry_after is not None:
        return error_response(status, "Too Many Requests", headers={"Retry-After": str(retry_after)})
    message = {503: "Service Unavailable", 500: "Internal Server Error", 502: "Bad Gateway", 504: "Gateway Timeout"}
    return error_response(status, message.get(status, "Injected failure"))


def _check_endpoint(endpoint: str) -> str:
    if endpoint not in ENDPOINT_KINDS:
        raise ValueError(f"endpoint must be one of {sorted(ENDPOINT_KINDS)}, not {endpoint!r}")
    return endpoint
