"""The delivery panel's Dynatrace extras: the tenant is asked what it holds before the first backfill,
and the Business Flow and dashboard are one click away. Against the local receiver; tasks run eagerly."""

import json
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from bizflow_studio.celery import app as celery_app
from journeys.models import JourneyDestination, Run, TenantAssets
from journeys.selectors.delivery import probe_finding
from journeys.services.destinations import destination_attach, destination_create
from journeys.services.scheduling import journey_activate

from ..assets.conftest import ACCOUNT_URN
from .conftest import logged_in

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def eager():
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def tenant(team, dt):
    return destination_create(
        owner=team.alice,
        tenant=team.tenant,
        name="Demo tenant",
        kind="dynatrace",
        config={"environment_url": dt.url, "auth_type": "oauth", "token_url": dt.token_url},
        secrets={"client_id": "dt0s02.TEST", "client_secret": "dt0s02.TEST.SECRET", "account_urn": ACCOUNT_URN},
    )


@pytest.fixture
def pair(team, tenant):
    return destination_attach(journey=team.journey, destination=tenant)


def panel(client, journey) -> str:
    return client.get(reverse("journey_delivery", args=[journey.slug]), **HTMX).content.decode()


def test_it_asks_the_tenant_before_the_first_backfill_and_says_what_it_found(
    client, team, pair, dt, eager, django_capture_on_commit_callbacks
):
    logged_in(client, team.bob)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("journey_activate", args=[team.journey.slug]), **HTMX)
    assert response.status_code == 200

    paths = [request.path for request in dt.requests]
    query = next(i for i, path in enumerate(paths) if path.endswith("query:execute"))
    ingest = next(i for i, path in enumerate(paths) if path.endswith("bizevents/ingest"))
    assert query < ingest  # asked before the backfill sent anything
    html = panel(client, team.journey)
    assert "No events from acme.retail in the tenant yet" in html
    assert JourneyDestination.objects.get(pk=pair.pk).probe_events == 0


def test_it_polls_while_the_tenant_is_being_asked(client, team, pair):
    journey_activate(journey=team.journey, user=team.alice)
    JourneyDestination.objects.filter(pk=pair.pk).update(probe_requested_at=timezone.now())

    html = panel(logged_in(client, team.victor), team.journey)

    assert "Asking the tenant whether acme.retail already has events" in html and 'hx-trigger="every 2s"' in html


@pytest.mark.parametrize(
    ("events", "error", "expected"),
    [
        (1234, "", "The tenant already has 1,234 events from acme.retail in the last 24 h: the backfill adds to them."),
        (0, "", "No events from acme.retail in the tenant yet"),
        (
            None,
            "the tenant did not answer the query within 15 s",
            "Could not ask the tenant: the tenant did not answer",
        ),
    ],
)
def test_it_words_the_finding(events, error, expected):
    now = timezone.now()
    pair = SimpleNamespace(is_probing=False, probed_at=now, probe_events=events, probe_error=error)
    text, _ = probe_finding(pair, "acme.retail")
    assert text.startswith(expected)


def test_it_offers_the_push_to_editors_and_shows_the_links_once_pushed(
    client, team, pair, dt, eager, django_capture_on_commit_callbacks
):
    journey = team.journey
    assert "Push Business Flow and dashboard too" not in panel(logged_in(client, team.victor), journey)
    html = panel(logged_in(client, team.bob), journey)
    push_url = reverse("journey_delivery_push", args=[journey.slug, pair.pk])
    assert "Push Business Flow and dashboard too" in html and push_url in html

    with django_capture_on_commit_callbacks(execute=True):
        html = client.post(push_url, **HTMX).content.decode()

    record = TenantAssets.objects.get()
    assert record.status == TenantAssets.Status.SUCCESS
    html = panel(client, journey)
    assert f'href="{record.bizflow_url}"' in html and f'href="{record.dashboard_url}"' in html
    [run] = Run.objects.all()
    assert (run.kind, run.journey, run.destination, run.outcome) == (
        Run.Kind.PUSH,
        journey,
        pair.destination,
        Run.Outcome.SUCCESS,
    )
    assert "Asset push" in html and "Business Flow and dashboard" in html


def test_it_shows_a_failed_push_in_the_run_history(client, team, pair, dt, eager, django_capture_on_commit_callbacks):
    dt.reject_token()
    logged_in(client, team.bob)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("journey_delivery_push", args=[team.journey.slug, pair.pk]), **HTMX)

    html = panel(client, team.journey)

    assert Run.objects.get().outcome == Run.Outcome.FAILED
    assert "Last push:" in html and 'class="outcome-failed kind-push"' in html


@pytest.mark.parametrize(("who", "status"), [("victor", 403), ("charlie", 404)])
@pytest.mark.parametrize("name", ["journey_delivery_push", "journey_destination_probe"])
def test_it_refuses_the_extras_below_the_editor_role(client, team, pair, who, status, name):
    response = logged_in(client, getattr(team, who)).post(reverse(name, args=[team.journey.slug, pair.pk]))

    assert response.status_code == status
    assert not TenantAssets.objects.exists()
    assert JourneyDestination.objects.get(pk=pair.pk).probe_requested_at is None


def test_it_asks_the_tenant_again_on_request(client, team, pair, dt, eager, django_capture_on_commit_callbacks):
    journey_activate(journey=team.journey, user=team.alice)
    logged_in(client, team.alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("journey_destination_probe", args=[team.journey.slug, pair.pk]), **HTMX)

    stored = JourneyDestination.objects.get(pk=pair.pk)
    assert stored.probed_at is not None and stored.probe_events == 0
    assert not [r for r in dt.requests if r.path.endswith("bizevents/ingest")]  # asking delivers nothing


def test_it_offers_no_extras_for_other_destination_kinds(client, team):
    files = destination_create(owner=team.alice, tenant=team.tenant, name="Files", kind="file", config={})
    pair = destination_attach(journey=team.journey, destination=files)
    assert (
        logged_in(client, team.alice)
        .post(reverse("journey_delivery_push", args=[team.journey.slug, pair.pk]))
        .status_code
        == 404
    )
    assert "Push Business Flow" not in panel(client, team.journey)


def test_each_panel_tells_the_other_to_reload_after_a_push(client, team, pair, django_capture_on_commit_callbacks):
    logged_in(client, team.bob)
    with django_capture_on_commit_callbacks():  # the push itself is not run
        from_delivery = client.post(reverse("journey_delivery_push", args=[team.journey.slug, pair.pk]), **HTMX)
        from_assets = client.post(
            reverse("journey_assets_push", args=[team.journey.slug]), {"destination": pair.destination.pk}, **HTMX
        )

    assert json.loads(from_delivery["HX-Trigger"]) == {"assetsChanged": {}}
    assert json.loads(from_assets["HX-Trigger"]) == {"deliveryChanged": {}}


def test_the_panel_keeps_the_pages_state_badge_in_step(client, team, pair):
    logged_in(client, team.bob)
    html = client.post(reverse("journey_activate", args=[team.journey.slug]), **HTMX).content.decode()
    assert '<span class="state state-active" id="journey-state" hx-swap-oob="true">Active</span>' in html
