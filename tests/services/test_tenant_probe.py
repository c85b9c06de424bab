from datetime import UTC, datetime, timedelta

import pytest
import requests

from journeys.engine.generator import generate
from journeys.services.tenant_probe import provider_has_events, provider_query

from ..assets.journeys_for_tests import small_journey


def _send_last_hour(dt, spec) -> int:
    end = datetime.now(UTC)
    sent = 0
    headers = {"Authorization": f"Api-Token {dt.api_token}", "Content-Type": "application/json"}
    for batch in generate(spec, end - timedelta(hours=1), end):
        assert requests.post(dt.ingest_url, data=batch.json_array(), headers=headers, timeout=10).status_code == 202
        sent += len(batch)
    return sent


def test_it_finds_no_events_for_a_provider_that_sent_none(dt, client):
    assert provider_has_events(client, "acme.retail") == (
        False,
        "The tenant has no business events from acme.retail in the last 24 hours.",
    )
    assert dt.executed_queries == [provider_query("acme.retail")]


def test_it_counts_the_events_a_provider_sent(dt, client):
    sent = _send_last_hour(dt, small_journey())
    assert sent > 0
    found, message = provider_has_events(client, "acme.retail")
    assert found is True and f"{sent} business events" in message
    assert provider_has_events(client, "acme.other")[0] is False


@pytest.mark.parametrize("dt", [{"query_poll_rounds": 3}], indirect=True)
def test_it_polls_until_the_query_has_finished(dt, client):
    _send_last_hour(dt, small_journey())
    assert provider_has_events(client, "acme.retail")[0] is True
    polls = [r for r in dt.requests if r.path.endswith("query:poll")]
    assert len(polls) == 4


def test_it_cannot_tell_when_the_credentials_cannot_run_queries(dt, token_client):
    found, message = provider_has_events(token_client, "acme.retail")
    assert found is None
    assert "cannot read business events with DQL" in message and "storage:bizevents:read" in message
    assert dt.api_token not in message


@pytest.mark.parametrize("dt", [{"query_poll_rounds": 1000}], indirect=True)
def test_it_cannot_tell_when_the_query_does_not_finish_in_time(dt, client):
    ticks = iter(range(100))
    found, message = provider_has_events(client, "acme.retail", max_wait=5, clock=lambda: next(ticks))
    assert found is None and "within 5 s" in message


def test_it_quotes_the_provider_in_the_query():
    assert 'event.provider == "a\\" or true or \\""' in provider_query('a" or true or "')
