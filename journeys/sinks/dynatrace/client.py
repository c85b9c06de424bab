"""A Dynatrace environment as one object: its URLs, its credentials and the HTTP base.

The ingest sink and the asset push (Settings, Documents and DQL query APIs) both talk to Dynatrace
through :class:`DynatraceClient`, so they share URL handling, token caching and the retry policy::

    client = DynatraceClient.from_destination(config, secrets)
    client.ingest(b'[{"event.provider": "acme.shop"}]')
    client.request("POST", "/api/v2/settings/objects", json=[...], scope="settings.write")
    client.request("POST", "/platform/storage/query/v1/query:execute", json={...})

Paths are given in their classic form (``/api/v2/...``) or platform form (``/platform/...``). With an
API token, classic paths go to the classic host (``{env}.live.dynatrace.com``); with an OAuth client,
classic paths are reached through the platform (``{env}.apps.dynatrace.com/platform/classic/
environment-api/v2/...``), which is the only place bearer tokens are taken for them.
"""

from __future__ import annotations

import re
import time
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests

from ..base import DeliveryError
from ..http import AuthRejected, HttpClient, HttpPolicy, setting
from .auth import INGEST_OAUTH_SCOPE, INGEST_TOKEN_SCOPE, ApiTokenAuth, OAuthClientAuth

INGEST_PATH = "/api/v2/bizevents/ingest"
CLASSIC_API = "/api/v2/"
PLATFORM_CLASSIC_API = "/platform/classic/environment-api/v2/"
GZIP_LEVEL = 1  # JSON events shrink several times even at the fastest level; higher costs CPU for little

_SAAS_HOST = re.compile(r"^(?P<env>[a-z0-9-]+)\.(?:live|apps)\.dynatrace\.com$")
_LABS_HOST = re.compile(r"^(?P<env>[a-z0-9-]+)\.(?P<stage>[a-z0-9-]+)\.(?:apps\.)?dynatracelabs\.com$")
# Paths a user may paste along with the host (from the browser or the API explorer): not part of the base.
_PASTED_PATH = re.compile(r"^/(?:ui|api|platform|rest|#)(?:/|$)")
_MANAGED_PATH = re.compile(r"^/e/[^/]+")
_HOST_NAME = re.compile(r"[a-z0-9.:-]+", re.IGNORECASE)  # names, IPv4 and (unbracketed) IPv6 addresses


def normalize_environment_url(value: str) -> str:
    """The environment's base URL: scheme and host (plus ``/e/<id>`` on Managed), no trailing slash.

    Accepts ``abc12345.live.dynatrace.com``, ``https://abc12345.apps.dynatrace.com/ui/...`` and the like;
    raises ValueError with a message for the user.
    """
    text = value.strip()
    if not text:
        raise ValueError("enter the environment URL, e.g. https://abc12345.live.dynatrace.com")
    if "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise ValueError("this is not a valid URL") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError("the URL must start with https://")
    if not parts.hostname:
        raise ValueError("the URL has no host name")
    if not _HOST_NAME.fullmatch(parts.hostname):
        raise ValueError(f"'{parts.hostname}' is not a valid host name")
    if parts.username or parts.password:
        raise ValueError("leave credentials out of the URL: enter them in the fields below")
    path = parts.path.rstrip("/")
    managed = _MANAGED_PATH.match(path)
    if managed:
        path = managed.group(0)
    elif _PASTED_PATH.match(path):
        path = ""
    host = parts.hostname.lower() + (f":{port}" if port else "")
    return urlunsplit((parts.scheme.lower(), host, path, "", ""))


@dataclass(frozen=True)
class EnvironmentUrls:
    classic: str  # https://{env}.live.dynatrace.com
    platform: str  # https://{env}.apps.dynatrace.com

    @classmethod
    def parse(cls, environment_url: str) -> EnvironmentUrls:
        """Both base URLs from either form; other hosts (Managed, a local receiver) serve both."""
        base = normalize_environment_url(environment_url)
        parts = urlsplit(base)
        host, port = parts.hostname or "", f":{parts.port}" if parts.port else ""
        classic = platform = host
        if match := _SAAS_HOST.match(host):
            classic, platform = f"{match['env']}.live.dynatrace.com", f"{match['env']}.apps.dynatrace.com"
        elif match := _LABS_HOST.match(host):
            stem = f"{match['env']}.{match['stage']}"
            classic, platform = f"{stem}.dynatracelabs.com", f"{stem}.apps.dynatracelabs.com"

        def build(name: str) -> str:
            return urlunsplit((parts.scheme, name + port, parts.path, "", ""))

        return cls(build(classic), build(platform))


def auth_from_destination(
    config: Mapping[str, Any],
    secrets: Mapping[str, Any],
    *,
    scopes: Iterable[str] | None = None,
    clock: Callable[[], float] = time.time,
) -> ApiTokenAuth | OAuthClientAuth:
    kind = config.get("auth_type") or "api_token"
    if kind == "api_token":
        return ApiTokenAuth(str(secrets.get("api_token") or ""))
    if kind == "oauth":
        return OAuthClientAuth(
            str(secrets.get("client_id") or ""),
            str(secrets.get("client_secret") or ""),
            str(secrets.get("account_urn") or ""),
            scopes=scopes or (INGEST_OAUTH_SCOPE,),
            token_url=config.get("token_url") or None,
            clock=clock,
        )
    raise DeliveryError(f"unknown auth_type {kind!r}: use api_token or oauth", permanent=True)


class DynatraceClient:
    def __init__(
        self,
        environment_url: str,
        auth: ApiTokenAuth | OAuthClientAuth,
        *,
        http: HttpClient | None = None,
        gzip: bool = False,
    ):
        try:
            self.urls = EnvironmentUrls.parse(environment_url)
        except ValueError as exc:
            raise DeliveryError(f"environment URL {environment_url!r}: {exc}", permanent=True) from None
        self.auth = auth
        self.http = http or HttpClient()
        self.gzip = gzip

    @classmethod
    def from_destination(
        cls,
        config: Mapping[str, Any],
        secrets: Mapping[str, Any] | None,
        *,
        scopes: Iterable[str] | None = None,
        http: HttpClient | None = None,
        clock: Callable[[], float] = time.time,
    ) -> DynatraceClient:
        """A client for a Dynatrace destination's config and secrets (see the sink's form for the keys).

        ``scopes`` are the OAuth scopes to ask for (ingest's by default; the asset push asks for its own).
        """
        if http is None:
            http = HttpClient(
                HttpPolicy.from_settings(
                    connect_timeout=_number(config.get("connect_timeout")),
                    read_timeout=_number(config.get("read_timeout")),
                )
            )
        auth = auth_from_destination(config, secrets or {}, scopes=scopes, clock=clock)
        gzip = config.get("gzip")
        gzip = setting("DYNATRACE_GZIP", False) if gzip is None else gzip
        return cls(str(config.get("environment_url") or ""), auth, http=http, gzip=bool(gzip))

    def url(self, path: str) -> str:
        """The full URL of an API path, on the host and in the form the credentials are taken at."""
        if path.startswith(("http://", "https://")):
            return path
        if self.auth.kind == "oauth":
            if path.startswith(CLASSIC_API):
                path = PLATFORM_CLASSIC_API + path[len(CLASSIC_API) :]
            return self.urls.platform + path
        if path.startswith(PLATFORM_CLASSIC_API):
            path = CLASSIC_API + path[len(PLATFORM_CLASSIC_API) :]
        return (self.urls.platform if path.startswith("/platform/") else self.urls.classic) + path

    @property
    def ingest_url(self) -> str:
        return self.url(INGEST_PATH)

    @property
    def ingest_scope(self) -> str:
        return INGEST_OAUTH_SCOPE if self.auth.kind == "oauth" else INGEST_TOKEN_SCOPE

    def request(
        self,
        method: str,
        path: str,
        *,
        scope: str | None = None,
        headers: Mapping[str, str] | None = None,
        auth_messages: Mapping[int, str] | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        """Send an authenticated request through the HTTP base; see :meth:`HttpClient.request`.

        ``scope`` names the scope the call needs, for the message on a 401/403. A 401 with an OAuth
        token fetches a fresh token and tries once more (it may have been revoked or expired early).
        """
        messages = auth_messages or self.auth.auth_messages(scope)
        for attempt in (1, 2):
            sent = {**(headers or {}), "Authorization": self.auth.authorization(self.http)}
            try:
                return self.http.request(
                    method,
                    self.url(path),
                    headers=sent,
                    auth_messages=messages,
                    sensitive=self.auth.sensitive(),
                    **kwargs,
                )
            except AuthRejected as exc:
                if not (exc.status == 401 and self.auth.refreshable and attempt == 1):
                    raise
                self.auth.invalidate()
        raise AssertionError("unreachable")

    def ingest(self, body: bytes, content_type: str = "application/json", **kwargs: Any) -> requests.Response:
        """POST business events (a JSON array, or CloudEvents); the response is the caller's to read.

        Returns 2xx, 400 (some events invalid), 413 and other answers that retrying cannot change;
        raises for 401/403 and, after the retries, for 429, 5xx and network failures.
        """
        # Business events ingest: https://docs.dynatrace.com/docs/shortlink/ba-api-ingest
        headers = {"Content-Type": content_type}
        if self.gzip:
            compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31)  # wbits 31: gzip framing
            body = compressor.compress(body) + compressor.flush()
            headers["Content-Encoding"] = "gzip"
        return self.request("POST", INGEST_PATH, scope=self.ingest_scope, headers=headers, data=body, **kwargs)

    def close(self) -> None:
        self.http.close()


def _number(value: Any) -> float | None:
    return float(value) if value not in (None, "") else None
