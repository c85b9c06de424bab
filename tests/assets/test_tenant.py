import json
from dataclasses import replace

import pytest

from journeys.assets import tenant
from journeys.assets.bizflow import build_bizflow, external_id
from journeys.assets.tenant import AssetPushError, find_document, push_assets
from journeys.devtools.dynatrace.settings_api import validate_bizflow_value
from journeys.engine.spec import ErrorRule

from .journeys_for_tests import EXAMPLE_PATHS, example, small_journey


def _content(dt) -> dict:
    [document] = dt.documents
    return json.loads(document["content"])


def test_it_creates_both_on_the_first_push_and_updates_them_on_the_second(dt, client):
    spec = small_journey()
    first = push_assets(client, spec, description="Orders from checkout to doorstep.")
    assert first.bizflow.created and first.dashboard.created
    [stored] = dt.settings_objects
    assert stored["objectId"] == first.bizflow.id and stored["externalId"] == external_id("acme.retail")
    assert stored["value"] == build_bizflow(spec, description="Orders from checkout to doorstep.")
    assert first.bizflow.url == f"{dt.url}/ui/apps/dynatrace.biz.flow/analyze/{first.bizflow.id}"
    assert first.dashboard.url == f"{dt.url}/ui/apps/dynatrace.dashboards/dashboard/{first.dashboard.id}"
    [document] = dt.documents
    assert document["type"] == "dashboard" and document["name"] == "Order delivery" and document["version"] == 1
    assert first.bizflow.url in json.dumps(_content(dt))  # the markdown tile links to the flow

    renamed = replace(spec, name="Order delivery (EU)")
    second = push_assets(client, renamed)
    assert not second.bizflow.created and not second.dashboard.created
    assert (second.bizflow.id, second.dashboard.id) == (first.bizflow.id, first.dashboard.id)
    [stored] = dt.settings_objects
    assert stored["value"]["name"] == "Order delivery (EU)"
    [document] = dt.documents
    assert document["name"] == "Order delivery (EU)" and document["version"] == 2 == second.dashboard.version
    assert "# Order delivery (EU)" in json.dumps(_content(dt))


def test_it_dry_runs_before_writing(dt, client):
    push_assets(client, small_journey())
    settings_calls = [(r.method, r.path) for r in dt.requests if r.endpoint == "settings"]
    assert settings_calls == [
        ("GET", "/platform/classic/environment-api/v2/settings/objects"),
        ("POST", "/platform/classic/environment-api/v2/settings/objects"),  # validateOnly
        ("POST", "/platform/classic/environment-api/v2/settings/objects"),
    ]


@pytest.mark.parametrize("path", EXAMPLE_PATHS, ids=lambda p: p.stem)
def test_it_pushes_every_example_and_the_tenant_accepts_it(dt, client, path):
    spec = example(path.name)
    result = push_assets(client, spec)
    [stored] = dt.settings_objects
    assert validate_bizflow_value(stored["value"]) == []
    assert stored["objectId"] == result.bizflow.id and len(dt.documents) == 1


def test_it_stops_on_a_refused_dry_run_with_the_tenants_message(dt, client, monkeypatch):
    def broken(spec, **options):
        [item] = original(spec, **options)
        item["value"]["steps"][0]["events"][0]["id"] = "wrong"
        return [item]

    original = tenant.bizflow_settings_payload
    monkeypatch.setattr(tenant, "bizflow_settings_payload", broken)
    with pytest.raises(AssetPushError) as caught:
        push_assets(client, small_journey())
    assert "dry run, nothing was changed" in caught.value.message
    assert "steps[0].events[0].id: must be provider:acme.retail-event:place.order" in caught.value.message
    assert dt.settings_objects == [] and dt.documents == []
    assert [r.status for r in dt.requests if r.endpoint == "settings"] == [200, 400]


def test_it_refuses_a_journey_beyond_the_app_limits_before_calling_the_tenant(dt, client):
    errors = tuple(ErrorRule(f"e{i}", 3, 1) for i in range(5))
    with pytest.raises(AssetPushError, match="'Order received' has 7 events"):
        push_assets(client, small_journey(errors=errors))
    assert dt.requests == []


def test_it_keeps_the_business_flow_when_only_the_dashboard_cannot_be_pushed(dt, token_client):
    with pytest.raises(AssetPushError) as caught:
        push_assets(token_client, small_journey())
    assert caught.value.bizflow is not None and caught.value.bizflow.created
    assert "the dashboard failed" in caught.value.message and "document:documents" in caught.value.message
    assert len(dt.settings_objects) == 1 and dt.documents == []


def test_it_takes_a_dashboard_edited_meanwhile_at_its_new_version(dt, client, monkeypatch):
    push_assets(client, small_journey())
    versions_seen = []

    def stale_then_fresh(client_, external):
        found = find_document(client_, external)
        versions_seen.append(found["version"])
        # The first lookup is stale, as if someone saved the dashboard right after we read it.
        return {**found, "version": found["version"] - 1} if len(versions_seen) == 1 else found

    monkeypatch.setattr(tenant, "find_document", stale_then_fresh)
    result = push_assets(client, small_journey())
    assert versions_seen == [1, 1] and result.dashboard.version == 2 and len(dt.documents) == 1
    assert [r.status for r in dt.requests if r.method == "PATCH"] == [409, 200]


def test_it_asks_whether_the_business_flow_app_is_installed_when_the_schema_is_unknown(dt, client, monkeypatch):
    original = tenant.bizflow_settings_payload

    def unknown_schema(spec, **options):
        [item] = original(spec, **options)
        return [{**item, "schemaId": "app:dynatrace.biz.flow:missing"}]

    monkeypatch.setattr(tenant, "bizflow_settings_payload", unknown_schema)
    with pytest.raises(AssetPushError, match=r"Is the Business Flow app \(dynatrace.biz.flow\) installed"):
        push_assets(client, small_journey())
    assert dt.settings_objects == []
