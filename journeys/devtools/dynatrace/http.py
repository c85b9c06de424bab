"""Transport-independent request and response values, and Dynatrace-shaped error bodies.

The endpoints take a :class:`Request` and return a :class:`Response`, so the logic can be exercised
without sockets and the HTTP layer (``server.py``) stays a thin adapter.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson


@dataclass(slots=True)
class Request:
    method: str
    path: str  # without the query string
    query: dict[str, str]  # last value wins, as the endpoints never take repeated parameters
    headers: Mapping[str, str]  # case-insensitive in practice (http.client.HTTPMessage)
    body: bytes = b""
    # The body was larger than the transport is willing to hold: it was read and discarded.
    body_too_large: bool = False

    def header(self, name: str) -> str:
        return self.headers.get(name) or ""


@dataclass(slots=True)
class Response:
    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    # Business events the request carried and how many were stored (ingest only), for the request log.
    event_count: int = 0
    accepted_count: int = 0


def json_response(status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(status, orjson.dumps(payload), "application/json", headers or {})


def violation(path: str, message: str) -> dict[str, Any]:
    """One entry of ``constraintViolations``, shaped like the Dynatrace error envelope's."""
    return {"path": path, "message": message, "parameterLocation": "PAYLOAD_BODY", "location": None}


def error_body(status: int, message: str, violations: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": status, "message": message}
    if violations:
        error["constraintViolations"] = violations
    return {"error": error}


def error_response(
    status: int,
    message: str,
    *,
    violations: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """The ``{"error": {"code", "message", "constraintViolations"?}}`` envelope Dynatrace APIs answer with."""
    return json_response(status, error_body(status, message, violations), headers)


def media_type(content_type: str) -> str:
    """``application/json; charset=utf-8`` -> ``application/json``."""
    return content_type.split(";", 1)[0].strip().lower()


def content_type_param(content_type: str, name: str) -> str:
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == name:
            return value.strip().strip('"')
    return ""
