"""A decision step's settings in a real browser: the imported loan example's settings all show, a template
with an unknown placeholder is refused beside its field, and edited runtime nodes and outputs are saved."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from journeys.models import DecisionSettings
from journeys.services.imports import journey_import_text

from ..views.conftest import EXAMPLES

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_it_edits_every_decision_setting_and_explains_a_wrong_template_beside_it(page, screenshot_dir):
    owner = get_user_model().objects.create_user("dora", password="dora-password")
    journey = journey_import_text(text=(EXAMPLES / "loan-validation.json").read_text(), owner=owner)
    page.goto("/")
    page.get_by_label("Username").fill("dora")
    page.get_by_label("Password").fill("dora-password")
    page.get_by_role("button", name="Log in").click()

    page.goto(f"/journeys/{journey.slug}/decisions/loan.decided/")
    nodes = page.get_by_label("Runtime nodes")
    expect(nodes).to_have_value(
        "worker0.mycluster.mycompany.com, 2\nworker1.mycluster.mycompany.com, 1\nworker2.mycluster.mycompany.com, 1"
    )
    expect(page.get_by_label("Output when approved")).to_have_value('"PASSED(mySimple02CustomerDecision)"')
    nodes.fill("edge-1.example, 1")
    page.get_by_label("Output when rejected").fill('{"reason": "$why"}')
    page.get_by_role("button", name="Save decision settings").click()

    field = page.locator(".field.has-error", has=page.get_by_label("Output when rejected"))
    expect(field).to_contain_text("unknown placeholder $why")
    page.screenshot(path=str(screenshot_dir / "decision-settings-error.png"), full_page=True)
    page.get_by_label("Output when rejected").fill('{"reason": "$rule", "outcome": "$outcome"}')
    page.get_by_role("button", name="Save decision settings").click()

    expect(page.get_by_text("Saved the decision settings")).to_be_visible()
    expect(page.locator("#live-sample")).to_contain_text("edge-1.example")
    settings = DecisionSettings.objects.get(step__journey=journey)
    assert settings.runtime_nodes == [{"name": "edge-1.example", "weight": 1.0}]
    assert settings.output_rejected == {"reason": "$rule", "outcome": "$outcome"}
    page.screenshot(path=str(screenshot_dir / "decision-settings.png"), full_page=True)
