"""Tokens: the classic API token, OAuth client credentials, and the bearer tokens they are exchanged for.

Documented behaviour emulated here:
- Classic endpoints take ``Authorization: Api-Token <token>``; platform endpoints take
  ``Authorization: Bearer <token>``. A missing or unknown token answers 401, a token without the
  endpoint's scope 403 (both permanent for a client).
- ``POST https://sso.dynatrace.com/sso/oauth2/token`` (form: grant_type=client_credentials, client_id,
  client_secret, scope, resource) answers ``{access_token, token_type: "Bearer", expires_in, scope}``;
  tokens are short-lived (300 s), measured here on the injected clock.
"""

from __future__ import annotations

import base64
import secrets
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl

from .http import Request, Response, error_response, json_response, media_type

DEFAULT_API_TOKEN_SCOPES = frozenset({"bizevents.ingest", "settings.read", "settings.write"})
DEFAULT_TOKEN_TTL_SECONDS = 300


@dataclass(frozen=True, slots=True)
class Principal:
    scheme: str  # "Api-Token" or "Bearer"
    subject: str  # "api-token" or the OAuth client id
    scopes: frozenset[str]


@dataclass(slots=True)
class _IssuedToken:
    client_id: str
    scopes: frozenset[str]
    expires_at: float


class Authority:
    """Checks credentials on every request and issues OAuth tokens; thread-safe."""

    def __init__(
        self,
        *,
        api_token: str,
        api_token_scopes: Iterable[str],
        oauth_clients: Mapping[str, str],
        oauth_allowed_scopes: Iterable[str] | None,
        token_ttl: int,
        clock: Callable[[], float],
    ) -> None:
        self._lock = threading.Lock()
        self.api_token = api_token
        self._api_token_scopes = frozenset(api_token_scopes)
        self._clients = dict(oauth_clients)
        self._allowed_scopes = frozenset(oauth_allowed_scopes) if oauth_allowed_scopes is not None else None
        self._ttl = token_ttl
        self.clock = clock
        self._issued: dict[str, _IssuedToken] = {}
        self._rejecting = False
        self.token_requests = 0
        self.tokens_issued = 0

    # --- configuration, used by tests ---

    def set_api_token_scopes(self, scopes: Iterable[str]) -> None:
        with self._lock:
            self._api_token_scopes = frozenset(scopes)

    def reject_tokens(self, reject: bool) -> None:
        """While set, every API token and bearer token is refused with 401, as after a revocation."""
        with self._lock:
            self._rejecting = reject

    def revoke_oauth_tokens(self) -> None:
        with self._lock:
            self._issued.clear()

    def reset(self) -> None:
        with self._lock:
            self._issued.clear()
            self._rejecting = False
            self.token_requests = self.tokens_issued = 0

    def issue(self, client_id: str, scopes: Iterable[str]) -> tuple[str, int]:
        token = "dt0s03.receiver." + secrets.token_urlsafe(32)
        with self._lock:
            self._issued[token] = _IssuedToken(client_id, frozenset(scopes), self.clock() + self._ttl)
            self.tokens_issued += 1
        return token, self._ttl

    # --- checking requests ---

    def authenticate(self, request: Request, scheme: str, required: tuple[str, ...]) -> Principal | Response:
        """The caller, or the 401/403 response to send. Every scope in ``required`` must be granted."""
        header = request.header("Authorization").strip()
        if not header:
            return error_response(401, "Missing authorization parameter.")
        given_scheme, _, token = header.partition(" ")
        token = token.strip()
        if given_scheme.lower() != scheme.lower() or not token:
            return error_response(401, f"This endpoint takes 'Authorization: {scheme} <token>'.")
        with self._lock:
            if self._rejecting:
                return error_response(401, "Token Authentication failed")
            if scheme == "Api-Token":
                if not _same(token, self.api_token):
                    return error_response(401, "Token Authentication failed")
                principal = Principal(scheme, "api-token", self._api_token_scopes)
            else:
                issued = self._issued.get(token)
                if issued is None:
                    return error_response(401, "Token Authentication failed")
                if self.clock() >= issued.expires_at:
                    del self._issued[token]
                    return error_response(401, "The access token has expired")
                principal = Principal(scheme, issued.client_id, issued.scopes)
        missing = [scope for scope in required if scope not in principal.scopes]
        if missing:
            return error_response(403, f"Token is missing required scope(s): {', '.join(missing)}")
        return principal

    # --- the SSO token endpoint ---

    # Documented: POST https://sso.dynatrace.com/sso/oauth2/token, form-encoded client_credentials grant.
    def token_endpoint(self, request: Request) -> Response:
        with self._lock:
            self.token_requests += 1
        if media_type(request.header("Content-Type")) != "application/x-www-form-urlencoded":
            return _oauth_error(400, "invalid_request", "Content-Type must be application/x-www-form-urlencoded")
        form = dict(parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True))
        client_id, client_secret = form.get("client_id", ""), form.get("client_secret", "")
        basic = _basic_credentials(request.header("Authorization"))
        if basic and not client_id:
            client_id, client_secret = basic
        if form.get("grant_type") != "client_credentials":
            return _oauth_error(400, "unsupported_grant_type", "Only client_credentials is supported")
        expected = self._clients.get(client_id)
        if expected is None or not _same(client_secret, expected):
            return _oauth_error(401, "invalid_client", "Unknown client or wrong secret")
        scopes = form.get("scope", "").split()
        if not scopes:
            return _oauth_error(400, "invalid_scope", "Ask for at least one scope")
        if self._allowed_scopes is not None:
            refused = [scope for scope in scopes if scope not in self._allowed_scopes]
            if refused:
                return _oauth_error(400, "invalid_scope", f"Scope(s) not granted to this client: {' '.join(refused)}")
        resource = form.get("resource", "")
        if resource and not resource.startswith("urn:dt"):
            return _oauth_error(400, "invalid_request", "resource must look like urn:dtaccount:<uuid>")
        token, ttl = self.issue(client_id, scopes)
        payload = {"access_token": token, "token_type": "Bearer", "expires_in": ttl, "scope": " ".join(scopes)}
        if resource:
            payload["resource"] = resource
        return json_response(200, payload)


def _same(given: str, expected: str) -> bool:
    # compare_digest refuses non-ASCII str; a header can carry anything.
    return secrets.compare_digest(given.encode(), expected.encode())


def _oauth_error(status: int, error: str, description: str) -> Response:
    # OAuth 2.0 (RFC 6749 §5.2) error shape rather than the Dynatrace envelope: this is the SSO server.
    return json_response(status, {"error": error, "error_description": description})


def _basic_credentials(header: str) -> tuple[str, str] | None:
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        client_id, _, secret = base64.b64decode(value).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return None
    return client_id, secret
