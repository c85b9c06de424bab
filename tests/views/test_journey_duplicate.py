import pytest
from django.urls import reverse

from journeys.models import DecisionSettings, Journey
from journeys.services.imports import journey_export_dict, journey_import_text

from .conftest import EXAMPLES, export_of


def test_it_copies_everything_under_a_new_name(alice_client, alice, retail):
    response = alice_client.post(reverse("journey_duplicate", args=[retail.slug]))
    copy = Journey.objects.exclude(pk=retail.pk).get()
    assert response.status_code == 302 and response.url == reverse("journey_edit", args=[copy.slug])
    assert copy.owner == alice and copy.state == Journey.State.DRAFT
    assert copy.name == "[RETAIL] eCommerce order delivery (copy)" and copy.slug != retail.slug
    assert {**export_of(copy), "name": retail.name} == export_of(retail)


def test_it_numbers_further_copies(alice_client, retail):
    for _ in range(2):
        alice_client.post(reverse("journey_duplicate", args=[retail.slug]))
    assert Journey.objects.filter(name__endswith="(copy 2)").count() == 1


def test_it_only_duplicates_on_post(alice_client, retail):
    page = alice_client.get(reverse("journey_duplicate", args=[retail.slug]))

    assert page.status_code == 200 and 'name="tenant"' in page.content.decode()  # the choice of tenant
    assert Journey.objects.count() == 1


@pytest.mark.parametrize("user", ["bob", "charlie"])
def test_it_lets_no_one_else_duplicate(client, retail, user, request):
    client.force_login(request.getfixturevalue(user))
    assert client.post(reverse("journey_duplicate", args=[retail.slug])).status_code == 404
    assert Journey.objects.count() == 1


def test_it_copies_the_decision_settings_but_not_where_their_events_go(alice_client, alice):
    loan = journey_import_text(text=(EXAMPLES / "loan-validation.json").read_text(), owner=alice)
    assert DecisionSettings.objects.filter(step__journey=loan).exists()  # the example holds settings

    alice_client.post(reverse("journey_duplicate", args=[loan.slug]))

    copy = Journey.objects.exclude(pk=loan.pk).get()
    assert {**journey_export_dict(copy), "name": loan.name} == journey_export_dict(loan)
    assert not DecisionSettings.objects.filter(step__journey=copy, destination__isnull=False).exists()
