"""The Content-Security-Policy in a real browser: the editor, its htmx row actions, the delivery panel
and the preview work under it, and the browser reports no violation (no inline script or style)."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from journeys.services.imports import journey_import_text
from journeys.services.tenancy import tenant_create

from ..views.conftest import EXAMPLES

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LISTEN = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


def test_it_runs_the_editor_and_htmx_with_no_policy_violation(page):
    user = get_user_model().objects.create_user("alice", password="a long enough password")
    acme = tenant_create(name="Acme", owner=user)
    journey = journey_import_text(text=(EXAMPLES / "retail-order-delivery.json").read_text(), owner=user, tenant=acme)
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(LISTEN)

    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("a long enough password")
    page.get_by_role("button", name="Log in").click()
    response = page.goto(f"/journeys/{journey.slug}/")
    steps = page.locator("[id^='id_steps-'][id$='-name']")
    before = steps.count()
    page.get_by_role("button", name="+ Add step").click()  # an htmx row action: the editor body is swapped
    expect(steps).to_have_count(before + 1)
    expect(page.locator("#delivery")).to_contain_text("Activate", timeout=15_000)  # the panel loaded by htmx
    page.goto(f"/journeys/{journey.slug}/preview/")
    expect(page.locator("svg").first).to_be_visible()

    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy and "unsafe-inline" not in policy
    assert page.evaluate("window.cspViolations") == []
    assert not [text for text in console if "Content Security Policy" in text], console
