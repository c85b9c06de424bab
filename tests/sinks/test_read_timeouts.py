"""A receiver that answers too slowly gets more time rather than more copies of the same request."""

from __future__ import annotations

import time

import pytest
import requests

from journeys.sinks.http import HttpClient, HttpFailure, HttpPolicy
from journeys.sinks.webhook.transport import WebhookSink

from .helpers import recent_events


def slow(seconds: float, status: int = 202):
    def answer(request):
        time.sleep(seconds)
        return status, {}, b""

    return answer


def client(no_sleep, **policy) -> HttpClient:
    settings = {"connect_timeout": 1.0, "read_timeout": 0.2, "read_timeout_max": 0.8, "max_attempts": 4}
    return HttpClient(HttpPolicy(**{**settings, **policy}), sleep=no_sleep.append)


def test_it_sends_a_request_again_once_after_a_read_timeout_with_a_longer_timeout(server, no_sleep):
    server.then(slow(0.3)).then(slow(0.3))
    http = client(no_sleep)

    response = http.request("POST", server.url + "/in", data=b"[1]", events=7)

    assert response.status_code == 202
    assert len(server.received) == 2  # the first copy may have been stored: one more, not three
    assert http.read_timeout == pytest.approx(0.4)
    assert http.take_unanswered_events() == 7
    assert http.take_unanswered_events() == 0


def test_it_gives_up_after_a_second_read_timeout_however_many_attempts_are_allowed(server, no_sleep):
    server.default = slow(1.0)
    http = client(no_sleep, max_attempts=10)

    with pytest.raises(HttpFailure, match=r"no answer within 0.4 s \(read\)") as caught:
        http.request("POST", server.url + "/in", data=b"[1]", events=3)

    assert not caught.value.permanent
    assert len(server.received) == 2
    assert http.take_unanswered_events() == 3  # the events of one request, counted once


def test_it_grows_the_read_timeout_up_to_its_ceiling_and_keeps_it(server, no_sleep):
    server.default = slow(1.0)
    http = client(no_sleep)

    for _ in range(3):
        with pytest.raises(HttpFailure):
            http.request("POST", server.url + "/in", data=b"[1]")

    assert http.read_timeout == pytest.approx(0.8)
    assert http.earned_read_timeout() == pytest.approx(0.8)


def test_it_forgets_the_longer_timeout_once_the_receiver_answers_quickly(server, no_sleep):
    http = client(no_sleep)
    http.remember_read_timeout(0.8)
    server.then(slow(0.3))

    http.request("POST", server.url + "/in", data=b"[1]")  # slow, but within the earned timeout
    assert http.earned_read_timeout() == pytest.approx(0.8)

    http.request("POST", server.url + "/in", data=b"[1]")  # quick again
    assert http.earned_read_timeout() is None and http.read_timeout == pytest.approx(0.2)


def test_it_keeps_a_remembered_timeout_between_the_configured_one_and_the_ceiling(no_sleep):
    http = client(no_sleep)

    http.remember_read_timeout(100.0)
    assert http.read_timeout == pytest.approx(0.8)
    http.remember_read_timeout(0.05)
    assert http.read_timeout == pytest.approx(0.2)


def test_it_retries_connect_timeouts_as_before_since_nothing_was_sent(no_sleep, monkeypatch):
    http = client(no_sleep, max_attempts=3)
    tries = []

    def no_connection(method, url, **kwargs):
        tries.append(kwargs["timeout"])
        raise requests.ConnectTimeout("connect timed out")

    monkeypatch.setattr(http, "send", no_connection)

    with pytest.raises(HttpFailure, match=r"no answer within 1 s \(connect\)"):
        http.request("POST", "http://hooks.example.com/in", data=b"[1]", events=5)

    assert tries == [(1.0, 0.2)] * 3  # every attempt allowed, the read timeout unchanged
    assert http.take_unanswered_events() == 0 and http.earned_read_timeout() is None


def test_it_counts_the_events_of_a_webhook_request_that_got_no_answer_in_time(server, no_sleep):
    server.then(slow(0.3)).then(slow(0.3))
    sink = WebhookSink({"url": server.url + "/in"}, http=client(no_sleep))

    report = sink.deliver(recent_events(5), journey_slug="orders")

    assert report.delivered == 5 and len(server.received) == 2
    assert sink.take_maybe_duplicated() == 5
    assert sink.earned_read_timeout() == pytest.approx(0.4)
