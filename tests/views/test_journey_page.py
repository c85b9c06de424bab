"""The journey page: the editor with its Delivery, Dynatrace assets and Decisions tabs, and the buttons
each role sees in them (alice owns Acme, bob edits, victor views, charlie is outside)."""

import pytest
from django.urls import reverse

from journeys.models import Step
from journeys.services.destinations import destination_attach, destination_create

from .conftest import logged_in

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def files(team):
    destination = destination_create(owner=team.alice, tenant=team.tenant, name="Local files", kind="file", config={})
    destination_attach(journey=team.journey, destination=destination)
    return destination


def test_it_shows_tabs_and_loads_the_panels_after_the_editor(client, team):
    journey = team.journey
    html = logged_in(client, team.bob).get(reverse("journey_edit", args=[journey.slug])).content.decode()

    for anchor in ('href="#design"', 'href="#delivery"', 'href="#dynatrace"'):
        assert anchor in html
    assert f'href="{reverse("journey_preview", args=[journey.slug])}"' in html
    # Loaded lazily, with a plain link for browsers without JavaScript.
    delivery_url, assets_url = (
        reverse("journey_delivery", args=[journey.slug]),
        reverse("journey_assets", args=[journey.slug]),
    )
    assert f'hx-get="{delivery_url}" hx-trigger="load, deliveryChanged from:body"' in html
    assert f'hx-get="{assets_url}" hx-trigger="load, assetsChanged from:body"' in html
    assert f'href="{delivery_url}"' in html and f'href="{assets_url}"' in html
    assert 'id="delivery-panel"' not in html  # not rendered with the editor
    assert 'href="#decisions"' not in html  # the retail journey has no decision step


def test_it_renders_the_editor_in_a_bounded_number_of_queries(client, team, files, django_assert_max_num_queries):
    logged_in(client, team.alice)
    # One of these is the session remembering the journey's tenant as the one the user works in; one
    # looks for another journey of the tenant sending as the same event provider.
    with django_assert_max_num_queries(19):
        response = client.get(reverse("journey_edit", args=[team.journey.slug]))
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("who", "journey_buttons", "destination_links"),
    [("alice", True, True), ("bob", True, False), ("victor", False, False)],
)
def test_it_shows_each_role_only_the_delivery_buttons_it_may_use(
    client, team, files, who, journey_buttons, destination_links
):
    journey = team.journey
    html = (
        logged_in(client, getattr(team, who))
        .get(reverse("journey_delivery", args=[journey.slug]), **HTMX)
        .content.decode()
    )

    assert "Local files" in html
    assert (">Activate</button>" in html) is journey_buttons
    assert (">Detach…</a>" in html) is journey_buttons
    assert (reverse("journey_destination_attach", args=[journey.slug]) in html) is False  # nothing left to attach
    assert (f'href="{reverse("destination_edit", args=[files.pk])}"' in html) is destination_links
    assert ("Manage destinations" in html) is destination_links


def test_it_offers_an_editor_the_destinations_left_to_attach(client, team, files):
    destination_create(
        owner=team.alice, tenant=team.tenant, name="Archive", kind="file", config={"directory": "archive"}
    )

    html = (
        logged_in(client, team.bob).get(reverse("journey_delivery", args=[team.journey.slug]), **HTMX).content.decode()
    )

    assert reverse("journey_destination_attach", args=[team.journey.slug]) in html and "Archive" in html


@pytest.mark.parametrize(("who", "can_push"), [("alice", True), ("bob", True), ("victor", False)])
def test_it_shows_the_push_button_to_editors_and_owners_only(client, team, who, can_push):
    destination_create(
        owner=team.alice,
        tenant=team.tenant,
        name="Tenant",
        kind="dynatrace",
        config={"environment_url": "https://abc12345.live.dynatrace.com", "auth_type": "api_token"},
        secrets={"api_token": "dt0c01.SECRET"},
    )
    html = (
        logged_in(client, getattr(team, who))
        .get(reverse("journey_assets", args=[team.journey.slug]), **HTMX)
        .content.decode()
    )

    assert ("Push to tenant" in html) is can_push
    assert "bizflow-settings.json" in html  # downloads are for everyone
    assert "dt0c01.SECRET" not in html


def test_it_lists_decision_steps_in_a_tab_of_their_own(client, team):
    Step.objects.filter(journey=team.journey, position=2).update(is_decision=True)
    step = Step.objects.get(journey=team.journey, position=2)

    html = logged_in(client, team.victor).get(reverse("journey_edit", args=[team.journey.slug])).content.decode()

    assert 'href="#decisions"' in html and "Not set up yet" in html
    assert reverse("decision_settings_edit", args=[team.journey.slug, step.event_type]) in html
    assert "View decision settings" in html  # a viewer looks, an editor edits


def test_it_hides_the_journey_page_from_outsiders(client, team):
    response = logged_in(client, team.charlie).get(reverse("journey_edit", args=[team.journey.slug]))
    assert response.status_code == 404
