"""Two journeys of a tenant sending as one event provider would mix in Dynatrace: importing or creating
one says so and offers a provider name still free."""

from django.urls import reverse

from journeys.models import Journey
from journeys.selectors.journeys import provider_clash
from journeys.services.tenancy import tenant_default_for_user

from .conftest import EXAMPLES, editor_data

RETAIL_JSON = (EXAMPLES / "retail-order-delivery.json").read_text()


def test_it_names_the_other_journey_and_a_free_provider(alice, retail):
    tenant = tenant_default_for_user(alice)
    Journey.objects.create(tenant=tenant, owner=alice, name="Second", slug="second", event_provider="acme.retail.2")

    clash = provider_clash(tenant=tenant, provider="acme.retail")

    assert clash.other_journey == retail.name and clash.free_provider == "acme.retail.3"
    assert provider_clash(tenant=tenant, provider="acme.retail", exclude_pk=retail.pk) is None  # itself
    assert provider_clash(tenant=tenant, provider="acme.other") is None


def test_importing_a_journey_whose_provider_is_taken_asks_first(alice_client, retail):
    asked = alice_client.post(reverse("journey_import"), {"text": RETAIL_JSON}).content.decode()

    assert Journey.objects.count() == 1  # nothing imported yet
    assert 'id="provider-clash"' in asked and "Dynatrace" in asked and "would mix" in asked
    assert 'name="use_provider" value="acme.retail.2"' in asked and 'name="use_provider" value="acme.retail"' in asked

    alice_client.post(reverse("journey_import"), {"text": RETAIL_JSON, "use_provider": "acme.retail.2"})

    assert sorted(Journey.objects.values_list("event_provider", flat=True)) == ["acme.retail", "acme.retail.2"]


def test_importing_with_the_same_provider_anyway_is_allowed(alice_client, retail):
    alice_client.post(reverse("journey_import"), {"text": RETAIL_JSON, "use_provider": "acme.retail"})

    assert list(Journey.objects.values_list("event_provider", flat=True)) == ["acme.retail", "acme.retail"]


def test_importing_with_a_free_provider_asks_nothing(alice_client, retail):
    response = alice_client.post(reverse("journey_import"), {"text": RETAIL_JSON, "event_provider": "acme.shop"})

    assert response.status_code == 302
    assert Journey.objects.filter(event_provider="acme.shop").exists()


def test_the_editor_warns_as_you_type_and_after_creating(alice_client, retail):
    data = editor_data(retail)
    data["_action"] = "summary"

    summary = alice_client.post(reverse("journey_create"), data, HTTP_HX_REQUEST="true").content.decode()
    own = alice_client.post(reverse("journey_edit", args=[retail.slug]), data, HTTP_HX_REQUEST="true")

    assert 'id="provider-clash"' in summary and "acme.retail.2" in summary and "will mix" in summary
    assert 'id="provider-clash"' not in own.content.decode()  # a journey does not clash with itself

    data.update({"_action": "save", "name": "Retail, second"})
    created = alice_client.post(reverse("journey_create"), data, follow=True).content.decode()

    assert "Dynatrace will mix" in created and "acme.retail.2 is free" in created
