"""The Dynatrace destination: business events into an environment's bizevents ingest API.

Config: ``environment_url``, ``auth_type`` (``api_token`` | ``oauth``), ``max_batch_bytes`` (default
512 KiB, well under the 1 MB some API pages give as a request limit), ``gzip`` (default: the
DYNATRACE_GZIP setting), ``connect_timeout`` / ``read_timeout`` (default: the HTTP settings), and
``token_url`` (OAuth only; default: the DYNATRACE_SSO_TOKEN_URL setting).
Secrets: ``api_token``; or ``client_id``, ``client_secret`` and ``account_urn``.

A batch goes out as JSON arrays of whole events, each under ``max_batch_bytes``, over one kept-alive
connection. What the answers mean (https://docs.dynatrace.com/docs/shortlink/ba-api-ingest):
202 all taken; 400 the valid events were taken and the invalid ones are counted, with Dynatrace's
text, and never resent; 413 the request is halved and sent again (and later requests are cut
smaller); 401/403 stop the destination with what to fix; 429, 5xx and network failures are retried
by the HTTP base and then reported as temporary, with how many leading events went through.
The report's ``bytes_sent`` counts the JSON before any gzip compression.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import UTC, datetime

import orjson
import requests

from ...engine.encode import EncodedBatch
from .. import register
from ..base import DeliveryError, DeliveryReport, Sink
from ..batching import json_array, post_ranges, ranges_from_cuts
from ..http import AuthRejected, DestinationRefused, HttpClient, HttpFailure, describe_response, redact, setting
from .client import DynatraceClient

MAX_REQUEST_BYTES = 5 * 1024 * 1024  # Dynatrace's documented ceiling for one ingest request
MIN_BATCH_BYTES = 1024
MAX_EVENT_AGE_MS = 24 * 3600 * 1000  # older events are dropped by Dynatrace on ingest
MAX_NOTES = 20
_COUNT_IN_MESSAGE = re.compile(r"(\d+)\s+(?:of|out of)\s+(\d+)\s+(?:business\s+)?events?", re.IGNORECASE)
_INDEX_IN_PATH = re.compile(r"^\s*\[?(\d+)\]?")


class OutsideIngestWindow(DeliveryError):
    """The batch holds events Dynatrace would drop (older than 24 h) or that are not due yet."""

    def __init__(self, message: str):
        super().__init__(message, permanent=True)


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def count_rejected(response: requests.Response, sent: int) -> int | None:
    """How many events of a 400 answer Dynatrace refused, or None when the body does not tell."""
    try:
        error = orjson.loads(response.content).get("error")
    except (orjson.JSONDecodeError, AttributeError):
        return None
    if not isinstance(error, dict):
        return None
    match = _COUNT_IN_MESSAGE.search(str(error.get("message") or ""))
    if match and int(match[2]) == sent:
        return min(int(match[1]), sent)
    violations = error.get("constraintViolations")
    if isinstance(violations, list) and violations:
        indexes = {m[1] for v in violations if isinstance(v, dict) and (m := _INDEX_IN_PATH.match(str(v.get("path"))))}
        if indexes:
            return min(len(indexes), sent)
    return None


@register("dynatrace")
class DynatraceSink(Sink):
    def __init__(
        self,
        config: dict,
        secrets: dict | None = None,
        *,
        http: HttpClient | None = None,
        clock: Callable[[], float] = time.time,
    ):
        super().__init__(config, secrets)
        self.clock = clock
        self._run_now_ms: int | None = None  # set by the delivery service: its run's "now"
        self.client = DynatraceClient.from_destination(config, self.secrets, http=http, clock=clock)
        self.http = self.client.http
        limit = int(config.get("max_batch_bytes") or setting("DYNATRACE_MAX_BATCH_BYTES", 512 * 1024))
        self.max_batch_bytes = max(MIN_BATCH_BYTES, min(limit, MAX_REQUEST_BYTES))
        self.age_margin_ms = int(setting("DYNATRACE_MAX_AGE_MARGIN_SECONDS", 60)) * 1000

    def deliver(self, batch: EncodedBatch, *, journey_slug: str) -> DeliveryReport:
        report = DeliveryReport(delivered=0)
        if not len(batch):
            return report
        self._refuse_outside_window(batch)

        def post(start: int, stop: int) -> bool:
            body = json_array(batch, start, stop)
            if len(body) > self.max_batch_bytes and stop - start > 1:
                return False  # cut before a 413 taught a smaller limit: halve it without asking again
            response = self.client.ingest(body, events=stop - start)
            report.requests += 1
            report.bytes_sent += len(body)
            return self._read_answer(response, stop - start, report, len(body))

        # A JSON array of n lines is the lines' bytes plus one: n newlines become n - 1 commas and []
        cuts = batch.cut_points(self.max_batch_bytes - 1)
        try:
            post_ranges(ranges_from_cuts(cuts), post, describe_event=lambda i: f"the event at {_iso(batch.ts_ms[i])}")
        except DeliveryError as exc:
            exc.delivered = report.delivered + report.rejected  # leading events taken; never sent again
            raise
        return report

    def _read_answer(self, response: requests.Response, sent: int, report: DeliveryReport, size: int) -> bool:
        """Account for one ingest answer; False asks for the request to be sent again in halves."""
        status = response.status_code
        if 200 <= status < 300:
            report.delivered += sent
            return True
        if status == 413:
            # Remember the receiver's limit from now on, so later requests are cut small enough at once.
            self.max_batch_bytes = max(MIN_BATCH_BYTES, min(self.max_batch_bytes, size // 2))
            return False
        reason = redact(describe_response(response), self.client.auth.sensitive())
        if status == 400:
            rejected = count_rejected(response, sent)
            if rejected is None:  # Dynatrace did not say how many: count them taken, keep its words
                report.delivered += sent
                self._note(report, f"Dynatrace reported invalid events among {sent} (how many is unknown): {reason}")
            else:
                report.delivered += sent - rejected
                report.rejected += rejected
                self._note(report, f"Dynatrace rejected {rejected} of {sent} events: {reason}")
            return True
        if status == 404:
            raise HttpFailure(
                f"no bizevents ingest API at {self.client.ingest_url} ({reason}): check the environment URL",
                status=status,
                permanent=True,
            )
        raise HttpFailure(f"Dynatrace answered {reason}", status=status, permanent=True)

    @staticmethod
    def _note(report: DeliveryReport, text: str) -> None:
        if len(report.notes) < MAX_NOTES:
            report.notes.append(text)
        elif len(report.notes) == MAX_NOTES:
            report.notes.append("more requests had invalid events; only the first are listed")

    def set_run_time(self, now: datetime) -> None:
        self._run_now_ms = int(now.timestamp() * 1000)

    def _refuse_outside_window(self, batch: EncodedBatch) -> None:
        """Never send what Dynatrace would drop or clamp: the delivery service should not ask, but check."""
        now_ms = self._run_now_ms if self._run_now_ms is not None else int(self.clock() * 1000)
        oldest, latest = int(batch.ts_ms.min()), int(batch.ts_ms.max())
        limit = now_ms - MAX_EVENT_AGE_MS + self.age_margin_ms
        if oldest < limit:
            stale = int((batch.ts_ms < limit).sum())
            raise OutsideIngestWindow(
                f"refusing to send {stale} event(s) dated before {_iso(limit)} (the oldest at {_iso(oldest)}): "
                "Dynatrace drops events older than 24 hours"
            )
        if latest > now_ms:
            early = int((batch.ts_ms > now_ms).sum())
            raise OutsideIngestWindow(
                f"refusing to send {early} event(s) dated after now ({_iso(now_ms)}; the latest at {_iso(latest)}): "
                "events are sent only once their time has come"
            )

    def check(self) -> str:
        """Send an empty array, which Dynatrace accepts and stores nothing for; say what is wrong otherwise."""
        try:
            response = self.client.ingest(b"[]", attempts=1)
        except (AuthRejected, DestinationRefused):
            raise
        except HttpFailure as exc:
            if exc.status is None:
                raise HttpFailure(f"unreachable: {exc.message}", permanent=False) from None
            raise
        if 200 <= response.status_code < 300:
            return f"ok: {self.client.ingest_url} accepts business events"
        reason = redact(describe_response(response), self.client.auth.sensitive())
        if response.status_code == 404:
            raise HttpFailure(
                f"not found: no bizevents ingest API at {self.client.ingest_url} ({reason}): check the environment URL",
                status=404,
                permanent=True,
            )
        raise HttpFailure(
            f"unexpected answer from {self.client.ingest_url}: {reason}", status=response.status_code, permanent=True
        )

    def close(self) -> None:
        self.client.close()
