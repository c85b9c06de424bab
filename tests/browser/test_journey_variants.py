"""A journey that branches, in a real browser: built from scratch in the editor (a step with two variants,
one of them an end state with a long-tailed delay on the other, a daily surge), read in the preview,
exported and imported back unchanged."""

import json

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from journeys import formatting as fmt
from journeys.engine.forecast import forecast
from journeys.models import Journey
from journeys.selectors.journeys import journey_to_spec

from .test_journey_pages import log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def design_loan(page) -> None:
    page.get_by_role("link", name="New journey").first.click()
    page.get_by_label("Name", exact=True).fill("Loan applications")
    page.get_by_label("Event provider").fill("acme.loans")
    page.fill("#id_steps-0-name", "Application received")
    page.fill("#id_steps-1-name", "Decision")
    page.fill("#id_steps-1-drop_off_pct", "2")
    # The decision goes two ways: approved after a long-tailed wait, or rejected, which ends the journey.
    page.get_by_role("button", name="Offer variants at step 2").click()
    expect(page.locator("tr.variant-row")).to_have_count(2)
    page.fill("#id_variants-0-name", "Approved")
    page.fill("#id_variants-0-weight", "80")
    page.fill("#id_variants-0-min_delay_hours", "0.5")
    page.fill("#id_variants-0-max_delay_hours", "48")
    page.select_option("#id_variants-0-delay_shape", "lognormal")
    page.fill("#id_variants-1-name", "Rejected")
    page.fill("#id_variants-1-weight", "20")
    page.get_by_label("Variant 2b Ends journey").check()
    expect(page.locator("#type-hint-variants-1")).to_have_text("Sent as decision.rejected")
    # A third way tried and thrown away again: the two that stay keep their values.
    page.get_by_role("button", name="+ Add variant to step 2").click()
    expect(page.locator("#id_variants-2-name")).to_be_focused()
    page.get_by_role("button", name="Remove Variant 2c").click()
    expect(page.locator("tr.variant-row")).to_have_count(2)
    expect(page.locator("#id_variants-0-max_delay_hours")).to_have_value("48")
    page.get_by_role("button", name="+ Add step").click()
    page.fill("#id_steps-2-name", "Paid out")
    page.get_by_role("button", name="+ Add error").click()
    page.select_option("#id_errors-0-step", label="2. Decision · Approved")
    page.fill("#id_errors-0-name", "scoring.timeout")
    page.fill("#id_errors-0-pct", "3")
    page.get_by_role("button", name="+ Add surge").click()
    page.fill("#id_surges-0-multiplier", "3")
    page.fill("#id_surges-0-daily_start_hour", "9")
    page.fill("#id_surges-0-daily_end_hour", "11")


def test_it_builds_a_branching_journey_previews_it_and_exports_and_imports_it_unchanged(page, screenshot_dir):
    log_in(page, "gus")
    design_loan(page)
    # The live summary follows as you type: each variant's share and every way a journey ends.
    endings = page.locator("#summary-endings")
    expect(endings).to_contain_text("Ended at Rejected")
    expect(endings).to_contain_text("Failed with decision.approved.scoring.timeout")
    expect(page.locator("#live-summary .funnel-variants li").first).to_contain_text("80.0%")
    page.fill("#id_variants-1-weight", "25")
    expect(page.locator("#share-variants-1")).to_have_text("23.8%")
    page.fill("#id_variants-1-weight", "20")
    expect(page.locator("#live-summary .funnel-variants li").first).to_contain_text("80.0%")
    page.locator("#section-steps").screenshot(path=screenshot_dir / "editor-variants.png")

    page.get_by_role("button", name="Create journey").click()
    expect(page.locator(".message.success")).to_contain_text("Saved “Loan applications”.")
    journey = Journey.objects.get()
    spec = journey_to_spec(journey)
    decision = spec.steps[1]
    assert [(v.name, v.event_type, v.weight, v.ends_journey) for v in decision.variants] == [
        ("Approved", "decision.approved", 80, False),
        ("Rejected", "decision.rejected", 20, True),
    ]
    assert decision.variants[0].delay_shape == "lognormal" and decision.variants[0].max_delay_hours == 48
    assert spec.surges[0].multiplier == 3 and spec.surges[0].daily_start_hour == 9
    assert (spec.errors[0].step, spec.errors[0].variant) == (1, 0)

    page.get_by_role("link", name="Preview", exact=True).click()
    fc = forecast(spec)
    expect(page.locator(".flow-variant")).to_have_count(2)
    approved = page.locator('.flow-variant[data-step="1"][data-variant="0"]')
    expect(approved.locator(".variant-count")).to_have_text(
        f"{fmt.count(fc.steps[1].variants[0].journeys_per_day)} /day"
    )
    expect(approved).to_contain_text("80.0% of the step")
    expect(page.locator(".flow-end-state")).to_contain_text("■ ends the journey")
    rows = page.locator("#endings tbody tr")
    expect(rows).to_have_count(len([o for o in fc.outcomes if o.share > 0]))
    ended = next(o for o in fc.outcomes if o.kind == "ended")
    expect(page.locator("#endings tr.ending-ended")).to_contain_text(fmt.pct(ended.share))
    expect(page.locator("svg.hours .surge")).to_contain_text("×3")
    page.locator(".flow-card").screenshot(path=screenshot_dir / "preview-variants.png")

    page.get_by_role("link", name="Edit", exact=True).click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Export", exact=True).click()
    exported = download.value.path().read_text()
    assert json.loads(exported)["version"] == 2

    page.goto(reverse("journey_import"))
    page.get_by_label("Paste the file's content").fill(exported)
    page.get_by_role("button", name="Import journey").click()
    # The same provider as the journey it came from: keep it, so that the file comes back unchanged.
    expect(page.locator("#provider-clash")).to_contain_text("already sends events as acme.loans")
    page.get_by_role("button", name="Keep acme.loans").click()
    expect(page.locator(".message.success")).to_contain_text("Imported “Loan applications”.")
    expect(page.locator("tr.variant-row")).to_have_count(2)
    expect(page.locator("#id_variants-1-ends_journey")).to_be_checked()
    imported = Journey.objects.exclude(pk=journey.pk).get()
    with page.expect_download() as download:
        page.get_by_role("link", name="Export", exact=True).click()
    assert json.loads(download.value.path().read_text()) == json.loads(exported)
    assert journey_to_spec(imported) == spec
