import io
import json
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from journeys.services.journeys import journey_create_from_spec

from ..assets.journeys_for_tests import small_journey

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice():
    return get_user_model().objects.create_user("alice", password="x")


@pytest.fixture
def charlie():
    return get_user_model().objects.create_user("charlie", password="x")


@pytest.fixture
def journey(alice):
    return journey_create_from_spec(spec=small_journey(), owner=alice, description="Orders to doorsteps.")


def _url(journey, filename):
    return reverse("journey_assets_download", args=[journey.slug, filename])


def test_it_downloads_the_settings_body_and_the_dashboard(client, alice, journey):
    client.force_login(alice)
    response = client.get(_url(journey, "bizflow-settings.json"))
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == f'attachment; filename="{journey.slug}-bizflow-settings.json"'
    [item] = json.loads(response.content)
    assert item["schemaId"] == "app:dynatrace.biz.flow:biz-flow-settings"
    assert [s["name"] for s in item["value"]["steps"]][0] == "Place order"
    dashboard = json.loads(client.get(_url(journey, "dashboard.json")).content)
    assert (
        dashboard["tiles"]["0"]["type"] == "markdown" and "Orders to doorsteps." in dashboard["tiles"]["0"]["content"]
    )


def test_it_downloads_both_files_in_one_zip(client, alice, journey):
    client.force_login(alice)
    response = client.get(_url(journey, "dynatrace-assets.zip"))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert sorted(archive.namelist()) == ["bizflow-settings.json", "dashboard.json"]
        assert json.loads(archive.read("dashboard.json"))["version"] >= 1


def test_it_refuses_other_names_and_other_peoples_journeys(client, alice, charlie, journey):
    client.force_login(alice)
    assert client.get(_url(journey, "secrets.json")).status_code == 404
    client.force_login(charlie)
    assert client.get(_url(journey, "dashboard.json")).status_code == 404


def test_it_asks_visitors_to_log_in(client, journey):
    response = client.get(_url(journey, "dashboard.json"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
