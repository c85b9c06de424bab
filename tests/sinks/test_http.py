"""The HTTP base against a real local server: what is retried, how long it waits, what it says."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from email.utils import format_datetime

import pytest

from journeys.sinks.http import AuthRejected, HttpClient, HttpFailure, HttpPolicy, parse_retry_after, redact, safe_url

from .helpers import free_port

FAST = HttpPolicy(connect_timeout=1, read_timeout=2, max_attempts=4, backoff=0.5, budget=30)


def client(no_sleep: list[float], **policy) -> HttpClient:
    return HttpClient(HttpPolicy(**{**FAST.__dict__, **policy}), sleep=no_sleep.append)


def test_it_returns_an_answer_that_retrying_cannot_change_at_once(server, no_sleep):
    server.then(400, {"error": {"message": "bad"}})

    response = client(no_sleep).request("POST", server.url + "/x", data=b"[]")

    assert response.status_code == 400
    assert len(server.received) == 1 and no_sleep == []


def test_it_retries_5xx_with_growing_jittered_pauses_until_it_succeeds(server, no_sleep):
    server.then(503, times=2).then(500).then(202)

    response = client(no_sleep).request("POST", server.url + "/x", data=b"[1]")

    assert response.status_code == 202
    assert [r.body for r in server.received] == [b"[1]"] * 4
    assert len(no_sleep) == 3
    for attempt, pause in enumerate(no_sleep, start=1):
        ceiling = 0.5 * 2 ** (attempt - 1)
        assert ceiling / 2 <= pause <= ceiling


def test_it_gives_up_after_the_last_attempt_with_a_temporary_error(server, no_sleep):
    server.then(503, {"error": {"code": 503, "message": "Service Unavailable"}}, times=10)

    with pytest.raises(HttpFailure) as caught:
        client(no_sleep, max_attempts=3).request("POST", server.url + "/x")

    assert not caught.value.permanent
    assert caught.value.status == 503
    assert "after 3 attempts" in caught.value.message and "Service Unavailable" in caught.value.message
    assert len(server.received) == 3


def test_it_waits_as_long_as_retry_after_says(server):
    server.then(429, headers={"Retry-After": "1"}).then(202)
    started = time.monotonic()

    response = HttpClient(FAST).request("POST", server.url + "/x")

    assert response.status_code == 202
    assert time.monotonic() - started >= 1.0
    assert len(server.received) == 2


def test_it_reads_retry_after_given_as_an_http_date(server, no_sleep):
    later = format_datetime(datetime.fromtimestamp(time.time() + 20, UTC), usegmt=True)
    server.then(429, headers={"Retry-After": later}).then(202)

    client(no_sleep).request("POST", server.url + "/x")

    assert 18 <= no_sleep[0] <= 20


def test_it_gives_up_at_once_when_retry_after_would_exceed_the_budget(server, no_sleep):
    server.then(429, headers={"Retry-After": "120"})

    with pytest.raises(HttpFailure) as caught:
        client(no_sleep, budget=10).request("POST", server.url + "/x")

    assert not caught.value.permanent
    assert caught.value.retry_after == 120
    assert no_sleep == [] and len(server.received) == 1


def test_it_keeps_the_total_wait_within_the_budget(server, no_sleep):
    server.then(503, times=20)

    with pytest.raises(HttpFailure):
        client(no_sleep, max_attempts=20, backoff=1, budget=5).request("POST", server.url + "/x")

    assert sum(no_sleep) <= 5
    assert len(server.received) == len(no_sleep) + 1


@pytest.mark.parametrize(("status", "fix"), [(401, "token rejected"), (403, "missing scope")])
def test_it_stops_on_401_and_403_with_what_to_fix(server, no_sleep, status, fix):
    server.then(status, {"error": {"code": status, "message": "Token Authentication failed"}})
    messages = {401: "token rejected: check the token", 403: "missing scope: needs bizevents.ingest"}

    with pytest.raises(AuthRejected) as caught:
        client(no_sleep).request("POST", server.url + "/x", auth_messages=messages)

    assert caught.value.permanent and caught.value.status == status
    assert caught.value.message.startswith(fix)
    assert "Token Authentication failed" in caught.value.message
    assert len(server.received) == 1


def test_it_calls_a_refused_connection_temporary(no_sleep):
    url = f"http://127.0.0.1:{free_port()}/x"

    with pytest.raises(HttpFailure) as caught:
        client(no_sleep, max_attempts=2).request("POST", url)

    assert not caught.value.permanent and caught.value.status is None
    assert "cannot connect" in caught.value.message
    assert len(no_sleep) == 1


def test_it_calls_a_slow_receiver_temporary_after_the_read_timeout(server, no_sleep):
    server.delay = 1.0
    started = time.monotonic()

    with pytest.raises(HttpFailure) as caught:
        client(no_sleep, read_timeout=0.2, max_attempts=2).request("POST", server.url + "/x")

    assert not caught.value.permanent
    assert "no answer within" in caught.value.message
    assert time.monotonic() - started < 1.5  # two 0.2 s timeouts, not two full answers


def test_it_keeps_one_connection_alive_across_calls(server, no_sleep):
    http = client(no_sleep)

    for _ in range(5):
        http.request("POST", server.url + "/x", data=b"[]")

    assert len({r.client for r in server.received}) == 1


def test_it_refuses_a_malformed_url_permanently(no_sleep):
    with pytest.raises(HttpFailure) as caught:
        client(no_sleep).request("POST", "no-scheme.example/x")

    assert caught.value.permanent
    assert "invalid URL" in caught.value.message


def test_it_keeps_secrets_out_of_errors_and_logs(server, no_sleep, caplog):
    token = "dt0c01.ABCDEFGHIJKLMNOPQRSTUVWX.SECRETSECRETSECRET"
    echo = lambda request: (503, {}, f"denied for {request.headers['authorization']}".encode())  # noqa: E731
    server.then(echo, times=3)
    caplog.set_level(logging.DEBUG, logger="journeys")

    with pytest.raises(HttpFailure) as caught:
        client(no_sleep, max_attempts=3).request(
            "POST",
            server.url + "/x?api-key=querysecret",
            headers={"Authorization": f"Api-Token {token}"},
            sensitive=(token,),
        )

    assert "denied for" in caught.value.message
    everything = caught.value.message + caplog.text
    assert token not in everything and "SECRETSECRET" not in everything and "querysecret" not in everything
    assert "retrying" in caplog.text


def test_it_reads_retry_after_in_both_forms():
    assert parse_retry_after("7") == 7
    now = datetime(2026, 11, 18, 23, 58, tzinfo=UTC).timestamp()
    assert parse_retry_after("Wed, 18 Nov 2026 23:59:00 GMT", now=now) == 60
    assert parse_retry_after("soon") is None
    assert parse_retry_after("-5") == 0


def test_it_redacts_authorization_values_and_dynatrace_tokens():
    text = "Authorization: Bearer eyJabc.def and Api-Token dt0c01.AAA.BBB and dt0s02.CLIENT and s3cr3t!"

    cleaned = redact(text, ["s3cr3t!"])

    assert "eyJabc" not in cleaned and "dt0c01" not in cleaned and "dt0s02" not in cleaned and "s3cr3t" not in cleaned
    assert "Bearer ***" in cleaned


def test_it_shows_urls_without_credentials_or_query():
    assert safe_url("https://user:pw@hooks.example.com:8443/in?token=abc#x") == "https://hooks.example.com:8443/in"
