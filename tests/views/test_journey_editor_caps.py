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
