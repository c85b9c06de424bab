"""A solution engineer prepares a demo, in a real browser: open a seeded journey, deliver it to files,
watch the backfill finish, add the demo's Dynatrace tenant (the local receiver), see what the tenant
already held, push the Business Flow and dashboard, and find the links.

Deliveries run when the test says so (the scheduler's pass, as the worker would run it), so the
backfill's progress can be seen before it is done; pushes and the tenant's answer run eagerly.
"""

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from bizflow_studio.celery import app as celery_app
from journeys import tasks
from journeys.models import Run, Tenant, TenantAssets
from journeys.services.destinations import destination_create
from journeys.services.imports import DEMO_PASSWORD, DEMO_TENANT_SLUG, DEMO_USERNAME, demo_seed
from journeys.services.scheduling import delivery_tick

from ..assets.conftest import ACCOUNT_URN

pytestmark = [pytest.mark.browser, pytest.mark.slow]
RETAIL = "[RETAIL] eCommerce order delivery"


@pytest.fixture
def worker(monkeypatch):
    """Tasks run in the web process as they are enqueued, except deliveries: the test starts those."""
    queued = []
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    monkeypatch.setattr(tasks.deliver_journey_destination, "delay_on_commit", lambda *args: queued.append(args))
    monkeypatch.setattr(tasks.deliver_journey_destination, "delay", lambda *args: queued.append(args))
    yield queued
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def demo(transactional_db, settings, tmp_path, dt):
    settings.BIZFLOW_EVENTS_DIR = tmp_path
    demo_seed()
    user = get_user_model().objects.get(username=DEMO_USERNAME)
    team = Tenant.objects.get(slug=DEMO_TENANT_SLUG)
    destination_create(owner=user, tenant=team, name="Local files", kind="file", config={})
    destination_create(
        owner=user,
        tenant=team,
        name="Demo tenant",
        kind="dynatrace",
        config={"environment_url": dt.url, "auth_type": "oauth", "token_url": dt.token_url},
        secrets={"client_id": "dt0s02.TEST", "client_secret": "dt0s02.TEST.SECRET", "account_urn": ACCOUNT_URN},
    )
    return user


def log_in_as_demo(page) -> None:
    page.goto("/")
    page.get_by_label("Username").fill(DEMO_USERNAME)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Journeys")).to_be_visible()


def attach(panel, name: str, kind: str) -> None:
    panel.get_by_label("Deliver to").select_option(label=f"{name} · {kind}")
    panel.get_by_role("button", name="Attach").click()
    expect(panel.locator("tr", has_text=name).first).to_be_visible()


def deliver_what_is_due(panel, destination: str) -> None:
    """The scheduler's pass, then the panel's own refresh shows the destination's run."""
    delivery_tick(now=timezone.now())
    expect(panel.locator("table.runs tr.outcome-success", has_text=destination).first).to_be_visible(timeout=10_000)


def test_it_delivers_a_journey_and_pushes_its_assets_from_the_journey_page(page, demo, worker, dt, screenshot_dir):
    log_in_as_demo(page)
    expect(page.locator(".tenant-chip")).to_contain_text("Demo team")
    page.get_by_role("link", name=RETAIL).click()
    page.get_by_role("link", name="Delivery", exact=True).click()
    panel = page.locator("#delivery-panel")
    expect(panel).to_contain_text("No destination yet")
    expect(page.locator("#journey-form")).to_be_hidden()  # the Design tab steps aside

    attach(panel, "Local files", "File (NDJSON)")
    panel.get_by_role("button", name="Activate").click()
    expect(panel.locator("progress")).to_be_visible()  # backfilling the last 24 hours
    expect(panel).to_contain_text("Backfilling")
    deliver_what_is_due(panel, "Local files")
    expect(panel.get_by_text("Live", exact=True)).to_be_visible()
    expect(panel.locator("progress")).to_have_count(0)

    # The demo's tenant: asked what it holds before its backfill, then one click for the assets.
    attach(panel, "Demo tenant", "Dynatrace")
    expect(panel.get_by_test_id("tenant-finding")).to_contain_text("No events from acme.retail in the tenant yet")
    deliver_what_is_due(panel, "Demo tenant")
    assert dt.event_count > 0
    panel.get_by_role("button", name="Push Business Flow and dashboard too").click()
    bizflow = panel.get_by_role("link", name="Open the Business Flow")
    expect(bizflow).to_be_visible()
    record = TenantAssets.objects.get()
    assert bizflow.get_attribute("href") == record.bizflow_url
    push = panel.locator("table.runs tr.kind-push")
    expect(push).to_contain_text("Asset push")
    expect(push).to_contain_text("Success")
    assert Run.objects.filter(kind=Run.Kind.PUSH, outcome=Run.Outcome.SUCCESS).count() == 1
    page.mouse.move(0, 0)
    page.screenshot(path=screenshot_dir / "journey-delivery.png", full_page=True)

    page.get_by_role("link", name="Dynatrace assets").click()
    assets = page.locator("#assets-panel")
    expect(assets.get_by_role("link", name="Open the dashboard")).to_have_attribute("href", record.dashboard_url)

    page.get_by_role("link", name="Journeys", exact=True).first.click()
    row = page.locator("tr", has=page.get_by_role("link", name=RETAIL))
    expect(row.locator(".destinations .chip")).to_have_text(["Demo tenant", "Local files"])
    expect(row.locator(".outcome-chip")).to_have_text("Success")
