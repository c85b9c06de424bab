"""DynatraceClient: environment URLs, where each path goes, and generic calls the asset push makes."""

from __future__ import annotations

import pytest

from journeys.sinks.base import DeliveryError
from journeys.sinks.dynatrace.auth import ApiTokenAuth, OAuthClientAuth
from journeys.sinks.dynatrace.client import DynatraceClient, EnvironmentUrls, normalize_environment_url
from journeys.sinks.http import AuthRejected, HttpClient

from .conftest import ACCOUNT_URN, CLIENT_ID, CLIENT_SECRET, TEST_POLICY


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://abc12345.live.dynatrace.com/", "https://abc12345.live.dynatrace.com"),
        ("abc12345.apps.dynatrace.com", "https://abc12345.apps.dynatrace.com"),
        ("  https://ABC12345.Live.Dynatrace.com/ui/apps/dynatrace.biz.flow  ", "https://abc12345.live.dynatrace.com"),
        ("https://abc12345.live.dynatrace.com/api/v2/bizevents/ingest", "https://abc12345.live.dynatrace.com"),
        ("https://managed.example.com/e/1234-abcd/#dashboard", "https://managed.example.com/e/1234-abcd"),
        ("http://127.0.0.1:8787", "http://127.0.0.1:8787"),
    ],
)
def test_it_normalises_environment_urls(given, expected):
    assert normalize_environment_url(given) == expected


@pytest.mark.parametrize(
    ("given", "problem"),
    [
        ("", "enter the environment URL"),
        ("ftp://abc.live.dynatrace.com", "https://"),
        ("https://user:pw@abc.live.dynatrace.com", "credentials"),
        ("https://abc.live.dynatrace.com:99999", "not a valid URL"),
        ("not a url at all", "'not a url at all' is not a valid host name"),
    ],
)
def test_it_explains_unusable_environment_urls(given, problem):
    with pytest.raises(ValueError, match=problem):
        normalize_environment_url(given)


@pytest.mark.parametrize("given", ["https://abc12345.live.dynatrace.com", "https://abc12345.apps.dynatrace.com"])
def test_it_finds_the_classic_and_platform_hosts_from_either(given):
    urls = EnvironmentUrls.parse(given)

    assert urls == EnvironmentUrls("https://abc12345.live.dynatrace.com", "https://abc12345.apps.dynatrace.com")


def test_it_maps_sprint_environments_too():
    urls = EnvironmentUrls.parse("https://abc.sprint.apps.dynatracelabs.com")

    assert (urls.classic, urls.platform) == (
        "https://abc.sprint.dynatracelabs.com",
        "https://abc.sprint.apps.dynatracelabs.com",
    )


def test_it_sends_classic_paths_to_the_classic_host_with_an_api_token():
    client = DynatraceClient("https://abc.apps.dynatrace.com", ApiTokenAuth("t0k3n"))

    assert client.ingest_url == "https://abc.live.dynatrace.com/api/v2/bizevents/ingest"
    assert client.url("/platform/classic/environment-api/v2/settings/objects") == (
        "https://abc.live.dynatrace.com/api/v2/settings/objects"
    )
    assert (
        client.url("/platform/document/v1/documents") == "https://abc.apps.dynatrace.com/platform/document/v1/documents"
    )


def test_it_sends_every_path_through_the_platform_with_an_oauth_client():
    client = DynatraceClient("https://abc.live.dynatrace.com", OAuthClientAuth("id", "secret", ACCOUNT_URN))

    assert client.ingest_url == "https://abc.apps.dynatrace.com/platform/classic/environment-api/v2/bizevents/ingest"
    assert client.url("/api/v2/settings/objects") == (
        "https://abc.apps.dynatrace.com/platform/classic/environment-api/v2/settings/objects"
    )


def test_it_refuses_to_build_without_credentials():
    with pytest.raises(DeliveryError, match="no API token"):
        DynatraceClient.from_destination({"environment_url": "https://abc.live.dynatrace.com"}, {})
    with pytest.raises(DeliveryError, match="unknown auth_type"):
        DynatraceClient.from_destination({"environment_url": "https://abc.live.dynatrace.com", "auth_type": "x"}, {})


def test_it_makes_generic_authenticated_calls_for_the_asset_push(dt):
    client = DynatraceClient.from_destination(
        {"environment_url": dt.url, "auth_type": "oauth", "token_url": dt.token_url},
        {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "account_urn": ACCOUNT_URN},
        scopes=("settings:objects:read",),
        http=HttpClient(TEST_POLICY),
    )

    schema = "app:dynatrace.biz.flow:biz-flow-settings"
    response = client.request("GET", "/api/v2/settings/objects", params={"schemaIds": schema})

    assert response.status_code == 200
    assert dt.requests[-1].path == "/platform/classic/environment-api/v2/settings/objects"
    assert dt.counters["token_requests"] == 1


def test_it_names_the_scope_a_generic_call_lacks(dt):
    dt.set_api_token_scopes(["bizevents.ingest"])
    client = DynatraceClient.from_destination(
        {"environment_url": dt.url}, {"api_token": dt.api_token}, http=HttpClient(TEST_POLICY)
    )

    with pytest.raises(AuthRejected) as caught:
        client.request("POST", "/api/v2/settings/objects", json=[], scope="settings.write")

    assert caught.value.status == 403
    assert caught.value.message.startswith("missing scope") and "settings.write" in caught.value.message
