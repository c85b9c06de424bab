"""The Dynatrace sink against the local Dynatrace receiver (and, for exact headers, a scripted server)."""

from __future__ import annotations

import gzip
import logging
import time
from datetime import datetime

import orjson
import pytest

from journeys.devtools.dynatrace.ingest import public_fields
from journeys.sinks import sink_class
from journeys.sinks.base import DeliveryError
from journeys.sinks.dynatrace.transport import DynatraceSink, OutsideIngestWindow
from journeys.sinks.http import HttpClient, HttpPolicy

from ..helpers import HOUR_MS, NOW, batch_of, recent_events
from .conftest import CLIENT_SECRET, TEST_POLICY


def stored_as_sent(dt) -> list[dict]:
    """The receiver's events without what Dynatrace adds, timestamps as epoch ms, in arrival order."""
    events = []
    for event in dt.events:
        event = public_fields(event)
        event.pop("event.kind")
        stamp = event["timestamp"]  # 2026-11-19T23:00:02.283999999Z: nanoseconds, as Grail gives them
        seconds = datetime.fromisoformat(stamp[:19] + "+00:00").timestamp()
        event["timestamp"] = round(seconds * 1000 + int(stamp[20:-1]) / 1e6)
        events.append(event)
    return events


def sent(batch) -> list[dict]:
    events = batch.to_dicts()
    for event, ms in zip(events, batch.ts_ms.tolist(), strict=True):
        event["timestamp"] = ms
    return events


def test_it_is_registered_as_the_dynatrace_kind():
    assert sink_class("dynatrace") is DynatraceSink


def test_it_delivers_every_event_exactly_once_in_order_with_flat_keys(dt, make_sink):
    batch = recent_events(3000)

    report = make_sink().deliver(batch, journey_slug="orders")

    assert report.delivered == 3000 and report.rejected == 0
    assert stored_as_sent(dt) == sent(batch)
    assert all(not isinstance(value, dict | list) for event in dt.events for value in event.values())
    assert "order.value" in dt.events[0] and dt.counters["duplicate_event_ids"] == 0


def test_it_sends_a_json_array_with_the_api_token_header(server, clock):
    batch = recent_events(5)
    sink = DynatraceSink(
        {"environment_url": server.url}, {"api_token": "dt0c01.AAAA.BBBB"}, http=HttpClient(TEST_POLICY), clock=clock
    )

    sink.deliver(batch, journey_slug="orders")

    [request] = server.received
    assert request.path == "/api/v2/bizevents/ingest"
    assert request.headers["authorization"] == "Api-Token dt0c01.AAAA.BBBB"
    assert request.headers["content-type"] == "application/json"
    assert "content-encoding" not in request.headers
    assert request.body == batch.json_array()


def test_it_cuts_batches_into_requests_under_the_byte_limit(dt, make_sink):
    batch = recent_events(2000)

    report = make_sink(max_batch_bytes=50_000).deliver(batch, journey_slug="orders")

    sizes = [record.bytes for record in dt.requests]
    assert max(sizes) <= 50_000
    assert len(sizes) == report.requests == len(batch.cut_points(49_999)) - 1
    assert sum(sizes) == report.bytes_sent == batch.nbytes + len(sizes)  # n lines: n - 1 commas and []
    assert dt.event_count == 2000


def test_it_compresses_requests_when_gzip_is_on(dt, make_sink, server, clock):
    batch = recent_events(1000)

    make_sink(gzip=True).deliver(batch, journey_slug="orders")
    DynatraceSink(
        {"environment_url": server.url, "gzip": True}, {"api_token": "t0k3n"}, http=HttpClient(TEST_POLICY), clock=clock
    ).deliver(batch, journey_slug="orders")

    assert stored_as_sent(dt) == sent(batch)
    assert sum(record.bytes for record in dt.requests) < batch.nbytes / 3
    [request] = server.received
    assert request.headers["content-encoding"] == "gzip"
    assert gzip.decompress(request.body) == batch.json_array()


def test_it_records_events_dynatrace_rejects_and_does_not_resend_them(dt, make_sink, clock):
    ms = int(clock() * 1000) - 60_000
    good = {"event.provider": "acme.shop", "event.type": "order.placed", "timestamp": ms}
    batch = batch_of([good, {**good, "timestamp": "not a time"}, good, {**good, "timestamp": "soon"}], [ms] * 4)

    report = make_sink().deliver(batch, journey_slug="orders")

    assert (report.delivered, report.rejected) == (2, 2)
    assert dt.event_count == 2 and len(dt.requests) == 1
    [note] = report.notes
    assert note.startswith("Dynatrace rejected 2 of 4 events") and "were invalid" in note


def test_it_counts_a_partial_400_it_cannot_read_as_delivered_and_keeps_the_text(server, clock):
    server.then(400, {"error": {"code": 400, "message": "Some events are malformed"}})
    sink = DynatraceSink(
        {"environment_url": server.url}, {"api_token": "t0k3n"}, http=HttpClient(TEST_POLICY), clock=clock
    )

    report = sink.deliver(recent_events(10), journey_slug="orders")

    assert (report.delivered, report.rejected) == (10, 0)
    assert "Some events are malformed" in report.notes[0]
    assert len(server.received) == 1


def test_it_stops_on_a_rejected_token_with_what_to_fix(dt, make_sink):
    dt.reject_token()

    with pytest.raises(DeliveryError) as caught:
        make_sink().deliver(recent_events(10), journey_slug="orders")

    assert caught.value.permanent and caught.value.delivered == 0
    assert caught.value.message.startswith("token rejected") and "bizevents.ingest" in caught.value.message


def test_it_stops_on_a_missing_scope_naming_the_scope(dt, make_sink):
    dt.set_api_token_scopes(["settings.read"])

    with pytest.raises(DeliveryError) as caught:
        make_sink().deliver(recent_events(10), journey_slug="orders")

    assert caught.value.permanent
    assert caught.value.message.startswith("missing scope") and "bizevents.ingest" in caught.value.message


def test_it_halves_requests_the_receiver_finds_too_large_and_keeps_the_order(dt, make_sink):
    dt.set_max_body_bytes(30_000)
    batch = recent_events(1000)

    report = make_sink(max_batch_bytes=100_000).deliver(batch, journey_slug="orders")

    statuses = [record.status for record in dt.requests]
    # a 413 teaches the sink a smaller limit: later requests are cut to it before they are sent
    # (halving every request blindly takes seven 413s here)
    assert statuses[0] == 413 and statuses.count(413) <= 2
    assert report.requests == len(statuses)
    assert stored_as_sent(dt) == sent(batch)
    assert dt.counters["duplicate_event_ids"] == 0


def test_it_refuses_an_event_too_large_on_its_own_permanently(dt, make_sink):
    dt.set_max_body_bytes(100)
    batch = recent_events(3)

    with pytest.raises(DeliveryError) as caught:
        make_sink().deliver(batch, journey_slug="orders")

    assert caught.value.permanent and caught.value.delivered == 0
    assert "too large" in caught.value.message


def test_it_waits_for_retry_after_when_throttled(dt, make_sink):
    dt.throttle_next(1, retry_after=1)
    started = time.monotonic()

    report = make_sink().deliver(recent_events(100), journey_slug="orders")

    assert time.monotonic() - started >= 1.0
    assert report.delivered == 100 and [r.status for r in dt.requests] == [429, 202]


def test_it_reports_a_throttle_longer_than_its_budget_as_temporary_with_the_wait(dt, make_sink):
    dt.throttle_next(1, retry_after=600)
    started = time.monotonic()

    with pytest.raises(DeliveryError) as caught:
        make_sink().deliver(recent_events(100), journey_slug="orders")

    assert not caught.value.permanent and caught.value.retry_after == 600
    assert time.monotonic() - started < 1


def test_it_retries_503_and_delivers(dt, make_sink):
    dt.fail_next(2, 503)

    report = make_sink().deliver(recent_events(100), journey_slug="orders")

    assert report.delivered == 100 and dt.event_count == 100
    assert [r.status for r in dt.requests] == [503, 503, 202]


class FailAfterFirstRequests(HttpClient):
    """Lets ``good`` requests through, then makes the receiver answer 503 to everything."""

    def __init__(self, dt, good: int):
        super().__init__(TEST_POLICY)
        self.dt, self.good = dt, good

    def send(self, method, url, **kwargs):
        if self.good == 0:
            self.dt.fail_next(100, 503)
        self.good -= 1
        return super().send(method, url, **kwargs)


def test_it_reports_how_many_leading_events_went_through_before_a_lasting_503(dt, make_sink):
    batch = recent_events(2000)
    cuts = batch.cut_points(49_999)

    with pytest.raises(DeliveryError) as caught:
        make_sink(max_batch_bytes=50_000, http=FailAfterFirstRequests(dt, good=2)).deliver(batch, journey_slug="o")

    assert not caught.value.permanent
    assert caught.value.delivered == cuts[2] == dt.event_count
    assert [r.status for r in dt.requests] == [202, 202, 503, 503, 503]


def test_it_calls_a_receiver_that_is_down_temporary(dt, make_sink):
    dt.set_down()

    with pytest.raises(DeliveryError) as caught:
        make_sink().deliver(recent_events(10), journey_slug="orders")

    assert not caught.value.permanent and caught.value.delivered == 0
    assert "cannot connect" in caught.value.message


def test_it_calls_a_slow_receiver_temporary(dt, make_sink):
    dt.delay_seconds(1.0)
    policy = HttpPolicy(connect_timeout=1, read_timeout=0.2, max_attempts=2, backoff=0.01, budget=1)

    with pytest.raises(DeliveryError) as caught:
        make_sink(policy=policy).deliver(recent_events(10), journey_slug="orders")

    assert not caught.value.permanent
    assert "no answer within" in caught.value.message


def test_it_refuses_events_dynatrace_would_drop_as_too_old(dt, make_sink, clock):
    batch = recent_events(10, now=clock() - 24 * 3600 + 30)

    with pytest.raises(OutsideIngestWindow) as caught:
        make_sink().deliver(batch, journey_slug="orders")

    assert caught.value.permanent and "older than 24 hours" in caught.value.message
    assert dt.requests == []


def test_it_refuses_events_not_due_yet(dt, make_sink, clock):
    batch = recent_events(10, now=clock() + 3600)

    with pytest.raises(OutsideIngestWindow) as caught:
        make_sink().deliver(batch, journey_slug="orders")

    assert "dated after now" in caught.value.message
    assert dt.requests == []


def test_it_sends_events_just_inside_the_24_hours(dt, make_sink, clock):
    batch = recent_events(10, now=clock() - 23 * 3600, hours=0.5)

    assert make_sink().deliver(batch, journey_slug="orders").delivered == 10
    assert dt.counters["dropped_too_old"] == 0


def test_it_delivers_through_the_platform_with_an_oauth_client(dt, make_sink):
    batch = recent_events(500)

    make_sink(oauth=True).deliver(batch, journey_slug="orders")

    assert stored_as_sent(dt) == sent(batch)
    assert {r.path for r in dt.requests if r.endpoint == "ingest"} == {
        "/platform/classic/environment-api/v2/bizevents/ingest"
    }


def test_it_fetches_an_oauth_token_once_and_again_only_near_its_expiry(dt, make_sink, clock):
    sink = make_sink(oauth=True, max_batch_bytes=20_000)

    sink.deliver(recent_events(300, now=clock()), journey_slug="orders")  # several requests
    clock.advance(200)
    sink.deliver(recent_events(50, now=clock()), journey_slug="orders")
    assert dt.counters["token_requests"] == 1
    clock.advance(80)  # 280 s: inside the last 30 s of the 300 s token
    sink.deliver(recent_events(50, now=clock()), journey_slug="orders")

    assert dt.counters["token_requests"] == 2
    assert dt.counters["auth_failures"] == 0


def test_it_fetches_a_new_oauth_token_when_the_old_one_is_refused(dt, make_sink):
    sink = make_sink(oauth=True)
    sink.deliver(recent_events(10), journey_slug="orders")
    dt.revoke_oauth_tokens()

    report = sink.deliver(recent_events(20), journey_slug="orders")

    assert report.delivered == 20
    assert dt.counters["token_requests"] == 2


def test_it_stops_when_the_oauth_client_secret_is_wrong(dt, make_sink, clock):
    sink = DynatraceSink(
        {"environment_url": dt.url, "auth_type": "oauth", "token_url": dt.token_url},
        {"client_id": "dt0s02.TEST", "client_secret": "wrong", "account_urn": "4f5c8a1e-1111-4222-8333-944455556666"},
        http=HttpClient(TEST_POLICY),
        clock=clock,
    )

    with pytest.raises(DeliveryError) as caught:
        sink.deliver(recent_events(10), journey_slug="orders")

    assert caught.value.permanent
    assert caught.value.message.startswith("OAuth client rejected")


def test_it_keeps_tokens_and_client_secrets_out_of_errors_and_logs(dt, make_sink, caplog):
    caplog.set_level(logging.DEBUG)
    oauth = make_sink(oauth=True)
    oauth.deliver(recent_events(10), journey_slug="orders")
    bearer = oauth.client.auth.sensitive()[1]
    texts = []

    def failure(sink) -> None:
        with pytest.raises(DeliveryError) as caught:
            sink.deliver(recent_events(10), journey_slug="orders")
        texts.append(caught.value.message)

    dt.fail_next(3, 503)
    failure(oauth)  # retried, then temporary
    dt.reject_token()
    failure(oauth)  # 401, a new token, 401 again
    failure(make_sink())

    everything = " ".join(texts) + caplog.text
    assert "retrying" in caplog.text and "token rejected" in texts[2]
    for secret in (dt.api_token, CLIENT_SECRET, bearer, oauth.client.auth.sensitive()[-1]):
        assert secret not in everything


def test_it_checks_a_working_destination(make_sink):
    assert make_sink().check().startswith("ok")
    assert make_sink(oauth=True).check().startswith("ok")


def test_it_checks_and_names_each_problem(dt, make_sink):
    dt.set_api_token_scopes([])
    with pytest.raises(DeliveryError, match="^missing scope"):
        make_sink().check()
    dt.reject_token()
    with pytest.raises(DeliveryError, match="^token rejected"):
        make_sink().check()
    dt.set_down()
    with pytest.raises(DeliveryError, match="^unreachable") as caught:
        make_sink().check()
    assert not caught.value.permanent


def test_it_stores_nothing_for_the_check(dt, make_sink):
    make_sink().check()

    assert dt.event_count == 0 and [r.status for r in dt.requests] == [202]


def test_it_names_a_wrong_environment_url(server, clock):
    server.then(404, {"error": {"code": 404, "message": "Not found"}})
    sink = DynatraceSink(
        {"environment_url": server.url + "/e/nope"}, {"api_token": "t0k3n"}, http=HttpClient(TEST_POLICY), clock=clock
    )

    with pytest.raises(DeliveryError, match="check the environment URL") as caught:
        sink.deliver(recent_events(5), journey_slug="orders")

    assert caught.value.permanent


def test_it_delivers_nothing_for_an_empty_batch(dt, make_sink):
    empty = recent_events(1).slice(0, 0)

    assert make_sink().deliver(empty, journey_slug="orders").delivered == 0
    assert dt.requests == []


def test_it_sends_a_backfill_of_a_day_in_requests_under_the_limit(dt, make_sink, clock):
    batch = recent_events(now=clock(), hours=23.5)

    report = make_sink().deliver(batch, journey_slug="orders")

    assert report.delivered == len(batch) == dt.event_count
    assert max(record.bytes for record in dt.requests) <= 512 * 1024
    assert orjson.loads(batch.line(0))["event.provider"] == "acme.shop" and batch.ts_ms[0] < NOW * 1000 - 23 * HOUR_MS
