"""Credentials: account URNs, and the OAuth token cache against the receiver's SSO endpoint."""

from __future__ import annotations

import pytest

from journeys.sinks.base import DeliveryError
from journeys.sinks.dynatrace.auth import ApiTokenAuth, OAuthClientAuth, normalize_account_urn
from journeys.sinks.http import HttpClient

from .conftest import ACCOUNT_URN, CLIENT_ID, CLIENT_SECRET, TEST_POLICY

UUID = "4F5C8A1E-1111-4222-8333-944455556666"


def test_it_accepts_an_account_urn_or_its_bare_uuid():
    assert normalize_account_urn(UUID) == "urn:dtaccount:" + UUID.lower()
    assert normalize_account_urn(f" urn:dtaccount:{UUID} ") == "urn:dtaccount:" + UUID.lower()
    with pytest.raises(ValueError, match="account UUID"):
        normalize_account_urn("urn:dtenvironment:abc")


def test_it_sends_the_api_token_in_its_own_scheme():
    assert ApiTokenAuth("dt0c01.A.B").authorization(HttpClient(TEST_POLICY)) == "Api-Token dt0c01.A.B"


def oauth(dt, clock, **kwargs) -> OAuthClientAuth:
    return OAuthClientAuth(CLIENT_ID, CLIENT_SECRET, ACCOUNT_URN, token_url=dt.token_url, clock=clock, **kwargs)


def test_it_reuses_the_bearer_token_until_shortly_before_it_expires(dt, clock):
    auth, http = oauth(dt, clock), HttpClient(TEST_POLICY)

    first = auth.authorization(http)
    clock.advance(269)
    assert auth.authorization(http) == first
    clock.advance(2)  # 271 s of 300: inside the 30 s margin

    assert auth.authorization(http) != first
    assert auth.fetches == 2 == dt.counters["token_requests"]


def test_it_asks_for_every_scope_it_was_given(dt, clock):
    auth = oauth(dt, clock, scopes=("settings:objects:read", "storage:events:write"))
    http = HttpClient(TEST_POLICY)
    header = {"Authorization": auth.authorization(http)}

    listed = http.request("GET", dt.url + "/platform/classic/environment-api/v2/settings/objects", headers=header)
    ingested = http.request(
        "POST", dt.platform_ingest_url, headers={**header, "Content-Type": "application/json"}, data=b"[]"
    )

    assert (listed.status_code, ingested.status_code) == (200, 202)
    assert auth.fetches == 1


def test_it_says_which_scope_the_client_is_not_granted(clock):
    from journeys.devtools.dynatrace_receiver import DynatraceReceiver

    with DynatraceReceiver(clock=clock, oauth_allowed_scopes=["storage:bizevents:read"]) as dt:
        with pytest.raises(DeliveryError) as caught:
            oauth(dt, clock).authorization(HttpClient(TEST_POLICY))

    assert caught.value.permanent
    assert caught.value.message.startswith("OAuth client lacks a scope")
    assert "storage:events:write" in caught.value.message


def test_it_reports_an_unreachable_token_url_as_temporary(clock):
    from ..helpers import free_port

    auth = OAuthClientAuth(
        CLIENT_ID, CLIENT_SECRET, ACCOUNT_URN, token_url=f"http://127.0.0.1:{free_port()}/token", clock=clock
    )

    with pytest.raises(DeliveryError) as caught:
        auth.authorization(HttpClient(TEST_POLICY))

    assert not caught.value.permanent and caught.value.message.startswith("cannot get an OAuth token")
