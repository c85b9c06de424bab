"""Every page a user reaches from the top bar, in Chromium at a phone's 390 x 844: no page scrolls
sideways (a wide table or the flow graph scrolls inside its own box), the top bar folds into a menu,
and the editor keeps Save and a compact forecast within reach.

With BIZFLOW_SCREENSHOTS=docs (``make screenshots``) it also retakes the README's phone pictures.
"""

import os
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from journeys.models import JourneyDestination, Run
from journeys.services.destinations import destination_attach, destination_create
from journeys.services.imports import journey_import_text
from journeys.services.scheduling import journey_activate
from journeys.services.tenancy import invitation_accept, invitation_create, tenant_create

from ..views.conftest import EXAMPLES

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PHONE = {"width": 390, "height": 844}
PASSWORD = "a long enough password"

# Sideways overflow of the page itself, and the widest element sticking out past the viewport (for the message).
OVERFLOW = """() => {
  const page = document.scrollingElement;
  const culprits = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.width && box.right > page.clientWidth + 1) {
      let inside = false;
      for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
        const style = getComputedStyle(up);
        if (['auto', 'scroll', 'hidden'].includes(style.overflowX)) { inside = true; break; }
      }
      if (!inside) culprits.push(`${el.tagName.toLowerCase()}.${el.className}#${el.id} right=${Math.round(box.right)}`);
    }
  }
  return {scrollWidth: page.scrollWidth, clientWidth: page.clientWidth, culprits: culprits.slice(0, 6)};
}"""


@pytest.fixture
def world(transactional_db, settings, tmp_path):
    """Pat owns two tenants, so the list groups by tenant; a retail journey delivers, with runs; a
    loan journey has a decision step with settings."""
    settings.BIZFLOW_EVENTS_DIR = tmp_path
    pat = get_user_model().objects.create_superuser("pat", "pat@example.com", PASSWORD)
    other = get_user_model().objects.create_user("quinn-with-a-rather-long-username")
    # No volume cap: the editor is tried with a long volume (the default cap of a new tenant is lower).
    acme = tenant_create(name="Acme Retail and Lending Division", owner=pat, journeys_per_day_cap=None)
    globex = tenant_create(name="Globex", owner=pat)
    invitation_accept(invitation=invitation_create(tenant=acme, user=other, role="editor", actor=pat), user=other)
    retail = journey_import_text(
        text=(EXAMPLES / "retail-order-delivery.json").read_text(), owner=pat, tenant=acme, journeys_per_day=304_918
    )
    loans = journey_import_text(text=(EXAMPLES / "loan-validation.json").read_text(), owner=pat, tenant=acme)
    journey_import_text(text=(EXAMPLES / "travel-booking.json").read_text(), owner=pat, tenant=globex)
    files = destination_create(owner=pat, tenant=acme, name="Local files with a long name", kind="file", config={})
    hook = destination_create(
        owner=pat,
        tenant=acme,
        name="Orders hook",
        kind="webhook",
        config={"url": "https://hooks.example.com/a/rather/long/path/for/the/incoming/events"},
    )
    pair = destination_attach(journey=retail, destination=files, actor=pat)
    destination_attach(journey=retail, destination=hook, actor=pat)
    journey_activate(journey=retail, user=pat)
    now = timezone.now()
    JourneyDestination.objects.filter(pk=pair.pk).update(cursor_ms=int(now.timestamp() * 1000))
    for minutes, outcome in ((5, Run.Outcome.SUCCESS), (10, Run.Outcome.FAILED)):
        Run.objects.create(
            journey_destination=pair,
            started_at=now - timedelta(minutes=minutes),
            finished_at=now - timedelta(minutes=minutes - 1),
            window_start=now - timedelta(minutes=minutes + 5),
            window_end=now - timedelta(minutes=minutes),
            events_generated=304_918,
            delivered=304_918 if outcome == Run.Outcome.SUCCESS else 0,
            bytes=98_000_000,
            duration_ms=4_321,
            outcome=outcome,
            error="" if outcome == Run.Outcome.SUCCESS else "503 Service Unavailable: the endpoint is down",
        )
    return {"retail": retail, "loans": loans, "acme": acme, "files": files, "pair": pair, "other": other}


@pytest.fixture
def phone(browser, live_server, world):
    context = browser.new_context(viewport=PHONE, base_url=live_server.url, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("pat")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Journeys", exact=True)).to_be_visible()
    yield page
    context.close()


def pages(world) -> list[tuple[str, str, str | None]]:
    """(name, address, a selector to wait for) for every page the top bar leads to, and the pages they lead to."""
    retail, loans = world["retail"].slug, world["loans"].slug
    return [
        ("list", reverse("journey_list"), "table.journeys, .journey-group"),
        ("new-journey", reverse("journey_create"), "#journey-form"),
        ("editor", reverse("journey_edit", args=[retail]), "#journey-form"),
        ("delivery", reverse("journey_edit", args=[retail]) + "#delivery", "#delivery-panel table.runs"),
        ("dynatrace", reverse("journey_edit", args=[retail]) + "#dynatrace", "#assets-panel"),
        ("decisions", reverse("journey_edit", args=[loans]) + "#decisions", "#decisions table"),
        ("eventlog", reverse("journey_edit", args=[retail]) + "#eventlog", "#eventlog form"),
        ("decision-settings", reverse("decision_settings_edit", args=[loans, "loan.decided"]), "form"),
        ("preview", reverse("journey_preview", args=[retail]), "svg.flow"),
        ("import", reverse("journey_import"), "form"),
        ("destinations", reverse("destination_list"), "table"),
        ("destination-new", reverse("destination_create", args=["webhook"]), "form"),
        ("destination-edit", reverse("destination_edit", args=[world["files"].pk]), "form"),
        ("team", reverse("team"), "table"),
        # The pages that ask before a deletion, as a browser without JavaScript reaches them.
        ("journey-delete", reverse("journey_delete", args=[retail]), "form"),
        ("detach", reverse("journey_destination_detach", args=[retail, world["pair"].pk]), "form"),
        ("member-remove", reverse("team_member_remove", args=[world["acme"].slug, world["other"].pk]), "form"),
        ("admin", reverse("admin:index"), "#content"),
        ("admin-tenants", reverse("admin:journeys_tenant_changelist"), "#result_list"),
        ("admin-tenant", reverse("admin:journeys_tenant_change", args=[world["acme"].pk]), "form"),
        ("admin-journeys", reverse("admin:journeys_journey_changelist"), "#result_list"),
        ("admin-journey", reverse("admin:journeys_journey_change", args=[world["retail"].pk]), "form"),
        ("admin-destinations", reverse("admin:journeys_destination_changelist"), "#result_list"),
        ("admin-runs", reverse("admin:journeys_run_changelist"), "#result_list"),
        ("admin-audit", reverse("admin:journeys_auditentry_changelist"), "#result_list"),
    ]


@pytest.mark.parametrize("width", [390, 360])
def test_it_never_scrolls_a_page_sideways_at_phone_width(phone, world, screenshot_dir, width):
    phone.set_viewport_size({"width": width, "height": PHONE["height"]})
    overflowing = {}
    for name, address, ready in pages(world):
        phone.goto(address)
        if ready:
            expect(phone.locator(ready).first).to_be_attached()
        measured = phone.evaluate(OVERFLOW)
        if measured["scrollWidth"] > measured["clientWidth"]:
            overflowing[name] = measured
        if not os.environ.get("BIZFLOW_SCREENSHOTS"):  # for a look by eye; the README takes only a few
            phone.screenshot(path=screenshot_dir / f"phone-check-{width}-{name}.png", full_page=True)
    assert not overflowing, f"pages that scroll sideways at {width} px: {overflowing}"


def test_it_shows_the_login_page_whole(browser, live_server, world):
    context = browser.new_context(viewport=PHONE, base_url=live_server.url)
    page = context.new_page()
    page.goto("/accounts/login/")
    measured = page.evaluate(OVERFLOW)
    assert measured["scrollWidth"] <= measured["clientWidth"], measured
    expect(page.get_by_role("button", name="Log in")).to_be_in_viewport()
    context.close()


def test_it_folds_the_top_bar_into_a_menu_that_works_without_javascript(browser, live_server, world):
    context = browser.new_context(viewport=PHONE, base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("pat")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    destinations = page.get_by_role("navigation", name="Main").get_by_role("link", name="Destinations")
    expect(destinations).to_be_hidden()
    page.locator("summary", has_text="Menu").click()
    expect(destinations).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_be_in_viewport()
    destinations.click()
    expect(page.get_by_role("heading", name="Destinations", exact=True)).to_be_visible()
    context.close()


def test_it_keeps_save_and_a_forecast_within_reach_in_the_editor(phone, world, screenshot_dir):
    phone.goto(reverse("journey_edit", args=[world["retail"].slug]))
    title = phone.locator(".editor-bar h1")
    assert title.bounding_box()["width"] > 150  # the journey's name is readable, not squeezed to nothing
    phone.locator("#section-incidents").scroll_into_view_if_needed()
    save = phone.locator(".sticky-forecast").get_by_role("button", name="Save")
    expect(save).to_be_in_viewport()
    compact = phone.locator("#sticky-forecast")
    expect(compact).to_be_in_viewport()
    expect(compact).to_contain_text("304,918")
    # The compact forecast follows the form as the full one does.
    phone.fill("#id_journeys_per_day", "1200")
    expect(compact).to_contain_text("1,200")
    phone.locator("#section-steps").scroll_into_view_if_needed()
    if os.environ.get("BIZFLOW_SCREENSHOTS"):
        phone.evaluate("window.scrollTo(0, 0)")
        phone.fill("#id_journeys_per_day", "304918")
        expect(compact).to_contain_text("304,918")
        phone.screenshot(path=screenshot_dir / "phone-editor.png")


def test_it_draws_the_flow_graph_at_a_readable_size_in_its_own_scrolling_box(phone, world, screenshot_dir):
    phone.goto(reverse("journey_preview", args=[world["retail"].slug]))
    graph = phone.locator("svg.flow")
    scale = graph.evaluate("svg => svg.getBoundingClientRect().width / svg.viewBox.baseVal.width")
    smallest = graph.evaluate(
        "svg => Math.min(...[...svg.querySelectorAll('text')].map(t => parseFloat(getComputedStyle(t).fontSize)))"
    )
    assert smallest * scale >= 11
    box = phone.locator(".flow-wrap")
    assert box.evaluate("el => el.scrollWidth > el.clientWidth && getComputedStyle(el).overflowX === 'auto'")
    if os.environ.get("BIZFLOW_SCREENSHOTS"):
        phone.screenshot(path=screenshot_dir / "phone-preview.png")
        phone.goto(reverse("journey_list"))
        phone.screenshot(path=screenshot_dir / "phone-journeys.png")
