"""A workspace of one's own: created on purpose from its page, with the default caps; never as a side effect."""

import pytest
from django.urls import reverse

from journeys.models import Membership, Tenant

from .conftest import logged_in

URL = reverse("workspace_new")


def test_it_creates_a_workspace_with_the_default_caps_when_asked(alice_client, alice, settings):
    settings.BIZFLOW_DEFAULT_EVENTS_PER_DAY_CAP = 2_000_000
    settings.BIZFLOW_DEFAULT_JOURNEYS_PER_DAY_CAP = 50_000
    page = alice_client.get(URL).content.decode()
    assert "alice&#x27;s workspace" in page and "2,000,000" in page and "50,000" in page
    assert not Tenant.objects.exists()  # looking at the page creates nothing

    response = alice_client.post(URL)

    tenant = Tenant.objects.get()
    assert response.status_code == 302 and response.url == reverse("journey_list")
    assert (tenant.events_per_day_cap, tenant.journeys_per_day_cap) == (2_000_000, 50_000)
    assert tenant.memberships.get().user == alice and tenant.memberships.get().role == Membership.Role.OWNER
    assert f'href="{reverse("journey_create")}"' in alice_client.get(reverse("journey_list")).content.decode()


def test_it_offers_no_second_workspace_to_a_user_who_owns_a_tenant(alice_client, alice):
    alice_client.post(URL)
    assert alice_client.get(URL).status_code == 404 and alice_client.post(URL).status_code == 404
    assert Tenant.objects.count() == 1


def test_it_offers_no_workspace_when_self_service_is_off(alice_client, settings):
    settings.BIZFLOW_SELF_SERVICE_WORKSPACES = False
    assert alice_client.get(URL).status_code == 404 and alice_client.post(URL).status_code == 404
    html = alice_client.get(reverse("journey_list")).content.decode()
    assert URL not in html and f'href="{reverse("journey_create")}"' not in html and "ask a team" in html
    assert not Tenant.objects.exists()


@pytest.mark.parametrize("url", ["journey_create", "journey_import"])
def test_it_gives_a_viewer_who_tries_new_journey_no_workspace(client, team, url):
    tenants = Tenant.objects.count()
    logged_in(client, team.victor)
    assert client.get(reverse(url)).status_code == 403
    assert client.post(reverse(url), {"name": "Mine"}).status_code == 403
    assert Tenant.objects.count() == tenants


def test_it_lets_a_viewer_create_a_workspace_of_their_own_on_purpose(client, team):
    logged_in(client, team.victor).post(URL)
    workspace = Tenant.objects.get(memberships__user=team.victor, memberships__role=Membership.Role.OWNER)
    assert workspace.name == "victor's workspace"
