"""Reading and acting at a glance, in Chromium: delay inputs that show "0.05" whole, the journey list
filtered as you type, and detaching or removing a member asked for in place before it happens."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import expect

from journeys.models import JourneyDestination, Membership
from journeys.services.destinations import destination_attach, destination_create
from journeys.services.imports import journey_import_text
from journeys.services.tenancy import invitation_accept, invitation_create, tenant_create

from ..views.conftest import EXAMPLES

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PASSWORD = "a long enough password"

# The width the input's value takes in the input's own font, against the room inside the input.
TEXT_FITS = """input => {
  const style = getComputedStyle(input);
  const context = document.createElement('canvas').getContext('2d');
  context.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return {text: context.measureText(input.value).width, room};
}"""


@pytest.fixture
def owner(transactional_db, settings, tmp_path):
    settings.BIZFLOW_EVENTS_DIR = tmp_path
    olga = get_user_model().objects.create_user("olga", password=PASSWORD)
    sam = get_user_model().objects.create_user("sam", password=PASSWORD)
    acme = tenant_create(name="Acme", owner=olga)
    invitation_accept(invitation=invitation_create(tenant=acme, user=sam, role="viewer", actor=olga), user=sam)
    retail = journey_import_text(text=(EXAMPLES / "retail-order-delivery.json").read_text(), owner=olga, tenant=acme)
    journey_import_text(text=(EXAMPLES / "travel-booking.json").read_text(), owner=olga, tenant=acme)
    files = destination_create(owner=olga, tenant=acme, name="Local files", kind="file", config={})
    destination_attach(journey=retail, destination=files, actor=olga)
    return {"acme": acme, "retail": retail, "sam": sam}


def log_in(page) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("olga")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Journeys", exact=True)).to_be_visible()


@pytest.mark.parametrize("width", [1440, 390])
def test_delay_inputs_show_a_value_like_0_05_whole(browser, live_server, owner, width):
    context = browser.new_context(viewport={"width": width, "height": 900}, base_url=live_server.url)
    page = context.new_page()
    log_in(page)
    page.goto(reverse("journey_edit", args=[owner["retail"].slug]))
    for field in ("min_delay_hours", "max_delay_hours"):
        delay = page.locator(f"#id_steps-1-{field}")
        delay.fill("0.05")
        measured = delay.evaluate(TEXT_FITS)
        assert measured["text"] <= measured["room"], f"{field} at {width} px: {measured}"
    context.close()


def test_the_list_filters_as_you_type(page, owner):
    log_in(page)
    rows = page.locator("table.journeys tbody tr")
    expect(rows).to_have_count(2)

    page.get_by_label("Search").fill("skyway")  # the travel journey's event provider
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Flight booking")
    expect(page).to_have_url("/?q=skyway&state=")

    page.get_by_label("Search").fill("")
    page.get_by_label("State").select_option(label="Draft")
    expect(rows).to_have_count(2)
    page.get_by_label("Search").fill("nothing like this")
    expect(page.get_by_role("heading", name="No journey matches")).to_be_visible()


def test_detaching_asks_in_the_row_first(page, owner):
    log_in(page)
    page.goto(reverse("journey_edit", args=[owner["retail"].slug]) + "#delivery")
    panel = page.locator("#delivery-panel")
    panel.get_by_role("link", name="Detach…").click()
    question = panel.get_by_role("alertdialog")
    expect(question).to_contain_text("Stop delivering")
    question.get_by_role("link", name="Cancel").click()
    expect(panel.get_by_role("alertdialog")).to_have_count(0)
    assert JourneyDestination.objects.get().active

    panel.get_by_role("link", name="Detach…").click()
    panel.get_by_role("alertdialog").get_by_role("button", name="Detach").click()
    expect(panel.locator("tr", has_text="Local files")).to_contain_text("Detached")
    assert not JourneyDestination.objects.get().active


def test_removing_a_member_asks_in_the_row_first(page, owner):
    log_in(page)
    page.goto(reverse("team"))
    row = page.locator("#member-acme-sam")
    row.get_by_role("link", name="Remove…").click()
    expect(page.get_by_role("alertdialog")).to_contain_text("Remove sam from Acme?")
    page.get_by_role("alertdialog").get_by_role("link", name="Cancel").click()
    expect(page.locator("#member-acme-sam").get_by_role("link", name="Remove…")).to_be_visible()

    page.locator("#member-acme-sam").get_by_role("link", name="Remove…").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Remove").click()
    expect(page.get_by_text("sam is no longer a member of Acme.")).to_be_visible()
    assert not Membership.objects.filter(user=owner["sam"]).exists()
