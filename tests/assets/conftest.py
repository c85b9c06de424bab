from __future__ import annotations

from collections.abc import Iterator

import pytest

from journeys.assets.tenant import ASSET_OAUTH_SCOPES
from journeys.devtools.dynatrace_receiver import DynatraceReceiver
from journeys.sinks.dynatrace.auth import ApiTokenAuth, OAuthClientAuth
from journeys.sinks.dynatrace.client import DynatraceClient
from journeys.sinks.http import HttpClient, HttpPolicy

ACCOUNT_URN = "urn:dtaccount:2f9c7a1e-4b6d-4c3a-9e8f-1a2b3c4d5e6f"


@pytest.fixture
def dt(request) -> Iterator[DynatraceReceiver]:
    """A local tenant; parametrize indirectly with a dict of receiver options to change it."""
    with DynatraceReceiver(**getattr(request, "param", {})) as receiver:
        yield receiver


def _http() -> HttpClient:
    # One attempt and no pauses: the tests look at what the tenant answered, not at retries.
    return HttpClient(HttpPolicy(max_attempts=1, backoff=0, budget=0), sleep=lambda seconds: None)


@pytest.fixture
def client(dt: DynatraceReceiver) -> Iterator[DynatraceClient]:
    auth = OAuthClientAuth(
        "dt0s02.TEST", "dt0s02.TEST.SECRET", ACCOUNT_URN, scopes=ASSET_OAUTH_SCOPES, token_url=dt.token_url
    )
    with_client = DynatraceClient(dt.url, auth, http=_http())
    yield with_client
    with_client.close()


@pytest.fixture
def token_client(dt: DynatraceReceiver) -> Iterator[DynatraceClient]:
    """A classic API token: Settings API yes, Documents and DQL no."""
    with_client = DynatraceClient(dt.url, ApiTokenAuth(dt.api_token), http=_http())
    yield with_client
    with_client.close()
