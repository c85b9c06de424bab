"""The local Dynatrace receiver's other APIs: OAuth tokens, Business Flow settings, documents, DQL."""

from __future__ import annotations

import copy
import uuid

import orjson
import pytest

from journeys.devtools.dynatrace.settings_api import BIZFLOW_SCHEMA_ID
from journeys.devtools.dynatrace_receiver import DynatraceReceiver

from .receiver_helpers import NOW, api_token, bearer, post_events

HOUR = 3600.0
SETTINGS = "/api/v2/settings/objects"
DOCUMENTS = "/platform/document/v1/documents"
QUERY = "/platform/storage/query/v1"
CLIENT_ID, CLIENT_SECRET = "dt0s02.TEST", "dt0s02.TEST.SECRET"


# --- OAuth --------------------------------------------------------------------------------------------


def token_form(**overrides: str) -> dict[str, str]:
    form = {
        "grant_type": "client_credentials",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "scope": "storage:events:write storage:bizevents:read",
        "resource": "urn:dtaccount:abc",
    }
    return {**form, **overrides}


def test_it_issues_bearer_tokens_for_client_credentials(dt, http):
    response = http.post(dt.token_url, data=token_form())

    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 300
    assert body["scope"] == "storage:events:write storage:bizevents:read"
    ingest = http.post(
        dt.platform_ingest_url, json=[{"event.type": "t"}], headers={"Authorization": f"Bearer {body['access_token']}"}
    )
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


# --- Business Flow settings ---------------------------------------------------------------------------


def step(name: str, event_type: str, *, root: bool = False, provider: str = "acme.retail") -> dict:
    return {
        "name": name,
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{provider}/{event_type}")),
        "isRoot": root,
        "events": [
            {
                "id": f"provider:{provider}-event:{event_type}",
                "name": event_type,
                "provider": provider,
                "isError": False,
                "isDisabled": False,
            }
        ],
    }


def flow_value(name: str = "[RETAIL] eCommerce order delivery") -> dict:
    steps = [
        step("Place order", "place.order", root=True),
        step("Order shipped", "order.shipped"),
        step("Order received", "order.received"),
    ]
    ids = [s["id"] for s in steps]
    connections = [{"id": f"{a}__{b}", "source": a, "target": b} for a, b in zip(ids, ids[1:], strict=False)]
    return {
        "name": name,
        "steps": steps,
        "connections": connections,
        "kpiLabel": "Revenue",
        "kpi": "order.value",
        "kpiCalculation": "sum",
        "analysisType": "fulfillment",
        "analysisCustomLabel": "Delivered",
        "isSmartscapeTopologyEnabled": False,
        "isDefaultQueryLimitIgnored": False,
        "correlationID": "order.id",
    }


def settings_item(value: dict | None = None, external_id: str | None = "bizflow-1") -> dict:
    item = {"schemaId": BIZFLOW_SCHEMA_ID, "scope": "environment", "value": value or flow_value()}
    if external_id:
        item["externalId"] = external_id
    return item


def test_it_creates_a_business_flow(dt, http):
    response = http.post(dt.url + SETTINGS, json=[settings_item()], headers=api_token(dt))

    assert response.status_code == 200
    [result] = response.json()
    assert result["code"] == 200 and result["objectId"]
    [stored] = dt.settings_objects
    assert stored["objectId"] == result["objectId"]
    assert stored["externalId"] == "bizflow-1"
    assert stored["value"]["kpiLabel"] == "Revenue"


def test_it_only_validates_when_asked(dt, http):
    response = http.post(
        dt.url + SETTINGS, params={"validateOnly": "true"}, json=[settings_item()], headers=api_token(dt)
    )

    assert response.status_code == 200
    assert response.json() == [{"code": 200}]
    assert dt.settings_objects == []


def test_it_refuses_a_second_object_with_the_same_external_id(dt, http):
    http.post(dt.url + SETTINGS, json=[settings_item()], headers=api_token(dt))

    response = http.post(dt.url + SETTINGS, json=[settings_item()], headers=api_token(dt))

    assert response.status_code == 409
    [result] = response.json()
    assert result["code"] == 409 and "already exists" in result["error"]["message"]
    assert len(dt.settings_objects) == 1


def test_it_reports_mixed_results_with_207(dt, http):
    response = http.post(
        dt.url + SETTINGS, json=[settings_item(external_id="a"), settings_item(external_id="a")], headers=api_token(dt)
    )

    assert response.status_code == 207
    assert [r["code"] for r in response.json()] == [200, 409]


def test_it_replaces_the_object_named_with_its_external_id(dt, http):
    object_id = http.post(dt.url + SETTINGS, json=[settings_item()], headers=api_token(dt)).json()[0]["objectId"]
    replacement = {**settings_item(flow_value("Renamed")), "objectId": object_id}

    response = http.post(dt.url + SETTINGS, json=[replacement], headers=api_token(dt))

    assert response.json() == [{"code": 200, "objectId": object_id}]
    assert [o["value"]["name"] for o in dt.settings_objects] == ["Renamed"]


def test_it_explains_what_is_wrong_with_a_value(dt, http):
    value = flow_value()
    del value["kpiLabel"]
    value["analysisType"] = "profit"
    value["connections"][0]["target"] = "no-such-step"
    value["colour"] = "red"

    response = http.post(dt.url + SETTINGS, json=[settings_item(value)], headers=api_token(dt))

    assert response.status_code == 400
    [result] = response.json()
    paths = {v["path"] for v in result["error"]["constraintViolations"]}
    assert {"kpiLabel", "analysisType", "connections[0].target", "connections[0].id", "colour"} <= paths
    assert result["invalidValue"] == value
    assert dt.settings_objects == []


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda v: v["steps"][0]["events"].extend(copy.deepcopy(v["steps"][0]["events"]) * 5), "steps[0].events"),
        (lambda v: v["steps"].extend(step(f"s{i}", f"e{i}") for i in range(20)), "steps"),
        (lambda v: v["steps"][1]["events"][0].update(id="wrong"), "steps[1].events[0].id"),
        (lambda v: v["steps"][0].update(isRoot=False), "steps"),
        (lambda v: v.update(isSmartscapeTopologyEnabled="no"), "isSmartscapeTopologyEnabled"),
    ],
)
def test_it_enforces_the_business_flow_app_rules(dt, http, change, path):
    value = flow_value()
    change(value)

    response = http.post(dt.url + SETTINGS, json=[settings_item(value)], headers=api_token(dt))

    assert response.status_code == 400
    assert path in {v["path"] for v in response.json()[0]["error"]["constraintViolations"]}


def test_it_refuses_other_schemas_and_scopes(dt, http):
    other_schema = {**settings_item(), "schemaId": "builtin:alerting.profile"}
    other_scope = {**settings_item(external_id="b"), "scope": "HOST-1"}

    response = http.post(dt.url + SETTINGS, json=[other_schema, other_scope], headers=api_token(dt))

    assert response.status_code == 400
    assert [r["code"] for r in response.json()] == [404, 400]


def test_it_lists_objects_with_objectid_and_value_unless_fields_ask_for_more(dt, http):
    http.post(
        dt.url + SETTINGS,
        json=[settings_item(), settings_item(flow_value("Other"), "bizflow-2")],
        headers=api_token(dt),
    )
    params = {"schemaIds": BIZFLOW_SCHEMA_ID, "scopes": "environment"}

    default = http.get(dt.url + SETTINGS, params=params, headers=api_token(dt)).json()
    with_ids = http.get(
        dt.url + SETTINGS, params={**params, "fields": "objectId,value,externalId"}, headers=api_token(dt)
    ).json()

    assert default["totalCount"] == 2
    assert set(default["items"][0]) == {"objectId", "value"}
    assert [item["externalId"] for item in with_ids["items"]] == ["bizflow-1", "bizflow-2"]


def test_it_filters_the_list(dt, http):
    http.post(
        dt.url + SETTINGS,
        json=[settings_item(), settings_item(flow_value("Other"), "bizflow-2")],
        headers=api_token(dt),
    )

    by_external_id = http.get(dt.url + SETTINGS, params={"externalIds": "bizflow-2"}, headers=api_token(dt)).json()
    by_name = http.get(dt.url + SETTINGS, params={"filter": "value.name = 'Other'"}, headers=api_token(dt)).json()
    other_schema = http.get(dt.url + SETTINGS, params={"schemaIds": "builtin:x"}, headers=api_token(dt)).json()
    bad_filter = http.get(dt.url + SETTINGS, params={"filter": "name contains 'x'"}, headers=api_token(dt))

    assert [i["value"]["name"] for i in by_external_id["items"]] == ["Other"]
    assert [i["value"]["name"] for i in by_name["items"]] == ["Other"]
    assert other_schema["totalCount"] == 0
    assert bad_filter.status_code == 400


def test_it_updates_an_object(dt, http):
    object_id = http.post(dt.url + SETTINGS, json=[settings_item()], headers=api_token(dt)).json()[0]["objectId"]

    response = http.put(f"{dt.url}{SETTINGS}/{object_id}", json={"value": flow_value("Renamed")}, headers=api_token(dt))
    fetched = http.get(f"{dt.url}{SETTINGS}/{object_id}", headers=api_token(dt)).json()

    assert response.status_code == 200
    assert response.json() == {"code": 200, "objectId": object_id}
    assert fetched["value"]["name"] == "Renamed" and fetched["externalId"] == "bizflow-1"


def test_it_refuses_bad_updates(dt, http):
    object_id = http.post(dt.url + SETTINGS, json=[settings_item()], headers=api_token(dt)).json()[0]["objectId"]
    bad = flow_value()
    bad["analysisType"] = "profit"

    unknown = http.put(f"{dt.url}{SETTINGS}/nope", json={"value": flow_value()}, headers=api_token(dt))
    invalid = http.put(f"{dt.url}{SETTINGS}/{object_id}", json={"value": bad}, headers=api_token(dt))

    assert unknown.status_code == 404
    assert invalid.status_code == 400
    assert dt.settings_objects[0]["value"]["analysisType"] == "fulfillment"


def test_it_needs_settings_scopes(dt, http):
    dt.set_api_token_scopes(["settings.write"])
    object_id = http.post(dt.url + SETTINGS, json=[settings_item()], headers=api_token(dt)).json()[0]["objectId"]

    listing = http.get(dt.url + SETTINGS, headers=api_token(dt))
    update = http.put(f"{dt.url}{SETTINGS}/{object_id}", json={"value": flow_value()}, headers=api_token(dt))
    dt.set_api_token_scopes(["settings.read"])
    create = http.post(dt.url + SETTINGS, json=[settings_item(external_id="x")], headers=api_token(dt))

    assert (listing.status_code, update.status_code, create.status_code) == (403, 403, 403)


def test_it_serves_settings_on_the_platform_path_with_bearer_tokens(dt, http):
    url = dt.url + "/platform/classic/environment-api/v2/settings/objects"
    writer = bearer(dt, "settings:objects:write")

    created = http.post(url, json=[settings_item()], headers=writer)
    listed = http.get(url, headers=bearer(dt, "settings:objects:read"))

    assert created.status_code == 200
    assert listed.json()["totalCount"] == 1
    assert http.get(url, headers=writer).status_code == 403


# --- documents ----------------------------------------------------------------------------------------


def dashboard(version: int = 1) -> bytes:
    return orjson.dumps({"version": version, "variables": [], "tiles": {}, "layouts": {}})


def create_document(dt, http, *, external_id: str | None = "dash-1", content: bytes | None = None, **fields: str):
    form = {"name": "Retail journey", "type": "dashboard", "isPrivate": "false", **fields}
    if external_id:
        form["externalId"] = external_id
    files = {key: (None, value) for key, value in form.items()}
    files["content"] = ("dashboard.json", content or dashboard(), "application/json")
    return http.post(dt.url + DOCUMENTS, files=files, headers=bearer(dt, "document:documents:write"))


def test_it_creates_a_document(dt, http):
    response = create_document(dt, http)

    assert response.status_code == 201
    metadata = response.json()
    assert metadata["version"] == 1 and metadata["type"] == "dashboard" and metadata["isPrivate"] is False
    assert metadata["externalId"] == "dash-1" and metadata["owner"] == "test"
    [stored] = dt.documents
    assert orjson.loads(stored["content"])["version"] == 1


def test_it_makes_documents_private_by_default(dt, http):
    files = {"name": (None, "n"), "type": (None, "dashboard"), "content": ("d.json", dashboard(), "application/json")}

    response = http.post(dt.url + DOCUMENTS, files=files, headers=bearer(dt, "document:documents:write"))

    assert response.json()["isPrivate"] is True and response.json()["externalId"] is None


def test_it_finds_a_document_by_external_id(dt, http):
    create_document(dt, http, external_id="dash-1")
    create_document(dt, http, external_id="dash-2")
    reader = bearer(dt, "document:documents:read")

    found = http.get(dt.url + DOCUMENTS, params={"filter": "externalId == 'dash-2'"}, headers=reader).json()
    none = http.get(dt.url + DOCUMENTS, params={"filter": "externalId == 'nope'"}, headers=reader).json()
    bad = http.get(dt.url + DOCUMENTS, params={"filter": "colour == 'red'"}, headers=reader)

    assert [d["externalId"] for d in found["documents"]] == ["dash-2"] and found["totalCount"] == 1
    assert none == {"documents": [], "totalCount": 0}
    assert bad.status_code == 400


def test_it_serves_metadata_content_and_both(dt, http):
    doc_id = create_document(dt, http).json()["id"]
    reader = bearer(dt, "document:documents:read")

    metadata = http.get(f"{dt.url}{DOCUMENTS}/{doc_id}/metadata", headers=reader)
    content = http.get(f"{dt.url}{DOCUMENTS}/{doc_id}/content", headers=reader)
    both = http.get(f"{dt.url}{DOCUMENTS}/{doc_id}", headers=reader)
    missing = http.get(f"{dt.url}{DOCUMENTS}/nope/metadata", headers=reader)

    assert metadata.json()["version"] == 1 and metadata.json()["id"] == doc_id
    assert content.headers["Content-Type"] == "application/json" and content.content == dashboard()
    assert both.headers["Content-Type"].startswith("multipart/form-data")
    assert b'"version":1' in both.content and dashboard() in both.content
    assert missing.status_code == 404


def test_it_updates_a_document_with_optimistic_locking(dt, http):
    doc_id = create_document(dt, http).json()["id"]
    writer = bearer(dt, "document:documents:write")
    new_content = {"content": ("dashboard.json", dashboard(2), "application/json")}

    updated = http.patch(
        f"{dt.url}{DOCUMENTS}/{doc_id}", params={"optimistic-locking-version": "1"}, files=new_content, headers=writer
    )
    stale = http.patch(
        f"{dt.url}{DOCUMENTS}/{doc_id}", params={"optimistic-locking-version": "1"}, files=new_content, headers=writer
    )
    unversioned = http.patch(f"{dt.url}{DOCUMENTS}/{doc_id}", files=new_content, headers=writer)

    assert updated.status_code == 200
    assert updated.json()["documentMetadata"]["version"] == 2
    assert stale.status_code == 409 and unversioned.status_code == 400
    [stored] = dt.documents
    assert stored["version"] == 2 and orjson.loads(stored["content"])["version"] == 2


def test_it_refuses_a_second_document_with_the_same_external_id(dt, http):
    create_document(dt, http)

    assert create_document(dt, http).status_code == 409
    assert len(dt.documents) == 1


def test_it_refuses_incomplete_documents(dt, http):
    writer = bearer(dt, "document:documents:write")

    no_content = http.post(dt.url + DOCUMENTS, files={"name": (None, "n"), "type": (None, "dashboard")}, headers=writer)
    not_multipart = http.post(dt.url + DOCUMENTS, json={"name": "n"}, headers=writer)
    untyped_content = http.post(
        dt.url + DOCUMENTS,
        headers=writer,
        files={"name": (None, "n"), "type": (None, "dashboard"), "content": ("d.json", dashboard())},
    )

    assert (no_content.status_code, not_multipart.status_code) == (400, 400)
    assert untyped_content.status_code == 400


def test_it_needs_document_scopes(dt, http):
    files = {"name": (None, "n"), "type": (None, "d"), "content": ("d.json", dashboard(), "application/json")}

    created = http.post(dt.url + DOCUMENTS, files=files, headers=bearer(dt, "document:documents:read"))
    listed = http.get(dt.url + DOCUMENTS, headers=bearer(dt, "document:documents:write"))

    assert (created.status_code, listed.status_code) == (403, 403)


# --- DQL ----------------------------------------------------------------------------------------------


def run_query(dt, http, query: str, **body: object) -> tuple[int, dict]:
    reader = bearer(dt, "storage:bizevents:read", "storage:buckets:read")
    started = http.post(dt.url + QUERY + "/query:execute", json={"query": query, **body}, headers=reader)
    if started.status_code != 202:
        return started.status_code, started.json()
    assert started.json()["state"] == "RUNNING"
    token = started.json()["requestToken"]
    polled = http.get(dt.url + QUERY + "/query:poll", params={"request-token": token}, headers=reader)
    return polled.status_code, polled.json()


@pytest.fixture
def stored_events(dt, http):
    post_events(
        http,
        dt,
        [
            {"event.provider": "acme.retail", "event.type": "place.order", "timestamp": NOW - 60},
            {"event.provider": "acme.retail", "event.type": "order.shipped", "timestamp": NOW - 30},
            {"event.provider": "acme.retail", "event.type": "place.order", "timestamp": NOW - 5 * HOUR},
            {"event.provider": "other", "event.type": "place.order", "timestamp": NOW - 60},
        ],
    )


@pytest.mark.usefixtures("stored_events")
def test_it_counts_a_providers_events_over_the_timeframe_asked(dt, http):
    status, body = run_query(
        dt, http, 'fetch bizevents, from: now()-24h | filter event.provider == "acme.retail" | summarize count()'
    )

    assert status == 200 and body["state"] == "SUCCEEDED"
    assert body["result"]["records"] == [{"count()": "3"}]  # Grail sends longs as strings
    assert body["result"]["types"][0]["mappings"]["count()"]["type"] == "long"


@pytest.mark.usefixtures("stored_events")
def test_it_looks_at_the_last_2_hours_by_default(dt, http):
    query = 'fetch bizevents | filter event.provider == "acme.retail" | summarize count()'

    _, default = run_query(dt, http, query)
    _, with_body_timeframe = run_query(
        dt, http, query, defaultTimeframeStart="2026-11-19T00:00:00Z", defaultTimeframeEnd="2026-11-20T00:00:00Z"
    )

    assert default["result"]["records"] == [{"count()": "2"}]
    assert with_body_timeframe["result"]["records"] == [{"count()": "3"}]


@pytest.mark.usefixtures("stored_events")
def test_it_answers_the_limit_1_variant_with_one_record(dt, http):
    _, body = run_query(dt, http, 'fetch bizevents, from: -24h | filter event.provider == "acme.retail" | limit 1')

    [record] = body["result"]["records"]
    assert record["event.type"] == "order.shipped"  # newest first
    assert "_epoch" not in record


@pytest.mark.usefixtures("stored_events")
def test_it_summarizes_by_provider_and_type(dt, http):
    _, body = run_query(
        dt,
        http,
        'fetch bizevents, from: now()-1d | filter event.provider == "acme.retail" '
        "| summarize count(), by: {event.provider, event.type}",
    )

    assert body["result"]["records"] == [
        {"event.provider": "acme.retail", "event.type": "order.shipped", "count()": "1"},
        {"event.provider": "acme.retail", "event.type": "place.order", "count()": "2"},
    ]


@pytest.mark.parametrize(
    "query",
    [
        "fetch logs",
        'fetch bizevents | filter event.type == "x"',
        "fetch bizevents | sort timestamp",
        "fetch bizevents, from: yesterday",
    ],
)
def test_it_answers_400_to_queries_it_does_not_understand(dt, http, query):
    status, body = run_query(dt, http, query)

    assert status == 400
    assert "receiver" in body["error"]["message"] or "time expression" in body["error"]["message"]


def test_it_answers_410_for_an_unknown_request_token(dt, http):
    response = http.get(
        dt.url + QUERY + "/query:poll",
        params={"request-token": "nope"},
        headers=bearer(dt, "storage:bizevents:read", "storage:buckets:read"),
    )

    assert response.status_code == 410


def test_it_can_keep_a_query_running_for_some_polls(clock, http):
    with DynatraceReceiver(clock=clock, query_poll_rounds=1) as receiver:
        reader = bearer(receiver, "storage:bizevents:read", "storage:buckets:read")
        started = http.post(
            receiver.url + QUERY + "/query:execute",
            json={"query": "fetch bizevents | summarize count()"},
            headers=reader,
        )
        token = started.json()["requestToken"]
        states = [
            http.get(receiver.url + QUERY + "/query:poll", params={"request-token": token}, headers=reader).json()[
                "state"
            ]
            for _ in range(2)
        ]

    assert states == ["RUNNING", "SUCCEEDED"]


def test_it_needs_query_scopes(dt, http):
    response = http.post(
        dt.url + QUERY + "/query:execute",
        json={"query": "fetch bizevents"},
        headers=bearer(dt, "storage:bizevents:read"),
    )

    assert response.status_code == 403
    assert "storage:buckets:read" in response.json()["error"]["message"]
