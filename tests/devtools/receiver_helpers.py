"""Shared values and request helpers for the receiver tests."""

from __future__ import annotations

import orjson
import requests

from journeys.devtools.dynatrace_receiver import DynatraceReceiver

# 2026-11-20T00:00:00Z: a fixed "now" so timestamp rules are tested on simulated time.
NOW = 1_795_132_800.0


class FakeClock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def api_token(dt: DynatraceReceiver) -> dict[str, str]:
    return {"Authorization": f"Api-Token {dt.api_token}"}


def bearer(dt: DynatraceReceiver, *scopes: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {dt.issue_oauth_token(scopes)}"}


def post_events(
    http: requests.Session,
    dt: DynatraceReceiver,
    payload: object,
    *,
    content_type: str = "application/json",
    headers: dict[str, str] | None = None,
) -> requests.Response:
    body = payload if isinstance(payload, bytes) else orjson.dumps(payload)
    return http.post(
        dt.ingest_url, data=body, headers={"Content-Type": content_type, **api_token(dt), **(headers or {})}, timeout=5
    )
