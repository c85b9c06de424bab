"""Push a journey's assets from the browser and follow the links that come back."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from bizflow_studio.celery import app as celery_app
from journeys.models import TenantAssets
from journeys.services.destinations import destination_create
from journeys.services.journeys import journey_create_from_spec

from ..assets.conftest import ACCOUNT_URN
from ..assets.journeys_for_tests import small_journey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def context(browser, live_server):
    # The session's one Chromium (tests/browser/conftest.py): Playwright's sync API allows one at a time.
    context = browser.new_context()
    yield context
    context.close()


@pytest.fixture
def eager():
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def test_it_pushes_to_the_tenant_and_shows_the_links(context, live_server, dt, eager):
    alice = get_user_model().objects.create_user("alice", password="x")
    journey = journey_create_from_spec(spec=small_journey(), owner=alice)
    destination_create(
        owner=alice,
        name="Demo tenant",
        kind="dynatrace",
        config={"environment_url": dt.url, "auth_type": "oauth", "token_url": dt.token_url},
        secrets={"client_id": "dt0s02.TEST", "client_secret": "dt0s02.TEST.SECRET", "account_urn": ACCOUNT_URN},
    )
    login = Client()
    login.force_login(alice)
    context.add_cookies([{"name": "sessionid", "value": login.cookies["sessionid"].value, "url": live_server.url}])

    tab = context.new_page()
    tab.goto(f"{live_server.url}/journeys/{journey.slug}/dynatrace/")
    assert tab.evaluate("typeof htmx") == "object"
    with tab.expect_request(lambda r: r.method == "POST") as posted:
        tab.get_by_role("button", name="Push to tenant").click()
    assert posted.value.headers.get("hx-request") == "true"  # swapped in by htmx, not a page reload
    bizflow = tab.get_by_role("link", name="Open the Business Flow")
    bizflow.wait_for(timeout=15_000)
    dashboard = tab.get_by_role("link", name="Open the dashboard")

    [record] = TenantAssets.objects.all()
    assert record.status == TenantAssets.Status.SUCCESS
    assert bizflow.get_attribute("href") == record.bizflow_url
    assert dashboard.get_attribute("href") == record.dashboard_url
    assert record.bizflow_url.startswith(f"{dt.url}/ui/apps/dynatrace.biz.flow/analyze/")
    assert len(dt.settings_objects) == 1 and len(dt.documents) == 1
    assert tab.locator("#assets-panel").count() == 1  # the panel was swapped in place, not nested
