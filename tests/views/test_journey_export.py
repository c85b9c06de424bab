import json

import pytest
from django.urls import reverse

from journeys.engine.jsonformat import loads

from .conftest import EXAMPLES


def test_it_downloads_the_journey_as_json(alice_client, retail):
    response = alice_client.get(reverse("journey_export", args=[retail.slug]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"] == f'attachment; filename="{retail.slug}.json"'
    exported = response.content.decode()
    assert json.loads(exported)["format"] == "bizflow-studio/journey"
    assert loads(exported) == loads((EXAMPLES / "retail-order-delivery.json").read_text())


@pytest.mark.parametrize("user", ["bob", "charlie"])
def test_it_exports_nothing_for_anyone_else(client, retail, user, request):
    client.force_login(request.getfixturevalue(user))
    assert client.get(reverse("journey_export", args=[retail.slug])).status_code == 404
