"""How BizFlow Studio proves itself to a Dynatrace environment: a classic API token or an OAuth client.

- Classic API token: ``Authorization: Api-Token <token>`` on the environment's classic API
  (``https://{env}.live.dynatrace.com/api/v2/...``); ingest needs the ``bizevents.ingest`` scope.
- Platform OAuth client: its id and secret are exchanged at the SSO token URL for a short-lived
  bearer token (client credentials grant), sent as ``Authorization: Bearer <token>`` to the platform
  (``https://{env}.apps.dynatrace.com/platform/...``); ingest needs ``storage:events:write``.
  The token is cached until shortly before it expires, and fetched again after a 401.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterable

from ..base import DeliveryError
from ..http import AuthRejected, DestinationRefused, HttpClient, HttpFailure, describe_response, redact, setting

DEFAULT_TOKEN_URL = "https://sso.dynatrace.com/sso/oauth2/token"
INGEST_TOKEN_SCOPE = "bizevents.ingest"
INGEST_OAUTH_SCOPE = "storage:events:write"
_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
ACCOUNT_URN = re.compile(rf"^(?:urn:dtaccount:)?(?P<uuid>{_UUID})$")


def normalize_account_urn(value: str) -> str:
    """``urn:dtaccount:<uuid>`` from that form or from the bare account UUID; ValueError otherwise."""
    match = ACCOUNT_URN.match(value.strip())
    if not match:
        raise ValueError("enter the account UUID or urn:dtaccount:<account UUID> (Account Management shows it)")
    return f"urn:dtaccount:{match['uuid'].lower()}"


class ApiTokenAuth:
    kind = "api_token"
    refreshable = False

    def __init__(self, token: str):
        if not token:
            raise DeliveryError("no API token is set for this destination", permanent=True)
        self._token = token

    def authorization(self, http: HttpClient) -> str:
        return f"Api-Token {self._token}"

    def invalidate(self) -> None:
        """Nothing to refresh: a rejected API token stays rejected."""

    def sensitive(self) -> tuple[str, ...]:
        return (self._token,)

    def auth_messages(self, scope: str | None) -> dict[int, str]:
        needs = f"the {scope} scope" if scope else "the scope this call needs"
        return {
            401: f"token rejected: check the API token is correct, not expired or revoked, and has {needs}",
            403: f"missing scope: the API token is valid but needs {needs}",
        }


class OAuthClientAuth:
    """Client credentials for the Dynatrace platform, with the bearer token cached until near expiry."""

    kind = "oauth"
    refreshable = True

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        account_urn: str,
        *,
        scopes: Iterable[str] = (INGEST_OAUTH_SCOPE,),
        token_url: str | None = None,
        clock: Callable[[], float] = time.time,
        refresh_margin: float = 30.0,
    ):
        if not (client_id and client_secret and account_urn):
            raise DeliveryError("the OAuth client id, secret and account URN must all be set", permanent=True)
        self.client_id = client_id
        self._secret = client_secret
        self.resource = normalize_account_urn(account_urn)
        self.scopes = tuple(scopes)
        self.token_url = token_url or setting("DYNATRACE_SSO_TOKEN_URL", DEFAULT_TOKEN_URL)
        self.clock = clock
        self.refresh_margin = refresh_margin
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires_at = 0.0
        self.fetches = 0  # token requests made, for tests and diagnostics

    def authorization(self, http: HttpClient) -> str:
        with self._lock:
            if self._token is None or self.clock() >= self._expires_at:
                self._fetch(http)
            return f"Bearer {self._token}"

    def invalidate(self) -> None:
        with self._lock:
            self._token = None

    def sensitive(self) -> tuple[str, ...]:
        return tuple(value for value in (self._secret, self._token) if value)

    def auth_messages(self, scope: str | None) -> dict[int, str]:
        needs = f"the {scope} scope" if scope else "the scope this call needs"
        return {
            401: "bearer token rejected: check the OAuth client is still active and belongs to this environment's "
            "account",
            403: f"missing scope: the OAuth client (and its service user) needs {needs} for this environment",
        }

    def _fetch(self, http: HttpClient) -> None:
        # Client credentials grant at Dynatrace SSO:
        # https://docs.dynatrace.com/docs/manage/identity-access-management/access-tokens-and-oauth-clients/oauth-clients
        form = {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self._secret,
            "scope": " ".join(self.scopes),
            "resource": self.resource,
        }
        secrets = (self._secret, self.client_id)
        messages = {
            401: "OAuth client rejected: check the client id and client secret",
            403: "OAuth client refused: check the client is allowed for this account",
        }
        try:
            response = http.request("POST", self.token_url, data=form, auth_messages=messages, sensitive=secrets)
        except AuthRejected:
            raise
        except DestinationRefused as exc:
            raise DestinationRefused(f"cannot get an OAuth token: {exc.message}") from None
        except DeliveryError as exc:
            raise HttpFailure(
                f"cannot get an OAuth token: {exc.message}",
                status=getattr(exc, "status", None),
                permanent=exc.permanent,
                retry_after=exc.retry_after,
            ) from None
        if response.status_code != 200:
            raise DeliveryError(self._refusal(response, secrets), permanent=response.status_code < 500)
        try:
            payload = response.json()
            token = str(payload["access_token"])
            lifetime = float(payload.get("expires_in") or 300)
        except (ValueError, KeyError, TypeError):
            raise DeliveryError(
                "the SSO token URL answered without an access token: check the token URL", permanent=True
            ) from None
        self._token = token
        # Refresh a little early, so a token never expires between the check and the request.
        self._expires_at = self.clock() + max(lifetime - min(self.refresh_margin, lifetime / 4), 0.0)
        self.fetches += 1

    def _refusal(self, response, secrets: tuple[str, ...]) -> str:
        reason = redact(describe_response(response), secrets)
        if "invalid_scope" in reason:
            return f"OAuth client lacks a scope: grant it {', '.join(self.scopes)} in Account Management ({reason})"
        if "invalid_client" in reason:
            return f"OAuth client rejected: check the client id and client secret ({reason})"
        return f"the SSO token URL refused the OAuth client: {reason}"
