import json

import pytest
from django.urls import reverse

from journeys import formatting as fmt
from journeys.engine.forecast import forecast
from journeys.selectors.journeys import journey_to_spec

from .pages import surrounding_text


def preview_url(journey):
    return reverse("journey_preview", args=[journey.slug])


def test_it_shows_the_kpis_graph_chart_and_sample(alice_client, retail):
    response = alice_client.get(preview_url(retail))
    html = response.content.decode()
    fc = forecast(journey_to_spec(retail))
    assert response.status_code == 200
    assert fmt.pct(fc.completion_share) in surrounding_text(html, "h-flow", ("main",))
    assert '<svg class="flow"' in html and html.count('class="flow-node"') == 7
    assert '<svg class="hours"' in html and html.count('class="bar"') == 24
    assert html.count('class="sample-journey"') == 3
    assert "order.shipped.system.outage" in html  # the error's event type, in the per-type table


def test_it_shows_sample_events_as_json_the_generator_would_send(alice_client, retail):
    response = alice_client.get(preview_url(retail))
    for journey in response.context["sample"].journeys:
        assert {event["order.id"] for event in journey.events} == {journey.correlation}
        assert json.loads(journey.pretty) == list(journey.events)
        assert journey.correlation in response.content.decode()


@pytest.mark.parametrize("user", ["bob", "charlie"])
def test_it_hides_the_preview_from_anyone_but_the_owner(client, retail, user, request):
    client.force_login(request.getfixturevalue(user))
    assert client.get(preview_url(retail)).status_code == 404
