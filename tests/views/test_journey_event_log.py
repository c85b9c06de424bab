"""The journey page's event log: a form, and the log streamed for the window chosen.

alice owns Acme, bob edits, victor views, charlie is outside: a viewer may download the log, as they
may export the journey.
"""

import gzip
from datetime import UTC, datetime

import orjson
import pytest
from django.urls import reverse

from journeys.engine.eventlog import log_chunks
from journeys.selectors.journeys import journey_to_spec

from .conftest import logged_in

HTMX = {"HTTP_HX_REQUEST": "true"}
WINDOW = {"start": "2026-11-02T00:00", "end": "2026-11-02T03:00"}


def url(journey):
    return reverse("journey_event_log", args=[journey.slug])


@pytest.mark.parametrize("log_format", ["xes", "ocel", "csv"])
def test_it_streams_the_engines_log_for_the_window(client, team, log_format):
    response = logged_in(client, team.victor).get(url(team.journey), {**WINDOW, "format": log_format})

    assert response.status_code == 200
    assert response.streaming
    body = b"".join(response.streaming_content)
    start, end = datetime(2026, 11, 2, tzinfo=UTC), datetime(2026, 11, 2, 3, tzinfo=UTC)
    assert body == b"".join(log_chunks(journey_to_spec(team.journey), start, end, log_format))
    extension = {"xes": "xes", "ocel": "jsonocel", "csv": "csv"}[log_format]
    expected_name = f"{team.journey.slug}-20261102T0000-20261102T0300.{extension}"
    assert response["Content-Disposition"] == f'attachment; filename="{expected_name}"'


def test_it_gzips_on_request(client, team):
    response = logged_in(client, team.bob).get(url(team.journey), {**WINDOW, "format": "ocel", "gzip": "on"})

    assert response["Content-Type"] == "application/gzip"
    assert response["Content-Disposition"].endswith('.jsonocel.gz"')
    log = orjson.loads(gzip.decompress(b"".join(response.streaming_content)))
    assert {t["name"] for t in log["objectTypes"]} >= {"order.id", "dt.entity.host"}
    assert log["events"]


def test_it_offers_yesterday_in_a_form_and_as_a_fragment_for_the_tab(client, team):
    logged_in(client, team.victor)

    page = client.get(url(team.journey)).content.decode()
    fragment = client.get(url(team.journey), **HTMX).content.decode()

    assert 'id="event-log-form"' in page and "<html" in page
    assert 'id="event-log-form"' in fragment and "<html" not in fragment
    assert 'type="datetime-local"' in fragment and 'name="format"' in fragment


def test_it_is_a_tab_of_the_journey_page(client, team):
    html = logged_in(client, team.victor).get(reverse("journey_edit", args=[team.journey.slug])).content.decode()

    assert 'href="#eventlog"' in html
    assert f'hx-get="{url(team.journey)}" hx-trigger="load"' in html


@pytest.mark.parametrize(
    ("window", "message"),
    [
        ({"start": "2026-11-02T00:00", "end": "2026-11-01T00:00"}, "Must be after the start."),
        ({"start": "2026-11-01T00:00", "end": "2026-11-09T00:01"}, "A log covers at most 7 days of starts."),
        ({"start": "yesterday", "end": "2026-11-01T00:00"}, "Enter a valid date/time."),
    ],
)
def test_it_refuses_a_window_out_of_bounds(client, team, window, message):
    response = logged_in(client, team.victor).get(url(team.journey), {**window, "format": "xes"})

    assert response.status_code == 400
    assert not response.streaming
    assert message in response.content.decode()


def test_it_refuses_a_window_expected_to_hold_too_many_events(client, team, settings):
    settings.BIZFLOW_EVENT_LOG_MAX_EVENTS = 1000  # the retail example expects ~3,400 events a day at 600/day

    response = logged_in(client, team.victor).get(
        url(team.journey), {"start": "2026-11-02T00:00", "end": "2026-11-03T00:00", "format": "csv"}
    )

    assert response.status_code == 400
    assert "a download holds at most 1,000" in response.content.decode()


def test_it_refuses_an_unknown_format(client, team):
    response = logged_in(client, team.victor).get(url(team.journey), {**WINDOW, "format": "bpmn"})

    assert response.status_code == 400


def test_it_shows_nothing_to_an_outsider(client, team):
    response = logged_in(client, team.charlie).get(url(team.journey), {**WINDOW, "format": "xes"})

    assert response.status_code == 404
