"""The webhook sink against a scripted local HTTP server."""

from __future__ import annotations

import logging

import orjson
import pytest

from journeys.sinks import sink_class
from journeys.sinks.base import DeliveryError
from journeys.sinks.http import HttpClient, HttpPolicy
from journeys.sinks.webhook.transport import WebhookSink

from ..helpers import recent_events

POLICY = HttpPolicy(connect_timeout=1, read_timeout=2, max_attempts=3, backoff=0.01, budget=5)


def webhook(server, *, secrets: dict | None = None, **config) -> WebhookSink:
    return WebhookSink({"url": server.url + "/hooks/events", **config}, secrets, http=HttpClient(POLICY))


def test_it_is_registered_as_the_webhook_kind():
    assert sink_class("webhook") is WebhookSink


def test_it_posts_a_json_array_of_the_events(server):
    batch = recent_events(50)

    report = webhook(server).deliver(batch, journey_slug="orders")

    [request] = server.received
    assert request.path == "/hooks/events" and request.headers["content-type"] == "application/json"
    assert orjson.loads(request.body) == batch.to_dicts()
    assert (report.delivered, report.requests, report.bytes_sent) == (50, 1, len(request.body))


def test_it_wraps_each_event_as_a_cloudevent(server):
    batch = recent_events(20)

    webhook(server, format="cloudevents").deliver(batch, journey_slug="orders")

    [request] = server.received
    assert request.headers["content-type"] == "application/cloudevents-batch+json"
    wrapped = orjson.loads(request.body)
    assert [item["data"] for item in wrapped] == batch.to_dicts()
    first, event = wrapped[0], batch.to_dicts()[0]
    assert first["specversion"] == "1.0" and first["datacontenttype"] == "application/json"
    assert (first["id"], first["source"], first["type"]) == (event["event.id"], "acme.shop", event["event.type"])
    assert first["time"] == event["timestamp"]  # RFC 3339 with milliseconds, like the event's own


def test_it_gives_cloudevents_an_rfc3339_time_even_for_epoch_timestamps(server):
    from ..helpers import batch_of

    batch = batch_of(
        [{"event.id": "e1", "event.provider": "p", "event.type": "t", "timestamp": 1795132799123}], [1795132799123]
    )

    webhook(server, format="cloudevents").deliver(batch, journey_slug="orders")

    assert orjson.loads(server.received[0].body)[0]["time"] == "2026-11-19T23:59:59.123Z"


def test_it_sends_plain_and_secret_headers(server):
    secrets = {"headers": {"Authorization": "Bearer s3cr3t-v4lue"}}
    sink = webhook(server, headers={"X-Source": "bizflow"}, secrets=secrets)

    sink.deliver(recent_events(5), journey_slug="orders")

    headers = server.received[0].headers
    assert headers["x-source"] == "bizflow" and headers["authorization"] == "Bearer s3cr3t-v4lue"


def test_it_cuts_batches_under_the_byte_limit_in_either_format(server):
    batch = recent_events(1000)

    webhook(server, max_batch_bytes=40_000).deliver(batch, journey_slug="orders")
    json_requests = len(server.received)
    webhook(server, max_batch_bytes=40_000, format="cloudevents").deliver(batch, journey_slug="orders")

    assert all(len(r.body) <= 40_000 for r in server.received)
    assert [e for r in server.received[:json_requests] for e in orjson.loads(r.body)] == batch.to_dicts()
    assert [e["data"] for r in server.received[json_requests:] for e in orjson.loads(r.body)] == batch.to_dicts()
    assert len(server.received) - json_requests > json_requests > 1  # wrapped events are larger


def test_it_halves_a_request_the_webhook_finds_too_large(server):
    server.default = lambda request: (413, {}, b"") if len(request.body) > 20_000 else (200, {}, b"")
    batch = recent_events(300)

    report = webhook(server, max_batch_bytes=60_000).deliver(batch, journey_slug="orders")

    accepted = [e for r in server.received if len(r.body) <= 20_000 for e in orjson.loads(r.body)]
    assert accepted == batch.to_dicts() and report.delivered == 300
    # a 413 teaches the sink a smaller limit (blind halving would take three 413s here)
    assert len(server.received[0].body) > 20_000
    assert sum(len(r.body) > 20_000 for r in server.received) <= 2


@pytest.mark.parametrize(("status", "expected"), [(404, "answered 404"), (410, "answered 410"), (301, "redirects to")])
def test_it_stops_on_answers_retrying_cannot_change(server, status, expected):
    server.then(status, b"gone", {"Location": "https://elsewhere.example/in?key=x"})

    with pytest.raises(DeliveryError) as caught:
        webhook(server).deliver(recent_events(5), journey_slug="orders")

    assert caught.value.permanent and expected in caught.value.message
    assert "key=x" not in caught.value.message


def test_it_stops_when_the_webhook_refuses_its_credentials(server):
    server.then(401, b"bad token")

    with pytest.raises(DeliveryError, match="check the secret headers") as caught:
        webhook(server).deliver(recent_events(5), journey_slug="orders")

    assert caught.value.permanent


def test_it_reports_the_leading_events_taken_before_a_lasting_failure(server):
    batch = recent_events(400)
    cuts = batch.cut_points(29_999)
    server.then(200).then(503, times=10)

    with pytest.raises(DeliveryError) as caught:
        webhook(server, max_batch_bytes=30_000).deliver(batch, journey_slug="orders")

    assert not caught.value.permanent and caught.value.delivered == cuts[1]
    assert len(server.received) == 1 + POLICY.max_attempts


def test_it_keeps_secret_header_values_out_of_errors_and_logs(server, caplog):
    caplog.set_level(logging.DEBUG)
    echo = lambda request: (500, {}, request.headers["authorization"].encode())  # noqa: E731
    server.then(echo, times=3)

    with pytest.raises(DeliveryError) as caught:
        webhook(server, secrets={"headers": {"Authorization": "Token pl41n-s3cr3t"}}).deliver(
            recent_events(5), journey_slug="orders"
        )

    assert "pl41n-s3cr3t" not in caught.value.message + caplog.text
    assert "retrying" in caplog.text


def test_it_checks_with_an_empty_batch(server):
    assert webhook(server).check().startswith("ok")
    assert server.received[0].body == b"[]"


def test_it_checks_and_says_when_the_webhook_is_unreachable(server):
    server.stop()

    with pytest.raises(DeliveryError, match="^unreachable"):
        webhook(server).check()
