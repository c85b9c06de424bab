"""Pages that read at a glance: the preview's weekdays, the editor's hours, counts and times written one way."""

import re
from dataclasses import replace
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from journeys.engine.forecast import forecast
from journeys.models import Destination, JourneyDestination, Run
from journeys.preview import weekday_rows
from journeys.selectors.journeys import journey_to_spec
from journeys.services.destinations import destination_attach, destination_create
from journeys.services.tenancy import tenant_default_for_user

from .pages import surrounding_text


def block(html: str, marker: str, end: str = "</tr>") -> str:
    """The text from ``marker`` to the next ``end``, tags dropped."""
    start = html.index(marker)
    return " ".join(re.sub(r"<[^>]+>", " ", html[start : html.index(end, start)]).split())


def test_the_preview_shows_the_weekday_weights_and_each_days_journeys(alice_client, retail):
    retail.weekday_weights = [1, 1, 1, 1, 2, 0.5, 0.5]
    retail.save()

    html = alice_client.get(reverse("journey_preview", args=[retail.slug])).content.decode()

    friday = block(html, 'data-day="Friday"')
    assert "Friday" in friday and " 2 " in f" {friday} " and "1,200" in friday  # 600 × 2 / mean 1
    assert "Sunday" in html and "300" in block(html, 'data-day="Sunday"')


def test_its_weekdays_average_to_the_journeys_per_day_as_the_forecast_does():
    from journeys.engine.jsonformat import loads

    from .conftest import EXAMPLES

    spec = replace(loads((EXAMPLES / "retail-order-delivery.json").read_text()), weekday_weights=(3, 1, 1, 1, 1, 0, 0))
    rows = weekday_rows(spec)

    assert [row.day for row in rows][0] == "Monday" and rows[5].journeys == 0
    assert sum(row.journeys for row in rows) / 7 == pytest.approx(forecast(spec).journeys_per_day)
    flat = weekday_rows(replace(spec, weekday_weights=(0,) * 7))
    assert {row.journeys for row in flat} == {spec.journeys_per_day}


def test_the_editor_labels_its_hour_inputs_as_hours(alice_client, retail):
    html = alice_client.get(reverse("journey_edit", args=[retail.slug])).content.decode()

    assert '<label for="id_hour_0">00h<span class="sr-only"> (weight of the hour from 00:00)</span></label>' in html
    assert '<label for="id_hour_23">23h' in html and "Delay (hours)" in html


def test_counts_and_times_read_one_way_in_the_delivery_panel(alice_client, alice, retail):
    tenant = tenant_default_for_user(alice)
    files = destination_create(owner=alice, tenant=tenant, name="Files", kind="file", config={})
    fresh = destination_create(owner=alice, tenant=tenant, name="Fresh", kind="file", config={})
    pair = destination_attach(journey=retail, destination=files)
    destination_attach(journey=retail, destination=fresh)
    Destination.objects.filter(pk=files.pk).update(last_success_at=timezone.now())
    Run.objects.create(
        journey_destination=pair,
        started_at=timezone.now() - timedelta(seconds=20),
        events_generated=304_918,
        delivered=304_918,
        outcome=Run.Outcome.SUCCESS,
    )

    html = alice_client.get(reverse("journey_delivery", args=[retail.slug]), HTTP_HX_REQUEST="true").content.decode()

    assert "304,918 events delivered" in html and '<td class="num">304,918</td>' in html
    files_row = block(html, f'id="delivery-{pair.pk}"')
    fresh_row = block(html, f'id="delivery-{JourneyDestination.objects.get(destination=fresh).pk}"')
    assert "just now" in files_row and "0 minutes" not in html
    assert "nothing delivered yet" in fresh_row and "never" not in fresh_row and " ago" not in fresh_row
    assert " UTC" in html  # the run's start, to the second, saying UTC


def test_the_editor_and_the_preview_show_revenue_the_same_way(alice_client, retail):
    spec = journey_to_spec(retail)
    fc = forecast(spec)
    from journeys import formatting as fmt

    editor = alice_client.get(reverse("journey_edit", args=[retail.slug])).content.decode()
    preview = alice_client.get(reverse("journey_preview", args=[retail.slug])).content.decode()

    shown = fmt.money(fc.revenue_per_day)
    label = f"{spec.revenue.label}/day"
    assert shown in surrounding_text(editor, "summary-revenue", ("div",)) and label in editor
    assert shown in block(preview, 'data-kpi="revenue"', "</div>") and label in preview
