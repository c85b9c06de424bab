import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from bizflow_studio.celery import app as celery_app
from journeys.models import TenantAssets
from journeys.services.destinations import destination_create
from journeys.services.journeys import journey_create_from_spec

from ..assets.conftest import ACCOUNT_URN
from ..assets.journeys_for_tests import small_journey

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def alice():
    return get_user_model().objects.create_user("alice", password="x")


@pytest.fixture
def charlie():
    return get_user_model().objects.create_user("charlie", password="x")


@pytest.fixture
def journey(alice):
    return journey_create_from_spec(spec=small_journey(), owner=alice)


@pytest.fixture
def tenant(alice, dt):
    return destination_create(
        owner=alice,
        name="Demo tenant",
        kind="dynatrace",
        config={"environment_url": dt.url, "auth_type": "oauth", "token_url": dt.token_url},
        secrets={"client_id": "dt0s02.TEST", "client_secret": "dt0s02.TEST.SECRET", "account_urn": ACCOUNT_URN},
    )


@pytest.fixture
def eager():
    """Run tasks in the test's own process, as they are enqueued."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def _push(client, journey, destination_id, **extra):
    return client.post(reverse("journey_assets_push", args=[journey.slug]), {"destination": destination_id}, **extra)


def test_it_queues_the_push_and_then_shows_the_links(
    client,
    alice,
    journey,
    tenant,
    dt,
    eager,
    django_capture_on_commit_callbacks,
):
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = _push(client, journey, tenant.pk, **HTMX)
    assert len(callbacks) == 1
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<section id="assets-panel"')
    assert "Queued" in html and 'hx-trigger="every 2s"' in html  # polls until the push is done
    [record] = TenantAssets.objects.all()
    assert record.status == TenantAssets.Status.SUCCESS
    panel = client.get(reverse("journey_assets", args=[journey.slug]), **HTMX).content.decode()
    assert f'href="{record.bizflow_url}"' in panel and f'href="{record.dashboard_url}"' in panel
    assert "every 2s" not in panel
    assert len(dt.settings_objects) == 1 and len(dt.documents) == 1


def test_it_does_not_queue_a_second_push_while_one_is_waiting(client, alice, journey, tenant):
    client.force_login(alice)
    _push(client, journey, tenant.pk, **HTMX)
    _push(client, journey, tenant.pk, **HTMX)
    [record] = TenantAssets.objects.all()
    assert record.status == TenantAssets.Status.QUEUED and record.pushed_by == alice


def test_it_refuses_destinations_that_are_not_the_users_dynatrace_tenants(client, alice, charlie, journey, tenant):
    other = destination_create(
        owner=charlie, name="Charlie's", kind="dynatrace", config={"environment_url": "https://x.live.dynatrace.com"}
    )
    files = destination_create(owner=alice, name="Files", kind="file", config={})
    client.force_login(alice)
    for destination_id in (other.pk, files.pk, "", "abc"):
        response = _push(client, journey, destination_id, **HTMX)
        assert "Choose one of your Dynatrace destinations." in response.content.decode()
    assert TenantAssets.objects.count() == 0


def test_it_keeps_other_peoples_journeys_out_of_reach(client, charlie, journey, tenant):
    client.force_login(charlie)
    assert _push(client, journey, tenant.pk, **HTMX).status_code == 404
    assert client.get(reverse("journey_assets", args=[journey.slug])).status_code == 404


def test_it_redirects_back_to_the_page_without_javascript(client, alice, journey, tenant):
    client.force_login(alice)
    response = _push(client, journey, tenant.pk)
    assert response.status_code == 302 and response["Location"] == reverse("journey_assets", args=[journey.slug])
    page = client.get(response["Location"]).content.decode()
    assert "<h1>Order delivery</h1>" in page and "Push to tenant" in page and "Demo tenant" in page


def test_it_only_accepts_posts_for_pushing(client, alice, journey):
    client.force_login(alice)
    assert client.get(reverse("journey_assets_push", args=[journey.slug])).status_code == 405
