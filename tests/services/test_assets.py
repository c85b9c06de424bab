import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from journeys.assets import tenant
from journeys.models import Destination, Run, TenantAssets
from journeys.services.assets import AssetPushRefused, journey_assets_push
from journeys.services.journeys import journey_create_from_spec
from journeys.services.tenancy import tenant_default_for_user

from ..assets.conftest import ACCOUNT_URN
from ..assets.journeys_for_tests import small_journey

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice():
    return get_user_model().objects.create_user("alice", password="x")


@pytest.fixture
def journey(alice):
    return journey_create_from_spec(spec=small_journey(), owner=alice, description="Orders to doorsteps.")


def _destination(dt, *, auth: str = "oauth", kind: str = "dynatrace"):
    if auth == "oauth":
        config = {"environment_url": dt.url, "auth_type": "oauth", "token_url": dt.token_url}
        secrets = {"client_id": "dt0s02.TEST", "client_secret": "dt0s02.TEST.SECRET", "account_urn": ACCOUNT_URN}
    else:
        config, secrets = {"environment_url": dt.url, "auth_type": "api_token"}, {"api_token": dt.api_token}
    owner = get_user_model().objects.get(username="alice")
    return Destination.objects.create(
        tenant=tenant_default_for_user(owner),
        owner=owner,
        name="Demo tenant",
        kind=kind,
        config=config,
        secrets=secrets,
    )


def test_it_pushes_and_records_the_links_then_updates_in_place(dt, journey, alice):
    destination = _destination(dt)
    record = journey_assets_push(journey=journey, destination=destination, user=alice)
    assert record.status == TenantAssets.Status.SUCCESS and record.error == ""
    [stored] = dt.settings_objects
    [document] = dt.documents
    assert record.bizflow_url == f"{dt.url}/ui/apps/dynatrace.biz.flow/analyze/{stored['objectId']}"
    assert record.dashboard_url == f"{dt.url}/ui/apps/dynatrace.dashboards/dashboard/{document['id']}"
    assert record.pushed_by == alice and record.finished_at is not None
    assert stored["value"]["description"] == "Orders to doorsteps."

    again = journey_assets_push(journey=journey, destination=destination, user=alice)
    assert again.pk == record.pk and again.document_version == 2
    assert len(dt.settings_objects) == 1 and len(dt.documents) == 1
    assert TenantAssets.objects.count() == 1


def test_it_records_a_refused_dry_run_and_changes_nothing(dt, journey, alice, monkeypatch):
    original = tenant.bizflow_settings_payload

    def without_steps(spec, **options):
        [item] = original(spec, **options)
        item["value"]["steps"] = []
        return [item]

    monkeypatch.setattr(tenant, "bizflow_settings_payload", without_steps)
    record = journey_assets_push(journey=journey, destination=_destination(dt), user=alice)
    assert record.status == TenantAssets.Status.FAILED
    assert "dry run, nothing was changed" in record.error and "steps: at least one step is required" in record.error
    assert record.bizflow_url == "" and dt.settings_objects == [] and dt.documents == []


def test_it_keeps_the_business_flow_link_when_only_the_dashboard_fails(dt, journey, alice):
    record = journey_assets_push(journey=journey, destination=_destination(dt, auth="api_token"), user=alice)
    assert record.status == TenantAssets.Status.PARTIAL
    assert record.bizflow_url and record.dashboard_url == ""
    assert "document:documents" in record.error and dt.api_token not in record.error


def test_it_refuses_a_destination_that_is_not_a_dynatrace_tenant(dt, journey, alice):
    with pytest.raises(AssetPushRefused, match="not a Dynatrace tenant"):
        journey_assets_push(journey=journey, destination=_destination(dt, kind="webhook"), user=alice)
    assert TenantAssets.objects.count() == 0


def test_it_records_a_destination_without_credentials_as_failed(dt, journey, alice):
    destination = _destination(dt)
    destination.secrets = {}
    record = journey_assets_push(journey=journey, destination=destination, user=alice)
    assert record.status == TenantAssets.Status.FAILED and "OAuth client" in record.error
    assert dt.requests == []


def test_it_leaves_a_push_that_is_already_running_alone(dt, journey, alice):
    TenantAssets.objects.create(
        journey=journey, environment_url=dt.url, status=TenantAssets.Status.RUNNING, requested_at=timezone.now()
    )
    record = journey_assets_push(journey=journey, destination=_destination(dt), user=alice)
    assert record.status == TenantAssets.Status.RUNNING and dt.requests == []


def test_the_task_skips_a_journey_or_destination_deleted_while_it_waited(journey, alice):
    from journeys.tasks import push_journey_assets

    push_journey_assets(journey.pk, 999_999, alice.pk)
    push_journey_assets(999_999, 999_999, None)
    assert TenantAssets.objects.count() == 0


def test_it_records_each_push_as_a_run_of_the_journey(dt, journey, alice):
    destination = _destination(dt)
    journey_assets_push(journey=journey, destination=destination, user=alice)
    dt.reject_token()
    journey_assets_push(journey=journey, destination=destination, user=alice)

    first, second = Run.objects.order_by("id")
    assert (first.kind, first.journey, first.destination, first.journey_destination) == (
        Run.Kind.PUSH,
        journey,
        destination,
        None,
    )
    assert first.outcome == Run.Outcome.SUCCESS and first.error == "" and first.finished_at is not None
    assert second.outcome == Run.Outcome.FAILED and second.error == TenantAssets.objects.get().error != ""


def test_it_records_no_run_for_a_push_it_leaves_to_the_one_under_way(dt, journey, alice):
    TenantAssets.objects.create(
        journey=journey, environment_url=dt.url, status=TenantAssets.Status.RUNNING, requested_at=timezone.now()
    )
    journey_assets_push(journey=journey, destination=_destination(dt), user=alice)
    assert not Run.objects.exists()


def test_a_run_is_either_a_delivery_of_a_pair_or_a_push_of_a_journey(journey):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Run.objects.create(kind=Run.Kind.PUSH, journey=journey, started_at=timezone.now())  # no destination
    with pytest.raises(IntegrityError), transaction.atomic():
        Run.objects.create(kind=Run.Kind.SCHEDULED, journey=journey, started_at=timezone.now())  # no pair
    assert not Run.objects.exists()
