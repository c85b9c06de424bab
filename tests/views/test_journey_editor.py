import json
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from journeys.engine.forecast import forecast
from journeys.engine.jsonformat import loads
from journeys.forms.convert import values_from_spec
from journeys.models import Journey
from journeys.selectors.journeys import journey_to_spec
from journeys.services.tenancy import tenant_create

from .conftest import EXAMPLES, editor_data, export_of
from .pages import count, element, surrounding_text, value_of

HTMX = {"HTTP_HX_REQUEST": "true"}


def edit_url(journey):
    return reverse("journey_edit", args=[journey.slug])


def test_it_shows_every_section_with_the_stored_values(alice_client, retail):
    response = alice_client.get(edit_url(retail))
    html = response.content.decode()
    assert response.status_code == 200
    assert count(html, "step-row") == 7
    assert value_of(html, "id_steps-2-name") == "Item picked"
    assert value_of(html, "id_steps-2-max_loops") == "3"
    assert value_of(html, "id_steps-5-optional_pct") == "40"
    assert value_of(html, "id_locations-0-value") == "London"
    assert value_of(html, "id_hour_11") == "10"
    sections = ("basics", "steps", "errors", "locations", "segments", "revenue", "hosts", "hours", "weekdays")
    for section in (*sections, "incidents", "attributes"):
        element(html, f"section-{section}")
    assert "<datalist" in html and '<option value="Europe/London">' in html


def test_it_saves_an_edit_and_comes_back_to_the_editor(alice_client, retail):
    data = editor_data(retail, name="Retail v2", **{"steps-1-drop_off_pct": "7.5"})
    response = alice_client.post(edit_url(retail), data)
    assert response.status_code == 302 and response.url == edit_url(retail)
    retail.refresh_from_db()
    assert retail.name == "Retail v2"
    assert retail.steps.get(position=1).drop_off_pct == 7.5
    assert retail.steps.count() == 7 and retail.errors.get().step.event_type == "order.shipped"


def test_it_shows_each_error_next_to_its_field_and_keeps_what_was_typed(alice_client, retail):
    data = editor_data(
        retail,
        name="Retail, renamed",
        **{
            "steps-2-drop_off_pct": "150",  # Django's range check
            "steps-3-min_delay_hours": "3",  # the engine's check: min above max
            "steps-4-event_type": "place.order",  # the engine's check: a type used twice
            "locations-1-weight": "lots",
        },
    )
    response = alice_client.post(edit_url(retail), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "less than or equal to 100" in surrounding_text(html, "id_steps-2-drop_off_pct")
    assert "Must not be above the max delay." in surrounding_text(html, "id_steps-3-min_delay_hours")
    assert "already used by step 1" in surrounding_text(html, "id_steps-4-event_type")
    assert "Enter a number" in surrounding_text(html, "id_locations-1-weight")
    assert "Not saved: 4 problems to fix." in html
    assert value_of(html, "id_name") == "Retail, renamed"
    assert value_of(html, "id_steps-2-drop_off_pct") == "150"
    assert value_of(html, "id_locations-1-weight") == "lots"
    assert 'href="#id_steps-3-min_delay_hours"' in html  # the list atop the form links to the field


def test_it_saves_nothing_when_any_part_is_invalid(alice_client, retail):
    before = export_of(retail)
    data = editor_data(retail, name="Changed", **{"steps-1-drop_off_pct": "3", "errors-0-pct": "101"})
    alice_client.post(edit_url(retail), data)
    retail.refresh_from_db()
    assert export_of(retail) == before


def test_it_places_journey_wide_errors_in_their_section(alice_client, retail):
    data = editor_data(retail, revenue_field="", **{"errors-0-pct": "60"})
    data.update({"errors-TOTAL_FORMS": "2", "errors-INITIAL_FORMS": "2"})
    data.update({"errors-1-step": "s5", "errors-1-name": "late", "errors-1-pct": "50"})
    html = alice_client.post(edit_url(retail), data).content.decode()
    revenue_section = surrounding_text(html, "h-revenue", ("section",))
    assert "Steps carry revenue but no revenue field is set." in revenue_section
    assert "add up to 110, above 100" in surrounding_text(html, "h-errors", ("section",))


def test_it_adds_a_step_row_as_a_fragment_without_saving(alice_client, retail):
    response = alice_client.post(edit_url(retail), editor_data(retail, _action="add:steps"), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and html.lstrip().startswith('<div id="editor-body"')
    assert count(html, "step-row") == 8
    assert "autofocus" in str(element(html, "id_steps-7-name"))
    assert json.loads(response["HX-Trigger-After-Settle"]) == {"journeyChanged": {}}
    assert retail.steps.count() == 7


def test_it_removes_a_step_with_its_errors(alice_client, retail):
    shipped = 4  # "Order shipped" carries the journey's only error
    response = alice_client.post(edit_url(retail), editor_data(retail, _action=f"remove:steps:{shipped}"), **HTMX)
    html = response.content.decode()
    assert count(html, "step-row") == 6
    assert "Order shipped" not in html
    assert 'name="errors-TOTAL_FORMS" value="0"' in html
    assert retail.steps.count() == 7


def test_it_moves_a_step_up_and_its_error_moves_with_it(alice_client, retail):
    response = alice_client.post(edit_url(retail), editor_data(retail, _action="up:steps:4"), **HTMX)
    html = response.content.decode()
    assert value_of(html, "id_steps-3-name") == "Order shipped"
    assert value_of(html, "id_steps-4-name") == "Order packed"
    selected = [
        dict(option.attributes)["value"]
        for option in element(html, "id_errors-0-step").children
        if "selected" in dict(option.attributes)
    ]
    assert selected == [value_of(html, "id_steps-3-key")]


def test_it_renders_the_whole_page_for_a_row_action_without_javascript(alice_client, retail):
    response = alice_client.post(edit_url(retail), editor_data(retail, _action="add:locations"))
    html = response.content.decode()
    assert "<html" in html and "HX-Trigger-After-Settle" not in response
    assert value_of(html, "id_locations-10-weight") == "1"


def test_it_refreshes_the_live_summary_from_unsaved_values(alice_client, retail):
    data = editor_data(retail, journeys_per_day="1200", _action="summary")
    response = alice_client.post(edit_url(retail), data, **HTMX)
    html = response.content.decode()
    expected = forecast(journey_to_spec(retail))
    assert response.status_code == 200 and "<html" not in html
    assert "1,200" in str(element(html, "summary-journeys"))
    assert f"{expected.completion_share * 100:.1f}%" in str(element(html, "summary-completion"))
    assert f"{expected.events_per_day * 2:,.0f}" in str(element(html, "summary-events"))
    assert 'hx-swap-oob="true"' in str(element(html, "share-locations-0")) and "25.0%" in html
    assert retail.journeys_per_day == 600


def test_it_lists_the_problems_in_the_live_summary_when_invalid(alice_client, retail):
    data = editor_data(retail, event_provider="", _action="summary", **{"steps-2-max_loops": "0"})
    html = alice_client.post(edit_url(retail), data, **HTMX).content.decode()
    assert "2 things to fix" in html
    assert 'href="#id_steps-2-max_loops"' in html and 'href="#id_event_provider"' in html


def test_it_suggests_the_event_type_from_the_name(alice_client, retail):
    data = editor_data(retail, _action="summary", **{"steps-3-name": "Gift wrapped", "steps-3-event_type": ""})
    html = alice_client.post(edit_url(retail), data, **HTMX).content.decode()
    assert "gift.wrapped" in str(element(html, "type-hint-3"))
    data = editor_data(retail, **{"steps-3-name": "Gift wrapped", "steps-3-event_type": ""})
    alice_client.post(edit_url(retail), data)
    assert retail.steps.get(position=3).event_type == "gift.wrapped"


def test_it_keeps_a_typed_event_type(alice_client, retail):
    data = editor_data(retail, **{"steps-3-name": "Gift wrapped", "steps-3-event_type": "order.wrapped"})
    alice_client.post(edit_url(retail), data)
    assert retail.steps.get(position=3).event_type == "order.wrapped"


def test_it_reads_an_incident_window_in_the_journeys_timezone(alice_client, retail):
    data = editor_data(retail, timezone="Europe/Paris")
    data.update(
        {
            "incidents-TOTAL_FORMS": "1",
            "incidents-INITIAL_FORMS": "1",
            "incidents-0-step": "s3",
            "incidents-0-error_name": "scanner.down",
            "incidents-0-pct": "80",
            "incidents-0-window": "once",
            "incidents-0-starts_at": "2026-03-02T09:00",
            "incidents-0-ends_at": "2026-03-02T11:30",
        }
    )
    assert alice_client.post(edit_url(retail), data).status_code == 302
    retail.refresh_from_db()
    incident = retail.incidents.get()
    assert incident.step.event_type == "item.picked"
    assert incident.starts_at == datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # 09:00 in Paris
    assert values_from_spec(journey_to_spec(retail)).rows["incidents"][0]["starts_at"] == "2026-03-02T09:00"


def test_it_asks_for_the_hours_of_a_daily_incident(alice_client, retail):
    data = editor_data(retail)
    data.update(
        {
            "incidents-TOTAL_FORMS": "1",
            "incidents-INITIAL_FORMS": "1",
            "incidents-0-step": "s3",
            "incidents-0-error_name": "scanner.down",
            "incidents-0-pct": "80",
            "incidents-0-window": "daily",
        }
    )
    html = alice_client.post(edit_url(retail), data).content.decode()
    assert "Enter an hour from 0 to 24" in surrounding_text(html, "id_incidents-0-daily_start_hour")
    assert not retail.incidents.exists()


def test_it_creates_a_journey_from_the_blank_editor(alice_client, alice):
    tenant_create(name="Mine", owner=alice)
    page = alice_client.get(reverse("journey_create")).content.decode()
    assert count(page, "step-row") == 2 and value_of(page, "id_correlation_field") == "order.id"
    spec = loads((EXAMPLES / "travel-booking.json").read_text())
    response = alice_client.post(reverse("journey_create"), values_from_spec(spec).to_data())
    journey = Journey.objects.get(owner=alice)
    assert response.status_code == 302 and response.url == edit_url(journey)
    assert journey_to_spec(journey) == spec


def test_it_creates_nothing_from_an_invalid_new_journey(alice_client, alice):
    tenant_create(name="Mine", owner=alice)
    data = alice_client.get(reverse("journey_create")).context["editor"].values.to_data()
    response = alice_client.post(reverse("journey_create"), {**data, "name": "Half done"})
    assert response.status_code == 200
    assert "This field is required." in surrounding_text(response.content.decode(), "id_steps-0-name")
    assert not Journey.objects.exists()


@pytest.mark.parametrize("user", ["bob", "charlie"])
def test_it_hides_a_journey_from_anyone_but_its_owner(client, retail, user, request):
    client.force_login(request.getfixturevalue(user))
    assert client.get(edit_url(retail)).status_code == 404
    assert client.post(edit_url(retail), editor_data(retail, name="Mine now")).status_code == 404
    assert client.post(edit_url(retail), editor_data(retail, _action="summary"), **HTMX).status_code == 404
    retail.refresh_from_db()
    assert retail.name != "Mine now"


def test_it_sends_anonymous_visitors_to_the_login_page(client, retail):
    response = client.get(edit_url(retail))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
