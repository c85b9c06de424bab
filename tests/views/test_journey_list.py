from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from journeys.models import Destination, JourneyDestination, Run
from journeys.services.destinations import destination_attach, destination_create, destination_detach
from journeys.services.imports import journey_import_text
from journeys.services.tenancy import tenant_create

from .conftest import EXAMPLES, logged_in
from .pages import count, element, surrounding_text

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def test_it_lists_only_the_users_own_journeys(alice_client, retail, charlie):
    journey_import_text(text=(EXAMPLES / "travel-booking.json").read_text(), owner=charlie)
    html = alice_client.get(reverse("journey_list")).content.decode()
    assert count(html, "journeys", tag="table") == 1
    assert "[RETAIL] eCommerce order delivery" in html
    assert "Flight booking" not in html and "TRAVEL" not in html


def test_it_shows_state_volume_destinations_and_last_run(alice_client, retail):
    html = alice_client.get(reverse("journey_list")).content.decode()
    row = surrounding_text(html, f"journey-{retail.slug}", ("tbody",))
    assert "Draft" in row and "600" in row and "7 steps" in row
    assert "—" in row  # no destination and no run yet
    for action in ("journey_edit", "journey_preview", "journey_export", "journey_duplicate", "journey_delete"):
        assert reverse(action, args=[retail.slug]) in html


def test_it_welcomes_a_new_user_with_ways_to_start(alice_client, alice):
    tenant_create(name="Mine", owner=alice)
    html = alice_client.get(reverse("journey_list")).content.decode()
    assert "No journeys yet" in html
    assert f'href="{reverse("journey_create")}"' in html and f'href="{reverse("journey_import")}"' in html
    assert reverse("workspace_new") not in html


def test_it_shows_a_viewer_no_button_to_create_or_import(client, team):
    html = logged_in(client, team.victor).get(reverse("journey_list")).content.decode()
    assert f'href="{reverse("journey_create")}"' not in html and f'href="{reverse("journey_import")}"' not in html
    assert client.get(reverse("journey_create")).status_code == 403
    assert client.get(reverse("journey_import")).status_code == 403


def test_it_offers_a_user_in_no_tenant_a_workspace_of_their_own_instead(alice_client):
    html = alice_client.get(reverse("journey_list")).content.decode()
    assert f'href="{reverse("journey_create")}"' not in html and f'href="{reverse("workspace_new")}"' in html


def test_it_renders_only_the_table_for_htmx(alice_client, retail):
    html = alice_client.get(reverse("journey_list"), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in html and element(html, "journey-table") is not None


def test_it_sends_anonymous_visitors_to_the_login_page(client):
    response = client.get(reverse("journey_list"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.fixture
def delivered(team):
    """Acme's retail journey delivering to two files destinations (one detached), with a run done."""
    journey = team.journey
    local = destination_create(owner=team.alice, tenant=team.tenant, name="Local files", kind="file", config={})
    archive = destination_create(owner=team.alice, tenant=team.tenant, name="Archive", kind="file", config={})
    detached = destination_create(owner=team.alice, tenant=team.tenant, name="Old", kind="file", config={})
    for destination in (local, archive, detached):
        destination_attach(journey=journey, destination=destination)
    pair = JourneyDestination.objects.get(journey=journey, destination=local)
    destination_detach(journey_destination=JourneyDestination.objects.get(journey=journey, destination=detached))
    Run.objects.create(journey_destination=pair, started_at=T0, outcome=Run.Outcome.SUCCESS)
    Run.objects.create(journey_destination=pair, started_at=T0 + timedelta(minutes=5), outcome=Run.Outcome.FAILED)
    return journey


def test_it_shows_the_active_destinations_and_the_last_run(client, team, delivered):
    html = logged_in(client, team.bob).get(reverse("journey_list")).content.decode()
    row = surrounding_text(html, f"journey-{delivered.slug}", ("tbody",))
    assert "Archive Local files" in row and "Old" not in row
    assert "Failed" in row and "Success" not in row  # the newest run only
    assert 'datetime="2026-03-02T12:05:00+00:00"' in html


def test_it_counts_a_push_as_the_last_run(client, team, delivered):
    tenant = destination_create(
        owner=team.alice,
        tenant=team.tenant,
        name="Tenant",
        kind="dynatrace",
        config={"environment_url": "https://abc12345.live.dynatrace.com"},
    )
    Run.objects.create(
        kind=Run.Kind.PUSH,
        journey=delivered,
        destination=tenant,
        started_at=T0 + timedelta(hours=1),
        outcome=Run.Outcome.PARTIAL,
    )
    html = logged_in(client, team.alice).get(reverse("journey_list")).content.decode()
    assert "Partial" in surrounding_text(html, f"journey-{delivered.slug}", ("tbody",))


def test_it_lists_many_journeys_in_a_fixed_number_of_queries(client, team, delivered, django_assert_max_num_queries):
    text = (EXAMPLES / "travel-booking.json").read_text()
    destination = Destination.objects.get(name="Local files")
    for _ in range(8):
        journey = journey_import_text(text=text, owner=team.alice, tenant=team.tenant)
        pair = destination_attach(journey=journey, destination=destination)
        Run.objects.create(journey_destination=pair, started_at=T0, outcome=Run.Outcome.SUCCESS)
    logged_in(client, team.alice)

    # Session and user, the memberships of the top bar, the journeys, their destinations.
    with django_assert_max_num_queries(5):
        html = client.get(reverse("journey_list")).content.decode()
    assert html.count(">Local files<") == 9


def test_it_groups_by_tenant_only_for_a_user_of_several(client, team):
    html = logged_in(client, team.alice).get(reverse("journey_list")).content.decode()
    assert 'class="tenant-group"' not in html and 'name="tenant"' not in html
    globex = tenant_create(name="Globex", owner=team.alice)
    journey_import_text(text=(EXAMPLES / "travel-booking.json").read_text(), owner=team.alice, tenant=globex)

    html = client.get(reverse("journey_list")).content.decode()

    acme_at, globex_at = html.index('id="tenant-acme"'), html.index(f'id="tenant-{globex.slug}"')
    assert acme_at < html.index(f'id="journey-{team.journey.slug}"') < globex_at
    assert count(html, "journeys", tag="table") == 2 and 'name="tenant"' in html


def test_it_hides_duplicate_and_delete_from_a_viewer(client, team):
    html = logged_in(client, team.victor).get(reverse("journey_list")).content.decode()
    assert reverse("journey_edit", args=[team.journey.slug]) in html
    assert reverse("journey_duplicate", args=[team.journey.slug]) not in html
    assert reverse("journey_delete", args=[team.journey.slug]) not in html


def test_it_searches_by_name_or_provider_and_filters_by_state_and_tenant(client, team):
    travel = journey_import_text(
        text=(EXAMPLES / "travel-booking.json").read_text(), owner=team.alice, tenant=team.tenant
    )
    globex = tenant_create(name="Globex", owner=team.alice)
    claims = journey_import_text(text=(EXAMPLES / "insurance-claim.json").read_text(), owner=team.alice, tenant=globex)
    type(travel).objects.filter(pk=travel.pk).update(state="paused")
    logged_in(client, team.alice)

    def shown(**query) -> set[str]:
        html = client.get(reverse("journey_list"), query, HTTP_HX_REQUEST="true").content.decode()
        return {slug for slug in (team.journey.slug, travel.slug, claims.slug) if f'id="journey-{slug}"' in html}

    assert shown() == {team.journey.slug, travel.slug, claims.slug}
    assert shown(q="ecommerce") == {team.journey.slug}  # the name, any case
    assert shown(q=travel.event_provider.upper()) == {travel.slug}  # the event provider
    assert shown(state="paused") == {travel.slug}
    assert shown(tenant=globex.slug) == {claims.slug}
    assert shown(q="no such journey") == set()
    assert "No journey matches" in client.get(reverse("journey_list"), {"q": "no such journey"}).content.decode()
