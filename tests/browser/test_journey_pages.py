"""A new user's first session, in a real browser: design a journey, fix a mistake, read the preview,
import the reference generator's config.js."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from journeys import formatting as fmt
from journeys.engine.forecast import forecast
from journeys.models import Journey
from journeys.selectors.journeys import journey_to_spec

from ..views.conftest import EXAMPLES

pytestmark = [pytest.mark.browser, pytest.mark.slow]

STEPS = [
    # name, drop-off %, min delay h, max delay h, max loops, optional %
    ("Add to cart", None, None, None, None, None),
    ("Enter address", "10", "0.05", "0.2", "1", ""),
    ("Payment attempted", "5", "0.01", "0.1", "3", ""),
    ("Apply voucher", "0", "0.01", "0.05", "1", "30"),
    ("Order confirmed", "2", "0.01", "0.1", "1", ""),
]


def log_in(page, username: str) -> None:
    get_user_model().objects.create_user(username, password="a long enough password")
    page.goto("/")
    expect(page).to_have_url("/accounts/login/?next=/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("a long enough password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="No journeys yet")).to_be_visible()
    # A user in no tenant creates a workspace of their own on purpose before designing anything.
    expect(page.get_by_role("link", name="New journey")).to_have_count(0)
    page.get_by_role("link", name="Create a workspace of your own…").first.click()
    page.get_by_role("button", name="Create my workspace").click()
    expect(page.get_by_role("link", name="New journey").first).to_be_visible()


def fill_step(page, index: int, name, drop, low, high, loops, optional) -> None:
    page.fill(f"#id_steps-{index}-name", name)
    for field, value in [("drop_off_pct", drop), ("min_delay_hours", low), ("max_delay_hours", high)]:
        if value is not None:
            page.fill(f"#id_steps-{index}-{field}", value)
    if loops is not None:
        page.fill(f"#id_steps-{index}-max_loops", loops)
        page.fill(f"#id_steps-{index}-optional_pct", optional)


def design_checkout(page) -> None:
    page.get_by_role("link", name="New journey").first.click()
    page.get_by_label("Name", exact=True).fill("Web shop checkout")
    page.get_by_label("Event provider").fill("acme.shop")
    for index, step in enumerate(STEPS):
        if index >= 2:
            page.get_by_role("button", name="+ Add step").click()
            expect(page.locator(f"#id_steps-{index}-name")).to_be_focused()  # a new row takes the keyboard
        fill_step(page, index, *step)
    expect(page.locator("#type-hint-0")).to_have_text("Sent as add.to.cart")
    page.get_by_label("Step 3 carries Location").check()
    # The voucher comes before the payment: move it up one place.
    page.get_by_role("button", name="Move step 4 up").click()
    expect(page.locator("#id_steps-2-name")).to_have_value("Apply voucher")
    expect(page.locator("#id_steps-3-name")).to_have_value("Payment attempted")
    page.get_by_role("button", name="+ Add error").click()
    page.select_option("#id_errors-0-step", label="4. Payment attempted")
    page.fill("#id_errors-0-name", "card.declined")
    page.fill("#id_errors-0-pct", "8")
    page.get_by_role("button", name="+ Add location").click()
    page.fill("#id_locations-0-value", "Berlin")


def test_it_takes_a_new_user_from_an_empty_list_to_a_previewed_journey(page, screenshot_dir):
    log_in(page, "dana")
    design_checkout(page)
    # The live summary follows the unsaved form.
    expect(page.locator("#summary-journeys")).to_have_text("600")
    expect(page.locator("#summary-errors")).not_to_have_text("0")

    # A mistake: the voucher's delay runs backwards. Nothing is saved, the error sits beside the field.
    page.fill("#id_steps-2-min_delay_hours", "2")
    page.get_by_role("button", name="Create journey").click()
    expect(page.locator("#problems")).to_contain_text("Not saved: 1 problem to fix.")
    cell = page.locator("td", has=page.locator("#id_steps-2-min_delay_hours"))
    expect(cell.locator(".errorlist")).to_have_text("Must not be above the max delay.")
    expect(page.get_by_label("Name", exact=True)).to_have_value("Web shop checkout")
    expect(page.locator("#id_errors-0-name")).to_have_value("card.declined")
    assert not Journey.objects.exists()

    page.locator("#problems").get_by_role("link", name="Step 3 (Apply voucher) · Min delay (h)").click()
    expect(page.locator("#id_steps-2-min_delay_hours")).to_be_in_viewport()
    page.fill("#id_steps-2-min_delay_hours", "0.01")
    page.get_by_role("button", name="Create journey").click()
    expect(page.locator(".message.success")).to_contain_text("Saved “Web shop checkout”.")
    journey = Journey.objects.get()
    types = ["add.to.cart", "enter.address", "apply.voucher", "payment.attempted", "order.confirmed"]
    assert [step.event_type for step in journey.steps.all()] == types

    page.get_by_role("link", name="Preview", exact=True).click()
    expect(page.get_by_role("heading", name="Business flow")).to_be_visible()
    fc = forecast(journey_to_spec(journey))
    for step in fc.steps:
        node = page.locator(f'.flow-node[data-step="{step.index}"] .node-count')
        expect(node).to_have_text(f"{fmt.count(step.share_with_event * fc.journeys_per_day)} /day")
    expect(page.locator(".flow-end .node-count")).to_have_text(f"{fmt.count(fc.completed_per_day)} /day")
    expect(page.locator('.bypass[data-step="2"] .bypass-label')).to_have_text(
        f"skip 70.0% · {fmt.count(fc.steps[2].journeys_per_day * 0.7)}/day"
    )
    expect(page.locator('.loop[data-step="3"] .loop-label')).to_have_text("↻ ×2.0 avg · max 3")
    expect(page.locator('.error-badge[data-step="3"]')).to_contain_text(f"{fmt.count(fc.errors_per_day)} errors/day")
    expect(page.locator('[data-kpi="completion"] dd')).to_have_text(fmt.pct(fc.completion_share))
    expect(page.locator(".sample-journey")).to_have_count(3)
    expect(page.locator(".sample-journey").first).to_contain_text('"event.type": "add.to.cart"')


def test_it_imports_the_reference_config_js(page, screenshot_dir):
    log_in(page, "erin")
    page.get_by_role("link", name="Import a file").click()
    config = (EXAMPLES / "retail-order-delivery.config.js").read_text()
    page.get_by_label("Paste the file's content").fill(config)
    page.get_by_role("button", name="Import journey").click()
    expect(page.locator(".message.success")).to_contain_text("Imported “[RETAIL] eCommerce order delivery”.")
    expect(page.locator("tr.step-row")).to_have_count(7)
    expect(page.locator("#id_steps-5-optional_pct")).to_have_value("40")
    expect(page.locator("#summary-completion")).not_to_be_empty()
    top = {"x": 0, "y": 0, "width": 1440, "height": 1480}  # basics, steps and the live preview
    page.screenshot(path=screenshot_dir / "editor.png", full_page=True, clip=top)

    page.get_by_role("link", name="Preview", exact=True).click()
    expect(page.locator(".flow-node")).to_have_count(7)
    expect(page.locator(".sample-journey")).to_have_count(3)
    page.screenshot(path=screenshot_dir / "preview.png", full_page=True)


def test_it_deletes_a_journey_after_asking_in_place(page):
    log_in(page, "fay")
    page.get_by_role("link", name="Import a file").click()
    page.get_by_label("Paste the file's content").fill((EXAMPLES / "travel-booking.json").read_text())
    page.get_by_role("button", name="Import journey").click()
    page.get_by_role("link", name="Journeys", exact=True).click()
    page.get_by_role("link", name="Delete…").click()
    expect(page.locator(".confirm")).to_contain_text("This cannot be undone.")
    page.locator(".confirm").get_by_role("button", name="Delete").click()
    expect(page.get_by_role("heading", name="No journeys yet")).to_be_visible()
    expect(page.locator(".message.success")).to_contain_text("Deleted")
    assert not Journey.objects.exists()
