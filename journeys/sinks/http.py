"""Every outbound HTTP call of the sinks and the Dynatrace asset push goes through :class:`HttpClient`.

It alone owns timeouts, retries and backoff, so a sink only says what a response means:

- connection errors, connect timeouts, 408, 429 and 5xx are tried again, with exponential backoff and jitter, or
  after the receiver's ``Retry-After`` (seconds or an HTTP date), as long as the call's waiting budget
  allows; then :class:`HttpFailure` (``permanent=False``, ``retry_after`` when the receiver said);
- a read timeout (the request went out, no answer came in time: the receiver may have stored it)
  is tried again at most once per call, with a longer read timeout: it doubles, up to
  ``HTTP_READ_TIMEOUT_MAX``, and the client keeps it (the delivery service remembers it for the
  destination) until an answer comes in under half of ``HTTP_READ_TIMEOUT``. A slow receiver gets more
  time rather than more copies; the events of such requests are counted (``take_unanswered_events``),
  since they may arrive twice;
- 401 and 403 raise :class:`AuthRejected` (``permanent=True``) with a message saying what to fix;
- a malformed URL raises a permanent :class:`HttpFailure`;
- every other response is returned for the caller to read (202, 400, 404, 413, ...).

Every connection goes to the addresses the destination check found public, looked up once
(``pinning.py``), and a URL is read once, as the client reads it (``url_safety.py``); an address
refused there raises :class:`DestinationRefused` before anything is sent.

One ``requests.Session`` per client keeps connections alive between calls. urllib3's own retries are
switched off: a single loop here decides, so the budget covers every pause and tests see one place.
Secrets never reach a log line or an error: URLs lose their query string and credentials, and every
text built from a response is scrubbed of the caller's secret values and of token-looking strings.
"""

from __future__ import annotations

import email.utils
import logging
import os
import random
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import orjson
import requests
from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

from .base import DeliveryError
from .pinning import PinnedAdapter
from .url_safety import UnsafeDestination, check_target

logger = logging.getLogger(__name__)

USER_AGENT = "BizFlowStudio/1.0"
MAX_ERROR_TEXT = 300
RETRYABLE_4XX = frozenset({408, 429})  # request timeout and throttling; every 5xx is retried too
# Authorization values and Dynatrace token formats (dt0c01.<public>.<secret>, dt0s02...): never shown.
_TOKEN_PATTERNS = re.compile(r"(?i)\b(api-token|bearer|basic)\s+[^\s\"',;]+|\bdt0[a-z]\d{2}\.[A-Za-z0-9._-]+")
DEFAULT_AUTH_MESSAGES = {
    401: "credentials rejected: check the token or secret is correct and still valid",
    403: "access denied: the credentials are valid but lack a permission this call needs",
}


class HttpFailure(DeliveryError):
    """A call that failed; ``status`` is the last HTTP status, or None when no answer came."""

    def __init__(self, message: str, *, status: int | None = None, **kwargs: Any):
        super().__init__(message, **kwargs)
        self.status = status


class AuthRejected(HttpFailure):
    """401 or 403: retrying with the same credentials cannot help."""

    def __init__(self, message: str, *, status: int):
        super().__init__(message, status=status, permanent=True)


class DestinationRefused(HttpFailure):
    """The URL is not allowed (plain http, or a host on a private address): nothing was sent."""

    def __init__(self, message: str):
        super().__init__(message, permanent=True)


@dataclass(frozen=True)
class HttpPolicy:
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    max_attempts: int = 4
    backoff: float = 0.5  # the first pause; each retry doubles it, with jitter
    backoff_max: float = 30.0
    budget: float = 60.0  # the most one call waits in pauses between its attempts
    read_timeout_max: float = 300.0  # the longest a read timeout grows to after read timeouts

    @classmethod
    def from_settings(cls, **overrides: Any) -> HttpPolicy:
        """The policy in Django settings (defaults without Django), with ``overrides`` that are not None."""
        policy = cls(
            connect_timeout=float(setting("HTTP_CONNECT_TIMEOUT", cls.connect_timeout)),
            read_timeout=float(setting("HTTP_READ_TIMEOUT", cls.read_timeout)),
            max_attempts=int(setting("HTTP_MAX_ATTEMPTS", cls.max_attempts)),
            backoff=float(setting("HTTP_BACKOFF_SECONDS", cls.backoff)),
            budget=float(setting("HTTP_RETRY_BUDGET_SECONDS", cls.budget)),
            read_timeout_max=float(setting("HTTP_READ_TIMEOUT_MAX", cls.read_timeout_max)),
        )
        return replace(policy, **{key: value for key, value in overrides.items() if value is not None})

    def pause(self, attempt: int) -> float:
        """Backoff before attempt ``attempt + 1``: exponential, with jitter so clients do not march in step."""
        ceiling = min(self.backoff_max, self.backoff * 2 ** (attempt - 1))
        return ceiling * random.uniform(0.5, 1.0)


def setting(name: str, default: Any) -> Any:
    """A Django setting, or ``default`` where Django is not configured (the engine's command line, benchmarks)."""
    try:
        from django.conf import settings

        return getattr(settings, name, default)
    except Exception:  # ImproperlyConfigured, or Django absent: plain-Python use
        return default


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None:
        return None
    return max(0.0, moment.timestamp() - (time.time() if now is None else now))


def safe_url(url: str) -> str:
    """The URL as the client reads it, without credentials, query or fragment: what logs and messages show."""
    try:
        parts = parse_url(url)
    except LocationParseError:
        return "(malformed URL)"
    host = parts.host or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme or "", host, parts.path or "", "", ""))


def redact(text: str, sensitive: Iterable[str] = ()) -> str:
    """``text`` with each sensitive value, and anything that looks like a token, replaced by ``***``."""
    for value in sensitive:
        if value and len(value) >= 4:
            text = text.replace(value, "***")
    return _TOKEN_PATTERNS.sub(lambda m: (m.group(1) + " ***") if m.group(1) else "***", text)


def describe_response(response: requests.Response) -> str:
    """A short readable reason: the error message of a JSON error body, else the start of the body."""
    text = ""
    try:
        payload = orjson.loads(response.content) if response.content else None
    except orjson.JSONDecodeError:
        payload = None
    if isinstance(payload, dict):
        error = payload.get("error")
        if isinstance(error, dict):
            text = str(error.get("message") or "")
        elif isinstance(error, str):  # OAuth: {"error": "invalid_client", "error_description": ...}
            text = f"{error}: {payload.get('error_description') or ''}".rstrip(": ")
        text = text or str(payload.get("message") or "")
    if not text:
        text = response.content[:MAX_ERROR_TEXT].decode("utf-8", "replace").strip()
    text = " ".join(text.split())
    if len(text) > MAX_ERROR_TEXT:
        text = text[: MAX_ERROR_TEXT - 3] + "..."
    return f"{response.status_code} {response.reason or ''}".strip() + (f": {text}" if text else "")


@dataclass
class _Call:
    """One call's constants, and what its last attempt found (for the retry decision and the message)."""

    where: str
    timeout: tuple[float, float]
    secrets: tuple[str, ...]
    auth_messages: Mapping[int, str]
    events: int = 0  # events in the body, counted as maybe duplicated if the receiver does not answer in time
    fixed_timeout: bool = False  # the caller's own timeout: it does not grow
    read_timeouts: int = 0
    status: int | None = None
    retry_after: float | None = None
    problem: str = ""


class HttpClient:
    """A keep-alive session and the retry policy; one per destination (or per asset push)."""

    def __init__(
        self,
        policy: HttpPolicy | None = None,
        *,
        sensitive: Iterable[str] = (),
        sleep: Callable[[float], None] = time.sleep,
        pool_size: int = 4,
    ):
        self.policy = policy or HttpPolicy.from_settings()
        self.sensitive = tuple(sensitive)
        self.sleep = sleep
        self.read_timeout = self.policy.read_timeout  # longer after read timeouts; see the module's doc
        self.unanswered_events = 0
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        # No proxy or .netrc from the environment: a proxy would look the host up again itself. A CA
        # bundle named there (as requests reads it) still counts.
        self.session.trust_env = False
        self.session.verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
        adapter = PinnedAdapter(pool_connections=2, pool_maxsize=pool_size, max_retries=0)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def close(self) -> None:
        self.session.close()

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        auth_messages: Mapping[int, str] | None = None,
        sensitive: Iterable[str] = (),
        attempts: int | None = None,
        timeout: tuple[float, float] | None = None,
        events: int = 0,
        **kwargs: Any,
    ) -> requests.Response:
        """Send, retrying what is worth retrying; return the first response that is not retried.

        ``auth_messages`` maps 401/403 to the fix to suggest; ``sensitive`` adds values to scrub from
        messages; ``events`` is how many events the body carries; ``kwargs`` go to ``requests`` (data,
        json, params, files). A retry sends the same arguments again, so pass bodies and files as
        bytes, not as streams.
        """
        policy = self.policy
        attempts = attempts or policy.max_attempts
        call = _Call(
            where=f"{method} {safe_url(url)}",
            timeout=timeout or (policy.connect_timeout, self.read_timeout),
            secrets=self.sensitive + tuple(sensitive),
            auth_messages=auth_messages or DEFAULT_AUTH_MESSAGES,
            events=events,
            fixed_timeout=timeout is not None,
        )
        self.check_destination(url, call.where)
        waited = 0.0
        kwargs.setdefault("allow_redirects", False)
        for attempt in range(1, attempts + 1):
            response = self._attempt(call, method, url, headers=headers, **kwargs)
            if response is not None:
                return response
            if attempt == attempts or call.read_timeouts > 1:  # a second read timeout: no third copy
                break
            pause = self._pause_before(call, attempt, attempts, waited)
            if pause is None:
                break
            self.sleep(pause)
            waited += pause
        raise HttpFailure(
            f"{call.where} failed after {attempt} attempt{'s' if attempt > 1 else ''}: {call.problem}",
            status=call.status,
            permanent=False,
            retry_after=call.retry_after,
        )

    def _pause_before(self, call: _Call, attempt: int, attempts: int, waited: float) -> float | None:
        """How long to wait before attempt ``attempt + 1``, or None when the call's budget does not allow it."""
        policy = self.policy
        pause = call.retry_after if call.retry_after is not None else policy.pause(attempt)
        if waited + pause > policy.budget:
            logger.warning(
                "%s: %s; a retry in %.1f s would exceed the %.0f s budget",
                call.where,
                call.problem,
                pause,
                policy.budget,
            )
            return None
        logger.warning(
            "%s: %s; retrying in %.1f s (attempt %d of %d)", call.where, call.problem, pause, attempt + 1, attempts
        )
        return pause

    def _attempt(self, call: _Call, method: str, url: str, **kwargs: Any) -> requests.Response | None:
        """One try: the response to return, or None with ``call`` saying what to retry (or raise)."""
        secrets = call.secrets
        call.status, call.retry_after = None, None
        try:
            response = self.send(method, url, timeout=call.timeout, **kwargs)
        except UnsafeDestination as exc:  # the connection's own lookup found a non-public address
            raise DestinationRefused(f"{call.where}: refused: {exc}") from None
        except requests.ConnectTimeout:  # no connection: nothing was sent
            call.problem = f"no answer within {call.timeout[0]:g} s (connect)"
            return None
        except requests.Timeout:  # sent, but no answer in time: the receiver may have stored it
            self._read_timed_out(call)
            return None
        except (
            requests.exceptions.InvalidURL,
            requests.exceptions.MissingSchema,
            requests.exceptions.InvalidSchema,
        ) as exc:
            raise HttpFailure(f"{call.where}: invalid URL ({redact(str(exc), secrets)})", permanent=True) from None
        except requests.RequestException as exc:
            call.problem = f"cannot connect ({_connection_reason(exc)})"
            return None
        call.status = status = response.status_code
        if response.elapsed.total_seconds() < self.policy.read_timeout / 2:
            self.read_timeout = self.policy.read_timeout  # quick again: forget the longer timeout
        if status in (401, 403):
            hint = call.auth_messages.get(status) or DEFAULT_AUTH_MESSAGES[status]
            reason = redact(describe_response(response), secrets)
            raise AuthRejected(f"{hint} ({call.where} answered {reason})", status=status)
        if status not in RETRYABLE_4XX and status < 500:
            return response
        call.retry_after = parse_retry_after(response.headers.get("Retry-After"))
        call.problem = redact(describe_response(response), secrets)
        response.close()
        return None

    def _read_timed_out(self, call: _Call) -> None:
        waited = call.timeout[1]
        call.read_timeouts += 1
        call.problem = f"no answer within {waited:g} s (read)"
        if call.read_timeouts == 1:
            self.unanswered_events += call.events
        ceiling = max(self.policy.read_timeout_max, self.policy.read_timeout)
        self.read_timeout = min(ceiling, max(self.read_timeout, waited) * 2)
        if not call.fixed_timeout:
            call.timeout = (call.timeout[0], self.read_timeout)

    def remember_read_timeout(self, seconds: float | None) -> None:
        """Start from a read timeout earned earlier (between the configured one and the ceiling)."""
        if seconds:
            ceiling = max(self.policy.read_timeout_max, self.policy.read_timeout)
            self.read_timeout = min(ceiling, max(self.policy.read_timeout, float(seconds)))

    def earned_read_timeout(self) -> float | None:
        """The longer read timeout slow answers earned, or None when it is the configured one."""
        return self.read_timeout if self.read_timeout > self.policy.read_timeout else None

    def take_unanswered_events(self) -> int:
        """Events sent in requests that got no answer in time, since the last call: they may arrive twice."""
        count, self.unanswered_events = self.unanswered_events, 0
        return count

    def check_destination(self, url: str, where: str) -> None:
        """The URL read once, as the client will (url_safety.parse_url), and its scheme allowed.

        Its host's addresses are checked by the connection itself (pinning.py), on the lookup it
        connects with; a malformed URL without a scheme is left to requests to report as invalid.
        """
        try:
            if not urlsplit(url).scheme:
                return
        except ValueError:
            pass
        try:
            check_target(url)
        except UnsafeDestination as exc:
            raise DestinationRefused(f"{where}: refused: {exc}") from None

    def send(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """One attempt, nothing more: the single place every HTTP request leaves from."""
        return self.session.request(method, url, **kwargs)


def _connection_reason(exc: requests.RequestException) -> str:
    """The innermost reason of a connection error, without the URL (which may carry secrets)."""
    reason: BaseException = exc
    while True:
        inner = getattr(reason, "reason", None) or reason.__cause__ or reason.__context__
        if inner is None or inner is reason:
            break
        reason = inner
        if isinstance(reason, OSError) and getattr(reason, "strerror", None):
            return reason.strerror
    text = str(reason)
    # urllib3 messages embed "host=..., port=..., url=...": keep the part after the last colon.
    text = re.sub(r"HTTPConnectionPool\(.*?\)|url: \S+", "", text)
    return text.strip(" :") or type(reason).__name__
