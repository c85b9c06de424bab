"""The local Dynatrace receiver's other APIs: OAuth tokens."""

from __future__ import annotations

import pytest

from journeys.devtools.dynatrace_receiver import DynatraceReceiver

from .receiver_helpers import bearer

CLIENT_ID, CLIENT_SECRET = "dt0s02.TEST", "dt0s02.TEST.SECRET"


# --- OAuth --------------------------------------------------------------------------------------------


def token_form(**overrides: str) -> dict[str, str]:
    form = {"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
            "scope": "storage:events:write storage:bizevents:read", "resource": "urn:dtaccount:abc"}
    return {**form, **overrides}


def test_it_issues_bearer_tokens_for_client_credentials(dt, http):
    response = http.post(dt.token_url, data=token_form())

    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 300
    assert body["scope"] == "storage:events:write storage:bizevents:read"
    ingest = http.post(dt.platform_ingest_url, json=[{"event.type": "t"}],
                       headers={"Authorization": f"Bearer {body['access_token']}"})
    assert ingest.status_code == 202
    assert dt.counters["token_requests"] == 1 and dt.counters["tokens_issued"] == 1


def test_it_takes_client_credentials_in_basic_auth(dt, http):
    form = token_form()
    del form["client_id"], form["client_secret"]

    response = http.post(dt.token_url, data=form, auth=(CLIENT_ID, CLIENT_SECRET))

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("overrides", "status", "error"),
    [
        ({"client_secret": "wrong"}, 401, "invalid_client"),
        ({"client_id": "nobody"}, 401, "invalid_client"),
        ({"grant_type": "password"}, 400, "unsupported_grant_type"),
        ({"scope": ""}, 400, "invalid_scope"),
        ({"resource": "account-123"}, 400, "invalid_request"),
    ],
)
def test_it_refuses_bad_token_requests(dt, http, overrides, status, error):
    response = http.post(dt.token_url, data=token_form(**overrides))

    assert response.status_code == status
    assert response.json()["error"] == error
    assert dt.counters["token_requests"] == 1 and dt.counters["tokens_issued"] == 0


def test_it_refuses_scopes_the_client_was_not_granted(clock, http):
    with DynatraceReceiver(clock=clock, oauth_allowed_scopes=["storage:events:write"]) as receiver:
        refused = http.post(receiver.token_url, data=token_form())
        granted = http.post(receiver.token_url, data=token_form(scope="storage:events:write"))

    assert (refused.status_code, refused.json()["error"]) == (400, "invalid_scope")
    assert granted.status_code == 200


def test_it_expires_tokens_on_the_injected_clock(dt, http, clock):
    token = http.post(dt.token_url, data=token_form()).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}

    clock.advance(299)
    assert http.post(dt.platform_ingest_url, json=[{}], headers=headers).status_code == 202
    clock.advance(1)
    expired = http.post(dt.platform_ingest_url, json=[{}], headers=headers)

    assert expired.status_code == 401
    assert "expired" in expired.json()["error"]["message"]


def test_it_forgets_revoked_tokens(dt, http):
    headers = bearer(dt, "storage:events:write")

    dt.revoke_oauth_tokens()

    assert http.post(dt.platform_ingest_url, json=[{}], headers=headers).status_code == 401


def test_it_can_fail_the_token_endpoint(dt, http):
    dt.fail_next(1, endpoint="oauth")

    assert http.post(dt.token_url, data=token_form()).status_code == 503
    assert http.post(dt.token_url, data=token_form()).status_code == 200
