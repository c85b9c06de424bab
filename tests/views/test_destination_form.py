"""The destination form reads like the app's other forms: a way back, labelled fields, the same buttons."""

from django.urls import reverse

from journeys.services.destinations import destination_create
from journeys.services.tenancy import tenant_create, tenant_default_for_user

from .pages import count


def test_it_lays_out_a_new_destination_like_the_other_forms(alice_client, alice):
    tenant_create(name="Mine", owner=alice)
    html = alice_client.get(reverse("destination_create", args=["webhook"])).content.decode()

    assert f'<a class="back" href="{reverse("destination_list")}">← Destinations</a>' in html
    assert '<div class="page-head">' in html and "New Webhook destination" in html
    assert count(html, "field", tag="div") >= 2 and '<label for="id_name">' in html
    assert '<button type="submit" class="primary">Create destination</button>' in html
    assert f'<a class="button" href="{reverse("destination_list")}">Cancel</a>' in html
    assert "<p>" not in html.split('class="card narrow destination-form"')[1].split("</form>")[0]  # no as_p


def test_it_says_save_for_an_existing_one(alice_client, alice):
    tenant = tenant_default_for_user(alice)
    files = destination_create(owner=alice, tenant=tenant, name="Archive", kind="file", config={})

    html = alice_client.get(reverse("destination_edit", args=[files.pk])).content.decode()

    assert "Save destination" in html and "← Destinations" in html and 'value="Archive"' in html
