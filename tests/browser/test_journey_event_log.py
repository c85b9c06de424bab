"""An analyst downloads a process-mining log from the journey page, in a real browser: the Event log tab
loads its form, and the download is the engine's log for the window chosen."""

import gzip
from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from journeys.engine.eventlog import log_chunks
from journeys.selectors.journeys import journey_to_spec
from journeys.services.imports import journey_import_text

from ..views.conftest import EXAMPLES

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_it_downloads_the_log_for_the_chosen_window_from_the_tab(page, screenshot_dir):
    analyst = get_user_model().objects.create_user("ana", password="ana-password")
    journey = journey_import_text(text=(EXAMPLES / "retail-order-delivery.json").read_text(), owner=analyst)
    page.goto("/")
    page.get_by_label("Username").fill("ana")
    page.get_by_label("Password").fill("ana-password")
    page.get_by_role("button", name="Log in").click()

    page.goto(f"/journeys/{journey.slug}/#eventlog")
    form = page.locator("#event-log-form")
    expect(form).to_be_visible()
    form.get_by_label("Journeys starting from (UTC)").fill("2026-11-02T06:00")
    form.get_by_label("Up to (UTC, excluded)").fill("2026-11-02T08:00")
    form.get_by_label("Format").select_option("csv")
    form.get_by_label("Compress with gzip").check()
    page.screenshot(path=str(screenshot_dir / "journey-event-log.png"))
    with page.expect_download() as download:
        form.get_by_role("button", name="Download the event log").click()

    assert download.value.suggested_filename == f"{journey.slug}-20261102T0600-20261102T0800.csv.gz"
    body = gzip.decompress(open(download.value.path(), "rb").read())
    start, end = datetime(2026, 11, 2, 6, tzinfo=UTC), datetime(2026, 11, 2, 8, tzinfo=UTC)
    assert body == b"".join(log_chunks(journey_to_spec(journey), start, end, "csv"))
    assert body.startswith(b"case_id,activity,timestamp,")
