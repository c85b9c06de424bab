from django.urls import reverse

from journeys.services.imports import journey_import_text

from .conftest import EXAMPLES
from .pages import count, element, surrounding_text


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


def test_it_welcomes_a_new_user_with_ways_to_start(alice_client):
    html = alice_client.get(reverse("journey_list")).content.decode()
    assert "No journeys yet" in html
    assert f'href="{reverse("journey_create")}"' in html and f'href="{reverse("journey_import")}"' in html


def test_it_renders_only_the_table_for_htmx(alice_client, retail):
    html = alice_client.get(reverse("journey_list"), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in html and element(html, "journey-table") is not None


def test_it_sends_anonymous_visitors_to_the_login_page(client):
    response = client.get(reverse("journey_list"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
