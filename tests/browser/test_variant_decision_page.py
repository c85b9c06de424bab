"""A variant marked as a decision in a real browser: reached from the journey's Decisions tab, its sample
follows what is typed, and saving sets the variant up."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from journeys.engine.jsonformat import JourneyDocument, dumps_document
from journeys.models import DecisionSettings
from journeys.services.imports import journey_import_text

from ..engine.test_decisions_variants import branching_loan

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_it_sets_up_a_decision_variant_from_the_decisions_tab(page, screenshot_dir):
    owner = get_user_model().objects.create_user("dora", password="dora-password")
    journey = journey_import_text(text=dumps_document(JourneyDocument(branching_loan(), "")), owner=owner)
    page.goto("/")
    page.get_by_label("Username").fill("dora")
    page.get_by_label("Password").fill("dora-password")
    page.get_by_role("button", name="Log in").click()

    page.goto(f"/journeys/{journey.slug}/#decisions")
    row = page.locator("#decisions tr", has_text="Loan decision: Automated")
    expect(row).to_contain_text("Not set up yet")
    row.get_by_role("link", name="Edit decision settings").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Decision settings: Loan decision: Automated")
    page.get_by_label("Decision operation").fill("approveLoan")
    expect(page.locator("#live-sample")).to_contain_text('"decisionOperation": "approveLoan"')
    page.get_by_role("button", name="Save decision settings").click()

    expect(page.get_by_text("Saved the decision settings of “Loan decision: Automated”")).to_be_visible()
    settings = DecisionSettings.objects.get(step__journey=journey)
    assert settings.variant.name == "Automated" and settings.decision_operation == "approveLoan"
    page.screenshot(path=str(screenshot_dir / "decision-variant-settings.png"), full_page=True)
