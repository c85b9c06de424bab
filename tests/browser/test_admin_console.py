"""The admin console in a real browser: tenants and members, destinations' health, a bulk pause, runs
filtered, and the pause in the audit log."""

import re

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import expect

from journeys.engine.spec import JourneySpec, Step
from journeys.models import Destination, Journey, Run
from journeys.services.destinations import destination_attach, destination_create
from journeys.services.journeys import journey_create_from_spec
from journeys.services.scheduling import journey_activate
from journeys.services.tenancy import tenant_create
from tests.members import add_member

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PASSWORD = "a long enough password"


def spec(name: str) -> JourneySpec:
    return JourneySpec(name, "acme.shop", "order.id", (Step("Place", "order.placed"), Step("Pay", "order.paid")))


def build_world() -> None:
    User.objects.create_superuser("root", "root@example.com", PASSWORD)
    alice, bob = User.objects.create_user("alice"), User.objects.create_user("bob")
    acme = tenant_create(name="Acme", owner=alice, events_per_day_cap=50_000)
    add_member(tenant=acme, user=bob, role="editor", actor=alice)
    hook = destination_create(
        owner=alice,
        tenant=acme,
        name="Orders hook",
        kind="webhook",
        config={"url": "https://hooks.example.com/in"},
        secrets={"headers": {"Authorization": "Bearer browser-test-secret-31"}},
    )
    files = destination_create(owner=alice, tenant=acme, name="Archive files", kind="file", config={})
    Destination.objects.filter(pk=hook.pk).update(last_success_at=timezone.now())
    Destination.objects.filter(pk=files.pk).update(stopped_reason="the folder is not writable")
    for name in ("Checkout", "Returns", "Loyalty"):
        journey = journey_create_from_spec(spec=spec(name), owner=alice, tenant=acme)
        pair = destination_attach(journey=journey, destination=hook)
        journey_activate(journey=journey, user=alice)
        outcome = Run.Outcome.FAILED if name == "Returns" else Run.Outcome.SUCCESS
        Run.objects.create(
            journey_destination=pair,
            started_at=timezone.now(),
            outcome=outcome,
            delivered=0 if outcome == Run.Outcome.FAILED else 120,
            error="503 from the hook" if outcome == Run.Outcome.FAILED else "",
        )


def test_it_runs_the_console(page, screenshot_dir):
    build_world()
    page.goto("/admin/")
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="BizFlow Studio admin")).to_be_visible()

    # Tenants, and one tenant with its members.
    page.get_by_role("link", name="Tenants").first.click()
    expect(page.locator("#result_list")).to_contain_text("Acme")
    page.get_by_role("link", name="Acme").click()
    members = page.locator("#memberships-group")
    expect(members).to_be_visible()
    expect(members.locator("tr.has_original")).to_have_count(2)
    expect(members).to_contain_text("alice")
    expect(members).to_contain_text("bob")

    # Destinations with their health, and never a secret.
    page.goto("/admin/journeys/destination/")
    expect(page.locator("#result_list .bf-good")).to_have_text("healthy")
    expect(page.locator("#result_list .bf-bad")).to_have_text("stopped")
    expect(page.locator("#result_list")).to_contain_text("the folder is not writable")
    assert "browser-test-secret-31" not in page.content()
    page.screenshot(path=str(screenshot_dir / "admin-destinations.png"), full_page=True)

    # Pause two journeys at once.
    page.goto("/admin/journeys/journey/")
    for name in ("Checkout", "Returns"):
        page.locator("#result_list tr", has_text=name).locator("input.action-select").check()
    page.locator("select[name='action']").select_option(label="Pause selected journeys")
    page.get_by_role("button", name="Run", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("Paused 2 of 2 selected journeys")
    for name, state in (("Checkout", "Paused"), ("Returns", "Paused"), ("Loyalty", "Active")):
        expect(page.locator("#result_list tr", has_text=name).locator(".field-state_badge")).to_have_text(state)
    assert set(Journey.objects.values_list("name", "state")) == {
        ("Checkout", "paused"),
        ("Returns", "paused"),
        ("Loyalty", "active"),
    }

    # Runs, filtered to the failed ones.
    page.goto("/admin/journeys/run/")
    expect(page.locator("#result_list tbody tr")).to_have_count(3)
    page.locator("#changelist-filter").get_by_role("link", name="Failed").click()
    expect(page).to_have_url(re.compile(r"outcome__exact=failed"))
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    expect(page.locator("#result_list")).to_contain_text("503 from the hook")

    # The audit log says who paused what.
    page.goto("/admin/journeys/auditentry/?action=journey.paused")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("root")
    expect(page.locator("#result_list")).to_contain_text("Checkout")
    expect(page.locator("#result_list")).to_contain_text("Returns")
    page.screenshot(path=str(screenshot_dir / "admin-audit-log.png"), full_page=True)
