"""The top bar: the app's sections, Team once that page exists, Admin for staff, the user's tenants."""

from django.test import override_settings
from django.urls import reverse

from journeys.services.tenancy import tenant_create

from .conftest import logged_in
from .pages import element


def nav(client) -> str:
    html = client.get(reverse("journey_list")).content.decode()
    return html[html.index('<header class="topbar">') : html.index("</header>")]


def test_it_links_journeys_and_destinations_and_marks_the_current_page(client, alice):
    bar = nav(logged_in(client, alice))
    assert f'href="{reverse("journey_list")}" aria-current="page">Journeys' in bar
    assert f'href="{reverse("destination_list")}">Destinations' in bar
    assert f'href="{reverse("team")}">Team' in bar
    assert "Admin" not in bar  # alice is not staff


@override_settings(ROOT_URLCONF="tests.views.urls_with_team")
def test_it_links_the_team_page_once_it_exists(client, alice):
    assert 'href="/team/">Team' in nav(logged_in(client, alice))


def test_it_links_the_admin_for_staff(client, alice):
    alice.is_staff = True
    alice.save()
    assert f'href="{reverse("admin:index")}">Admin' in nav(logged_in(client, alice))


def test_it_shows_the_users_tenants_and_roles(client, team):
    tenant_create(name="Globex", owner=team.bob)
    bar = nav(logged_in(client, team.bob))
    assert "Acme <small>editor</small>" in bar and "Globex <small>owner</small>" in bar


def test_it_shows_no_bar_links_to_anonymous_visitors(client):
    html = client.get(reverse("login")).content.decode()
    assert element(html, "content") is not None and "Destinations" not in html
