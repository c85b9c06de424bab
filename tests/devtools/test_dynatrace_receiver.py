"""The local Dynatrace receiver: business events ingest, authentication, fault injection, lifecycle.

The other APIs it emulates (OAuth, settings, documents, DQL) are in test_dynatrace_receiver_apis.py.
"""

from __future__ import annotations

import gzip
import http.client
import socket
import subprocess
import sys
import threading
import time

import orjson
import pytest
import requests

from journeys.devtools.dynatrace.http import Request
from journeys.devtools.dynatrace_receiver import DynatraceReceiver

from .receiver_helpers import NOW, api_token, bearer, post_events

HOUR = 3600.0


def event(**fields: object) -> dict[str, object]:
    return {"event.provider": "acme.retail", "event.type": "place.order", **fields}


# --- accepted bodies ----------------------------------------------------------------------------------


def test_it_accepts_one_object_with_202_and_no_body(dt, http):
    response = post_events(http, dt, event(**{"order.id": "o-1"}))

    assert response.status_code == 202
    assert response.content == b""
    [stored] = dt.events
    assert stored["order.id"] == "o-1"
    assert stored["event.kind"] == "BIZ_EVENT"


def test_it_accepts_an_array_and_keeps_arrival_order(dt, http):
    post_events(http, dt, [event(**{"event.id": "a"}), event(**{"event.id": "b"})])
    post_events(http, dt, [event(**{"event.id": "c"})])

    assert dt.event_ids() == ["a", "b", "c"]
    assert dt.event_count == 3
    assert dt.counters["events_accepted"] == 3


def test_it_generates_distinct_event_ids_when_absent(dt, http):
    post_events(http, dt, [event(), event()])
    post_events(http, dt, [event()])

    ids = dt.event_ids()
    assert len(set(ids)) == 3
    assert all(len(i) == 36 for i in ids)  # uuid-shaped


def test_it_forces_event_kind(dt, http):
    post_events(http, dt, event(**{"event.kind": "SOMETHING_ELSE"}))

    assert dt.events[0]["event.kind"] == "BIZ_EVENT"


def test_it_uses_ingest_time_when_timestamp_is_missing(dt, http):
    post_events(http, dt, event())

    [stored] = dt.events
    assert stored["_epoch"] == NOW
    assert stored["timestamp"] == "2026-11-20T00:00:00.000000000Z"


@pytest.mark.parametrize(
    "sent",
    [
        NOW - 60,  # seconds
        int((NOW - 60) * 1e3),  # milliseconds
        int((NOW - 60) * 1e6),  # microseconds
        int((NOW - 60) * 1e9),  # nanoseconds
        str(int((NOW - 60) * 1e3)),  # milliseconds as a string of digits
        "2026-11-19T23:59:00Z",
        "2026-11-19T23:59:00.000Z",
        "2026-11-20T00:59:00+01:00",
        "2026-11-19T23:59:00.000000000Z",
    ],
)
def test_it_reads_timestamps_as_rfc3339_or_epoch_by_magnitude(dt, http, sent):
    assert post_events(http, dt, event(timestamp=sent)).status_code == 202

    [stored] = dt.events
    assert stored["_epoch"] == pytest.approx(NOW - 60, abs=1e-3)
    assert stored["timestamp"] == "2026-11-19T23:59:00.000000000Z"


def test_it_keeps_fields_as_sent(dt, http):
    post_events(http, dt, event(**{"order.value": 1786, "loyalty": "gold", "flag": True, "tags": ["a", "b"]}))

    [stored] = dt.events
    assert stored["order.value"] == 1786 and stored["loyalty"] == "gold"
    assert stored["flag"] is True and stored["tags"] == ["a", "b"]


def test_it_stores_nested_objects_as_json_strings(dt, http):
    post_events(http, dt, event(customer={"name": "Ann", "tier": 2}, items=[{"sku": 1}]))

    [stored] = dt.events
    assert orjson.loads(stored["customer"]) == {"name": "Ann", "tier": 2}
    assert orjson.loads(stored["items"]) == [{"sku": 1}]
    assert dt.counters["nested_values_stringified"] == 2


def test_it_removes_read_only_fields(dt, http):
    post_events(http, dt, event(**{"dt.system.bucket": "x", "dt.ingest.size": 1, "dt.entity.host": "HOST-1"}))

    [stored] = dt.events
    assert "dt.system.bucket" not in stored and "dt.ingest.size" not in stored
    assert stored["dt.entity.host"] == "HOST-1"
    assert dt.counters["read_only_fields_removed"] == 2


def test_it_counts_duplicate_event_ids(dt, http):
    post_events(http, dt, [event(**{"event.id": "same"})])
    post_events(http, dt, [event(**{"event.id": "same"})])

    assert dt.event_ids() == ["same", "same"]  # Dynatrace does not deduplicate; the counter tells
    assert dt.counters["duplicate_event_ids"] == 1


def test_it_stores_events_whose_id_or_provider_is_an_array(dt, http):
    response = post_events(http, dt, [{"event.id": [1, 2], "event.provider": ["a"]}] * 2)

    assert response.status_code == 202
    assert dt.event_count == 2
    assert dt.counters["duplicate_event_ids"] == 1
    assert len(dt.events_for_provider('["a"]')) == 2


# --- the 24 hour and 10 minute rules ------------------------------------------------------------------


def test_it_drops_events_older_than_24_hours_and_still_answers_202(dt, http):
    response = post_events(http, dt, [event(timestamp=NOW - 24 * HOUR - 1), event(timestamp=NOW - 24 * HOUR)])

    assert response.status_code == 202
    assert [e["_epoch"] for e in dt.events] == [NOW - 24 * HOUR]
    assert dt.counters["dropped_too_old"] == 1
    assert dt.requests[-1].accepted == 1


def test_it_clamps_timestamps_more_than_10_minutes_ahead(dt, http):
    far = "2026-11-20T05:00:00Z"
    response = post_events(http, dt, [event(timestamp=far), event(timestamp=NOW + 600)])

    assert response.status_code == 202
    clamped, edge = dt.events
    assert clamped["_epoch"] == NOW + 600
    assert clamped["timestamp"] == "2026-11-20T00:10:00.000000000Z"
    assert clamped["_original_timestamp"] == far
    assert "_original_timestamp" not in edge
    assert dt.counters["clamped_future"] == 1


def test_it_applies_the_rules_to_the_injected_clock(dt, http, clock):
    sent = event(timestamp=NOW - HOUR)

    clock.advance(23 * HOUR)
    assert post_events(http, dt, sent).status_code == 202
    clock.advance(2 * HOUR)
    assert post_events(http, dt, sent).status_code == 202

    assert dt.event_count == 1
    assert dt.counters["dropped_too_old"] == 1


# --- refused bodies -----------------------------------------------------------------------------------


def test_it_answers_400_for_invalid_events_and_keeps_the_valid_ones(dt, http):
    response = post_events(http, dt, [event(**{"event.id": "ok"}), 7, event(timestamp="yesterday"), [1], None])

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == 400
    assert "4 of 5 events were invalid" in error["message"]
    assert [v["path"] for v in error["constraintViolations"]] == ["[1]", "[2]", "[3]", "[4]"]
    assert dt.event_ids() == ["ok"]
    assert dt.counters["events_rejected"] == 4


@pytest.mark.parametrize("body", [b"{not json", b'"just a string"', b"42"])
def test_it_answers_400_for_a_body_that_is_not_events(dt, http, body):
    response = post_events(http, dt, body)

    assert response.status_code == 400
    assert response.json()["error"]["message"]
    assert dt.event_count == 0


def test_it_answers_415_for_an_unsupported_content_type(dt, http):
    response = post_events(http, dt, event(), content_type="text/plain")

    assert response.status_code == 415


def test_it_answers_413_above_the_body_limit(dt, http):
    dt.set_max_body_bytes(1000)
    big = [event(padding="x" * 100) for _ in range(20)]

    assert post_events(http, dt, big).status_code == 413
    assert post_events(http, dt, big[:2]).status_code == 202  # the connection is still usable
    assert dt.event_count == 2


def test_it_has_a_5_mb_default_limit(clock):
    receiver = DynatraceReceiver(clock=clock)

    assert receiver.max_body_bytes == 5 * 1024 * 1024


def test_it_answers_413_when_a_gzip_body_inflates_past_the_limit(dt, http):
    dt.set_max_body_bytes(10_000)
    body = gzip.compress(orjson.dumps([event(padding="x" * 50_000)]))

    response = post_events(http, dt, body, headers={"Content-Encoding": "gzip"})

    assert len(body) < 10_000
    assert response.status_code == 413


# --- encodings and formats ----------------------------------------------------------------------------


def test_it_decodes_gzip_bodies(dt, http):
    body = gzip.compress(orjson.dumps([event(**{"event.id": "z1"}), event(**{"event.id": "z2"})]))

    response = post_events(http, dt, body, headers={"Content-Encoding": "gzip"})

    assert response.status_code == 202
    assert dt.event_ids() == ["z1", "z2"]
    assert dt.requests[-1].bytes == len(body)


def test_it_answers_400_for_a_broken_gzip_body(dt, http):
    response = post_events(http, dt, b"\x1f\x8bnot really gzip", headers={"Content-Encoding": "gzip"})

    assert response.status_code == 400


def test_it_can_be_told_not_to_decode_gzip(clock, http):
    with DynatraceReceiver(clock=clock, accept_gzip=False) as receiver:
        body = gzip.compress(orjson.dumps(event()))
        response = post_events(http, receiver, body, headers={"Content-Encoding": "gzip"})

    assert response.status_code == 400


@pytest.mark.parametrize("content_type", ["application/cloudevent+json", "application/cloudevents+json"])
def test_it_maps_a_cloudevent(dt, http, content_type):
    cloudevent = {
        "specversion": "1.0",
        "id": "ce-1",
        "source": "acme.retail",
        "type": "place.order",
        "time": "2026-11-19T23:00:00Z",
        "subject": "order",
        "data": {"order.id": "o-9", "order.value": 10},
    }

    assert post_events(http, dt, cloudevent, content_type=content_type).status_code == 202

    [stored] = dt.events
    assert stored["event.id"] == "ce-1"
    assert stored["event.provider"] == "acme.retail"
    assert stored["event.type"] == "place.order"
    assert stored["order.id"] == "o-9" and stored["order.value"] == 10 and stored["subject"] == "order"
    assert stored["_epoch"] == NOW - HOUR
    assert "specversion" not in stored and "data" not in stored


@pytest.mark.parametrize("content_type", ["application/cloudevent-batch+json", "application/cloudevents-batch+json"])
def test_it_maps_a_cloudevent_batch_and_rejects_incomplete_ones(dt, http, content_type):
    good = {"specversion": "1.0", "id": "ce-1", "source": "p", "type": "t", "data": {"k": 1}}
    incomplete = {"specversion": "1.0", "id": "ce-2", "type": "t"}

    response = post_events(http, dt, [good, incomplete], content_type=content_type)

    assert response.status_code == 400
    assert "source" in response.json()["error"]["constraintViolations"][0]["message"]
    assert dt.event_ids() == ["ce-1"]


def test_it_takes_a_single_cloudevent_only_as_an_object(dt, http):
    response = post_events(http, dt, [{"id": "x"}], content_type="application/cloudevent+json")

    assert response.status_code == 400


def test_it_reads_chunked_bodies(dt, http):
    body = orjson.dumps([event(**{"event.id": "c1"})])
    response = http.post(
        dt.ingest_url, data=iter([body[:10], body[10:]]), headers={"Content-Type": "application/json", **api_token(dt)}
    )

    assert response.status_code == 202
    assert dt.event_ids() == ["c1"]


def test_it_keeps_the_connection_alive_between_requests(dt):
    connection = http.client.HTTPConnection(dt.host, dt.port, timeout=5)
    headers = {"Content-Type": "application/json", **api_token(dt)}
    try:
        connection.request("POST", "/api/v2/bizevents/ingest", orjson.dumps(event()), headers)
        first = connection.getresponse()
        first.read()
        local_port = connection.sock.getsockname()[1]
        connection.request("POST", "/api/v2/bizevents/ingest", orjson.dumps(event()), headers)
        second = connection.getresponse()
        second.read()
        assert connection.sock.getsockname()[1] == local_port
    finally:
        connection.close()
    assert (first.status, second.status) == (202, 202)


# --- authentication -----------------------------------------------------------------------------------


@pytest.mark.parametrize("authorization", [None, "Api-Token wrong", "Bearer dt0c01.TEST", "Api-Token", "dt0c01.TEST"])
def test_it_answers_401_without_a_valid_api_token(dt, http, authorization):
    headers = {"Content-Type": "application/json"}
    if authorization:
        headers["Authorization"] = authorization

    response = http.post(dt.ingest_url, data=orjson.dumps(event()), headers=headers)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == 401
    assert dt.event_count == 0
    assert dt.counters["auth_failures"] == 1


def test_it_answers_403_when_the_token_lacks_the_ingest_scope(dt, http):
    dt.set_api_token_scopes(["settings.read"])

    response = post_events(http, dt, event())

    assert response.status_code == 403
    assert "bizevents.ingest" in response.json()["error"]["message"]


def test_it_takes_bearer_tokens_on_the_platform_path(dt, http):
    response = http.post(dt.platform_ingest_url, json=[event()], headers=bearer(dt, "storage:events:write"))

    assert response.status_code == 202
    assert dt.event_count == 1


def test_it_answers_403_for_a_bearer_token_without_storage_events_write(dt, http):
    response = http.post(dt.platform_ingest_url, json=[event()], headers=bearer(dt, "storage:bizevents:read"))

    assert response.status_code == 403


def test_it_refuses_an_api_token_on_the_platform_path(dt, http):
    response = http.post(dt.platform_ingest_url, json=[event()], headers=api_token(dt))

    assert response.status_code == 401


def test_it_rejects_every_token_when_told_to(dt, http):
    dt.reject_token()
    refused = post_events(http, dt, event())
    refused_bearer = http.post(dt.platform_ingest_url, json=[event()], headers=bearer(dt, "storage:events:write"))
    dt.reject_token(False)

    assert (refused.status_code, refused_bearer.status_code) == (401, 401)
    assert post_events(http, dt, event()).status_code == 202


# --- fault injection ----------------------------------------------------------------------------------


def test_it_fails_the_next_requests_and_stores_nothing_from_them(dt, http):
    dt.fail_next(2)

    statuses = [post_events(http, dt, event()).status_code for _ in range(3)]

    assert statuses == [503, 503, 202]
    assert dt.event_count == 1
    assert dt.counters["injected_failures"] == 2


def test_it_fails_with_the_status_and_endpoint_asked_for(dt, http):
    dt.fail_next(1, status=500, endpoint="oauth")

    assert post_events(http, dt, event()).status_code == 202  # ingest is not affected
    assert http.post(dt.token_url, data={"grant_type": "client_credentials"}).status_code == 500
    assert dt.counters["injected_failures"] == 1


def test_it_throttles_with_retry_after(dt, http):
    dt.throttle_next(1, retry_after=7)

    throttled = post_events(http, dt, event())

    assert throttled.status_code == 429
    assert throttled.headers["Retry-After"] == "7"
    assert post_events(http, dt, event()).status_code == 202
    assert dt.counters["injected_throttles"] == 1


def test_it_injects_faults_in_the_order_asked(dt, http):
    dt.fail_next(1)
    dt.throttle_next(1)

    assert [post_events(http, dt, event()).status_code for _ in range(3)] == [503, 429, 202]


def test_it_injects_faults_before_checking_the_token(dt, http):
    dt.fail_next(1)

    response = http.post(dt.ingest_url, json=event())  # no token at all

    assert response.status_code == 503


def test_it_fails_every_other_batch(dt, http):
    dt.fail_every_other_batch(True)
    statuses = [post_events(http, dt, event()).status_code for _ in range(4)]
    dt.fail_every_other_batch(False)

    assert statuses == [202, 503, 202, 503]
    assert post_events(http, dt, event()).status_code == 202
    assert dt.event_count == 3


def test_it_answers_slowly_when_told_to(dt, http):
    dt.delay_seconds(0.3)

    with pytest.raises(requests.Timeout):
        http.post(dt.ingest_url, json=event(), headers=api_token(dt), timeout=0.1)
    started = time.perf_counter()
    assert post_events(http, dt, event()).status_code == 202
    assert time.perf_counter() - started >= 0.3


def test_it_clears_faults(dt, http):
    dt.fail_next(5)
    dt.delay_seconds(5)
    dt.reject_token()

    dt.clear_faults()

    assert post_events(http, dt, event()).status_code == 202


def test_it_refuses_connections_while_down_and_comes_back_on_the_same_port(dt, http):
    port = dt.port
    assert post_events(http, dt, event()).status_code == 202  # a keep-alive connection is now open

    dt.set_down()
    assert not dt.is_up
    with pytest.raises(requests.ConnectionError):
        post_events(http, dt, event())
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((dt.host, port), timeout=1)

    dt.set_up()
    assert dt.port == port
    assert post_events(http, dt, event()).status_code == 202
    assert dt.event_count == 2


# --- bookkeeping and lifecycle ------------------------------------------------------------------------


def test_it_logs_every_request(dt, http, clock):
    body = orjson.dumps([event(), event()])
    post_events(http, dt, body)
    http.get(dt.url + "/nowhere")

    ingest, unknown = dt.requests
    assert (ingest.method, ingest.path, ingest.status, ingest.count, ingest.accepted) == (
        "POST",
        "/api/v2/bizevents/ingest",
        202,
        2,
        2,
    )
    assert ingest.bytes == len(body)
    assert ingest.endpoint == "ingest" and ingest.at == NOW
    assert (unknown.status, unknown.endpoint) == (404, "unknown")
    assert dt.counters["requests"] == 2 and dt.counters["ingest_requests"] == 1


def test_it_answers_405_for_a_known_path_with_the_wrong_method(dt, http):
    assert http.get(dt.ingest_url, headers=api_token(dt)).status_code == 405


def test_it_resets_what_it_received(dt, http):
    post_events(http, dt, event())
    dt.fail_next(3)

    dt.reset()

    assert dt.events == [] and dt.requests == [] and dt.counters["events_accepted"] == 0
    assert post_events(http, dt, event()).status_code == 202


def test_it_waits_for_events_sent_from_another_thread(dt):
    def send() -> None:
        time.sleep(0.05)
        with requests.Session() as session:
            post_events(session, dt, [event(), event()])

    threading.Thread(target=send).start()

    assert dt.wait_for_events(2, timeout=5)
    assert not dt.wait_for_events(3, timeout=0.05)


def test_it_stays_consistent_under_concurrent_clients(dt):
    def send(worker: int) -> None:
        with requests.Session() as session:
            for batch in range(10):
                post_events(session, dt, [event(**{"event.id": f"{worker}-{batch}-{i}"}) for i in range(50)])

    threads = [threading.Thread(target=send, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert dt.event_count == 2000
    assert len(set(dt.event_ids())) == 2000
    assert dt.counters["events_accepted"] == 2000


def test_it_answers_without_a_socket(clock):
    receiver = DynatraceReceiver(clock=clock)  # never started
    request = Request(
        "POST",
        "/api/v2/bizevents/ingest",
        {},
        {"Authorization": "Api-Token dt0c01.TEST", "Content-Type": "application/json"},
        orjson.dumps([event()]),
    )

    assert receiver.handle(request).status == 202
    assert receiver.event_count == 1


def test_it_exposes_stats_and_reset_over_http(dt, http):
    post_events(http, dt, [event(), event(**{"event.provider": "other"})])

    stats = http.get(dt.url + "/_receiver/stats").json()
    events = http.get(dt.url + "/_receiver/events", params={"provider": "other"}).json()
    reset = http.post(dt.url + "/_receiver/reset")

    assert stats["counters"]["events_accepted"] == 2
    assert stats["providers"] == {"acme.retail": 1, "other": 1}
    assert [e["event.provider"] for e in events] == ["other"] and "_epoch" not in events[0]
    assert reset.status_code == 204 and dt.event_count == 0


def test_it_runs_from_the_command_line(http):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    child = subprocess.Popen(
        [sys.executable, "-m", "journeys.devtools.dynatrace_receiver", "--port", str(port)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        banner = child.stdout.readline()
        url = f"http://127.0.0.1:{port}"
        response = http.post(
            url + "/api/v2/bizevents/ingest", json=[event()], headers={"Authorization": "Api-Token dt0c01.TEST"}
        )
        stats = http.get(url + "/_receiver/stats").json()
    finally:
        child.terminate()
        child.wait(timeout=5)
    assert url in banner
    assert response.status_code == 202
    assert stats["counters"]["events_accepted"] == 1
