import pytest
from django.urls import reverse

from journeys.models import Journey, Step

from .pages import element


def delete_url(journey):
    return reverse("journey_delete", args=[journey.slug])


def test_it_asks_before_deleting(alice_client, retail):
    response = alice_client.get(delete_url(retail))
    assert response.status_code == 200 and b"cannot be undone" in response.content
    assert Journey.objects.filter(pk=retail.pk).exists()


def test_it_asks_inside_the_list_row_for_htmx(alice_client, retail):
    html = alice_client.get(delete_url(retail), HTTP_HX_REQUEST="true").content.decode()
    assert html.lstrip().startswith(f'<tr id="journey-{retail.slug}" class="confirm-row">')
    assert f'hx-post="{delete_url(retail)}"' in html


def test_it_deletes_the_journey_and_its_rows(alice_client, retail):
    response = alice_client.post(delete_url(retail))
    assert response.status_code == 302 and response.url == reverse("journey_list")
    assert not Journey.objects.exists() and not Step.objects.exists()


def test_it_answers_htmx_with_the_refreshed_table(alice_client, retail):
    html = alice_client.post(delete_url(retail), HTTP_HX_REQUEST="true").content.decode()
    assert element(html, "journey-table") is not None
    assert "Deleted “[RETAIL] eCommerce order delivery”." in html and "No journeys yet" in html


@pytest.mark.parametrize("user", ["bob", "charlie"])
def test_it_lets_no_one_else_delete(client, retail, user, request):
    client.force_login(request.getfixturevalue(user))
    assert client.get(delete_url(retail)).status_code == 404
    assert client.post(delete_url(retail)).status_code == 404
    assert Journey.objects.filter(pk=retail.pk).exists()
