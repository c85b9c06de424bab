"""The webhook destination: events POSTed to any HTTPS URL, as JSON arrays or CloudEvents batches.

Config: ``url``; ``format``: ``json`` (a JSON array of the events, ``application/json``) or
``cloudevents`` (``application/cloudevents-batch+json``: each event wrapped as a CloudEvent 1.0 with
id = event.id, source = event.provider, type = event.type, time = its timestamp, and the event itself
as ``data``); ``headers`` (name -> value, shown in the form); ``max_batch_bytes`` (default 512 KiB);
``connect_timeout`` / ``read_timeout``.
Secrets: ``headers`` (name -> value): headers whose values are never shown or logged, e.g. Authorization.

Any 2xx takes the request; 413 halves it; 401/403 and other 4xx (a redirect too) stop the destination
with the receiver's answer; 408, 429, 5xx and network failures are retried by the HTTP base.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

import numpy as np
import orjson
import requests

from ...engine.encode import EncodedBatch
from .. import register
from ..base import DeliveryError, DeliveryReport, Sink
from ..batching import json_array, post_ranges, ranges_from_cuts
from ..http import (
    AuthRejected,
    DestinationRefused,
    HttpClient,
    HttpFailure,
    HttpPolicy,
    describe_response,
    redact,
    safe_url,
    setting,
)

FORMATS = {"json": "application/json", "cloudevents": "application/cloudevents-batch+json"}
DEFAULT_MAX_BATCH_BYTES = 512 * 1024
MIN_BATCH_BYTES = 1024
AUTH_MESSAGES = {
    401: "the webhook refused our credentials: check the secret headers (e.g. Authorization)",
    403: "the webhook refused access: check the secret headers and that the receiver allows this sender",
}


def _rfc3339(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def as_cloudevents(batch: EncodedBatch) -> EncodedBatch:
    """The batch's events wrapped as CloudEvents, one per line, as a batch of its own.

    CloudEvents 1.0 JSON batch format:
    https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/formats/json-format.md#4-json-batch-format
    """
    lines = batch.lines()
    wrapped = []
    for line, ms in zip(lines, batch.ts_ms.tolist(), strict=True):
        event = orjson.loads(line)
        wrapped.append(
            orjson.dumps(
                {
                    "specversion": "1.0",
                    "id": str(event.get("event.id", "")),
                    "source": str(event.get("event.provider", "")),
                    "type": str(event.get("event.type", "")),
                    "time": _rfc3339(ms),
                    "datacontenttype": "application/json",
                    "data": orjson.Fragment(line),  # the event as generated: flat dotted keys, not re-encoded
                }
            )
        )
    offsets = np.zeros(len(wrapped) + 1, np.int64)
    np.cumsum([len(item) + 1 for item in wrapped], out=offsets[1:])
    return EncodedBatch(b"".join(item + b"\n" for item in wrapped), offsets, batch.ts_ms)


@register("webhook")
class WebhookSink(Sink):
    def __init__(self, config: dict, secrets: dict | None = None, *, http: HttpClient | None = None):
        super().__init__(config, secrets)
        self.url = str(config.get("url") or "")
        if not self.url:
            raise DeliveryError("no URL is set for this webhook", permanent=True)
        self.format = config.get("format") or "json"
        if self.format not in FORMATS:
            raise DeliveryError(f"unknown webhook format {self.format!r}: use json or cloudevents", permanent=True)
        secret_headers: Mapping[str, str] = self.secrets.get("headers") or {}
        self.headers = {**(config.get("headers") or {}), **secret_headers, "Content-Type": FORMATS[self.format]}
        self.sensitive = tuple(str(value) for value in secret_headers.values())
        limit = int(config.get("max_batch_bytes") or setting("WEBHOOK_MAX_BATCH_BYTES", DEFAULT_MAX_BATCH_BYTES))
        self.max_batch_bytes = max(MIN_BATCH_BYTES, limit)
        self.http = http or HttpClient(
            HttpPolicy.from_settings(
                connect_timeout=_number(config.get("connect_timeout")),
                read_timeout=_number(config.get("read_timeout")),
            )
        )

    def deliver(self, batch: EncodedBatch, *, journey_slug: str) -> DeliveryReport:
        report = DeliveryReport(delivered=0)
        if not len(batch):
            return report
        wire = as_cloudevents(batch) if self.format == "cloudevents" else batch

        def post(start: int, stop: int) -> bool:
            body = json_array(wire, start, stop)
            if len(body) > self.max_batch_bytes and stop - start > 1:
                return False  # cut before a 413 taught a smaller limit: halve it without asking again
            response = self._post(body, events=stop - start)
            report.requests += 1
            report.bytes_sent += len(body)
            if response.status_code == 413:  # remember the receiver's limit, so later requests fit at once
                self.max_batch_bytes = max(MIN_BATCH_BYTES, min(self.max_batch_bytes, len(body) // 2))
                return False
            self._accept(response)
            report.delivered += stop - start
            return True

        try:
            post_ranges(
                ranges_from_cuts(wire.cut_points(self.max_batch_bytes - 1)),
                post,
                describe_event=lambda i: f"the event at {_rfc3339(int(batch.ts_ms[i]))}",
            )
        except DeliveryError as exc:
            exc.delivered = report.delivered  # leading events taken; never sent again
            raise
        return report

    def _post(self, body: bytes, **kwargs) -> requests.Response:
        return self.http.request(
            "POST",
            self.url,
            headers=self.headers,
            data=body,
            auth_messages=AUTH_MESSAGES,
            sensitive=self.sensitive,
            **kwargs,
        )

    def _accept(self, response: requests.Response) -> None:
        status = response.status_code
        if 200 <= status < 300:
            return
        if 300 <= status < 400:
            target = safe_url(response.headers.get("Location") or "") or "elsewhere"
            raise HttpFailure(
                f"the webhook redirects to {target} ({status}): enter that URL instead", status=status, permanent=True
            )
        reason = redact(describe_response(response), self.sensitive)
        raise HttpFailure(f"the webhook at {safe_url(self.url)} answered {reason}", status=status, permanent=True)

    def check(self) -> str:
        """POST an empty batch (``[]``); receivers take it as nothing to do."""
        try:
            response = self._post(b"[]", attempts=1)
        except (AuthRejected, DestinationRefused):
            raise
        except HttpFailure as exc:
            if exc.status is None:
                raise HttpFailure(f"unreachable: {exc.message}", permanent=False) from None
            raise
        self._accept(response)
        return f"ok: {safe_url(self.url)} answered {response.status_code}"

    def close(self) -> None:
        self.http.close()


def _number(value) -> float | None:
    return float(value) if value not in (None, "") else None
