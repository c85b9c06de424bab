"""The editor under a tenant's volume cap: the refusal lands next to the volume field, nothing is saved."""

import pytest

from journeys.models import Journey

from .conftest import editor_data

pytestmark = pytest.mark.django_db


def test_it_refuses_a_volume_above_the_tenants_cap_next_to_the_field(client, team):
    journey = team.journey
    journey.tenant.journeys_per_day_cap = 1000
    journey.tenant.save()
    client.force_login(journey.owner)

    response = client.post(f"/journeys/{journey.slug}/", editor_data(journey, journeys_per_day="5000", _action="save"))

    assert response.status_code == 200
    page = response.content.decode()
    message = "Acme allows at most 1000 journeys per day per journey (this one has 5000)"
    assert message in page
    # next to the volume field: the message follows the field's own input in the page
    assert page.index('name="journeys_per_day"') < page.rindex(message)  # the banner at the top names it too
    assert Journey.objects.get(pk=journey.pk).journeys_per_day == 600


def test_it_saves_a_volume_within_the_cap(client, team):
    journey = team.journey
    journey.tenant.journeys_per_day_cap = 1000
    journey.tenant.save()
    client.force_login(journey.owner)

    response = client.post(f"/journeys/{journey.slug}/", editor_data(journey, journeys_per_day="900", _action="save"))

    assert response.status_code == 302
    assert Journey.objects.get(pk=journey.pk).journeys_per_day == 900


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"journeys_per_day": "1e12"}, "journeys_per_day", "must be at most 1,000,000 journeys per day"),
        ({"steps-1-max_delay_hours": "1e308"}, "steps-1-max_delay_hours", "must be at most 168 hours"),
        ({"steps-2-max_loops": "500"}, "steps-2-max_loops", "must be at most 100 loops"),
        ({"steps-1-event_type": "order/picked"}, "steps-1-event_type", "may use only letters a-z and a-z"),
    ],
)
def test_it_refuses_values_above_the_ceilings_next_to_their_field(client, team, changes, field, message):
    journey = team.journey
    client.force_login(journey.owner)

    response = client.post(f"/journeys/{journey.slug}/", editor_data(journey, _action="save", **changes))

    assert response.status_code == 200
    page = response.content.decode().lower()  # the editor starts each message with a capital
    assert message in page and page.index(f'name="{field}"') < page.rindex(message)
    assert Journey.objects.get(pk=journey.pk).updated_at == journey.updated_at  # nothing saved


def test_it_takes_its_ceilings_from_the_settings(client, team, settings):
    settings.BIZFLOW_MAX_JOURNEYS_PER_DAY = 5_000
    journey = team.journey
    client.force_login(journey.owner)

    refused = client.post(f"/journeys/{journey.slug}/", editor_data(journey, journeys_per_day="6000", _action="save"))
    saved = client.post(f"/journeys/{journey.slug}/", editor_data(journey, journeys_per_day="5000", _action="save"))

    assert "must be at most 5,000 journeys per day" in refused.content.decode().lower()
    assert saved.status_code == 302 and Journey.objects.get(pk=journey.pk).journeys_per_day == 5000
