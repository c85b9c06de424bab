"""The editor with variants, end states, delay shapes and surges: rows shown in place, row actions,
errors beside their inputs and the live summary's shares of each variant and of each way a journey ends."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from journeys.engine.forecast import forecast
from journeys.engine.spec import ErrorRule, Incident, JourneySpec, Step, Surge, Variant
from journeys.formatting import pct
from journeys.forms.convert import values_from_spec
from journeys.models import Journey
from journeys.selectors.journeys import journey_to_spec
from journeys.services.tenancy import tenant_create

from .pages import count, element, surrounding_text, value_of

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def alices_tenant(alice):
    """Creating a journey needs a tenant to create it in."""
    return tenant_create(name="Loans team", owner=alice)


def loan_spec() -> JourneySpec:
    return JourneySpec(
        name="Loans",
        event_provider="acme.loans",
        correlation_field="loan.id",
        steps=(
            Step("Applied", "loan.applied"),
            Step(
                "Decision",
                "",
                drop_off_pct=2,
                variants=(
                    Variant("Approved", "loan.approved", 80, 0.01, 2, "lognormal"),
                    Variant("Rejected", "loan.rejected", 20, 0, 0.5, ends_journey=True),
                ),
            ),
            Step("Paid out", "loan.paid", min_delay_hours=1, max_delay_hours=3),
        ),
        errors=(ErrorRule("timeout", 1, 5.0, 0),),
        incidents=(Incident(1, "scoring.down", 50, daily_start_hour=2, daily_end_hour=3, variant=1),),
        surges=(Surge(3, daily_start_hour=17, daily_end_hour=19),),
        journeys_per_day=1000,
    )


def post(client, data, action, **headers):
    return client.post(reverse("journey_create"), {**data, "_action": action}, **headers)


def test_it_shows_each_variant_under_its_step_with_its_share_and_the_surge_row(alice_client):
    data = values_from_spec(loan_spec()).to_data()
    html = post(alice_client, data, "up:steps:0").content.decode()  # a row action that changes nothing
    assert count(html, "variant-row") == 2
    assert value_of(html, "id_variants-0-name") == "Approved"
    assert value_of(html, "id_variants-1-event_type") == "loan.rejected"
    assert "80.0%" in str(element(html, "share-variants-0"))
    assert '<option selected value="lognormal">' in str(element(html, "id_variants-0-delay_shape"))
    assert "checked" in str(element(html, "id_variants-1-ends_journey"))
    assert value_of(html, "id_surges-0-multiplier") == "3"
    assert value_of(html, "id_surges-0-daily_start_hour") == "17"
    choices = str(element(html, "id_errors-0-step"))
    assert "2. Decision · Approved" in choices and "2. Decision · Rejected" in choices
    assert '<option selected value="v1">' in choices


def test_it_splits_a_step_into_two_variants_and_merges_it_back(alice_client):
    spec = loan_spec()
    data = values_from_spec(spec).to_data()
    html = post(alice_client, data, "split:steps:2", **HTMX).content.decode()
    assert count(html, "variant-row") == 4
    assert value_of(html, "id_variants-2-name") == "Option 1"
    assert value_of(html, "id_variants-2-event_type") == "loan.paid"  # the first variant keeps the step's type
    html = post(alice_client, data, "merge:steps:1", **HTMX).content.decode()
    assert count(html, "variant-row") == 0
    assert value_of(html, "id_steps-1-event_type") == "loan.approved"
    assert '<option selected value="s2">' in str(element(html, "id_errors-0-step"))  # the error followed
    assert count(html, "incident-row") == 1  # the surge; the incident on Rejected went with it


def test_it_adds_moves_and_removes_variants_in_place(alice_client):
    data = values_from_spec(loan_spec()).to_data()
    html = post(alice_client, data, "add:variants:1", **HTMX).content.decode()
    assert count(html, "variant-row") == 3 and value_of(html, "id_variants-2-name") == "Option 3"
    assert "autofocus" in str(element(html, "id_variants-2-name"))
    html = post(alice_client, data, "down:variants:0", **HTMX).content.decode()
    assert [value_of(html, f"id_variants-{i}-name") for i in (0, 1)] == ["Rejected", "Approved"]
    html = post(alice_client, data, "remove:variants:1", **HTMX).content.decode()
    assert count(html, "variant-row") == 1
    assert "a step offers 2 to 5 variants" not in html  # a row action shows, it does not judge


def test_it_puts_variant_and_surge_errors_beside_their_inputs(alice_client):
    data = values_from_spec(loan_spec()).to_data()
    data.update(
        {
            "variants-0-weight": "0",  # the engine: above 0
            "variants-0-min_delay_hours": "0",  # the engine: a lognormal delay needs 0 < min
            "variants-1-event_type": "loan.applied",  # the engine: used by step 1
            "surges-0-multiplier": "5000",  # the form: at most 1000
            "surges-0-daily_end_hour": "17",  # the engine: the same hour as the start
        }
    )
    html = post(alice_client, data, "save").content.decode()
    assert "Not saved: 5 problems" in html
    assert "Must be a number above 0." in surrounding_text(html, "id_variants-0-weight")
    assert "lognormal delay needs 0 < min < max" in surrounding_text(html, "id_variants-0-min_delay_hours")
    assert "already used by step 1" in surrounding_text(html, "id_variants-1-event_type")
    assert "less than or equal to 1000" in surrounding_text(html, "id_surges-0-multiplier")
    assert "Must differ from the start hour." in surrounding_text(html, "id_surges-0-daily_end_hour")
    problems = str(element(html, "problems"))
    assert "Step 2 (Decision) · variant Approved · Weight" in problems


def test_it_names_the_step_when_every_variant_ends_the_journey(alice_client):
    data = values_from_spec(loan_spec()).to_data()
    data["variants-0-ends_journey"] = "on"
    html = post(alice_client, data, "save").content.decode()
    assert "Every variant ends the journey" in surrounding_text(html, "id_steps-1-name")


def test_it_forecasts_variant_shares_and_endings_as_you_type(alice_client):
    spec = loan_spec()
    fc = forecast(spec)
    html = post(alice_client, values_from_spec(spec).to_data(), "summary", **HTMX).content.decode()
    approved = str(element(html, "summary-endings"))
    for outcome in fc.outcomes:
        assert outcome.label[1:] in approved and pct(outcome.share) in approved
    assert "Ended at Rejected" in approved and "Failed with loan.approved.timeout" in approved
    assert f"{pct(0.8)} · " in html  # the Approved variant's share of those performing the step
    assert abs(sum(o.share for o in fc.outcomes) - 1) < 1e-9
    assert datetime.now(UTC)  # the summary itself is never saved


def test_it_saves_variants_and_surges_and_the_preview_draws_them(alice_client):
    spec = loan_spec()
    response = post(alice_client, values_from_spec(spec).to_data(), "save")
    assert response.status_code == 302, response.content.decode()[:2000]
    journey = Journey.objects.get(name="Loans")
    assert journey_to_spec(journey) == spec
    html = alice_client.get(reverse("journey_edit", args=[journey.slug])).content.decode()
    assert count(html, "variant-row") == 2 and value_of(html, "id_surges-0-multiplier") == "3"
    page = alice_client.get(reverse("journey_preview", args=[journey.slug])).content.decode()
    fc = forecast(spec)
    table = element(page, "endings")
    shares = [float(dict(row.attributes)["data-share"]) for row in table.children[1].children]
    assert sorted(shares) == sorted(o.share for o in fc.outcomes if o.share > 0)
    assert abs(sum(shares) - 1) < 1e-12
    assert 'class="flow-variant flow-end-state"' in page and page.count('class="flow-variant') == 2
    assert 'class="surge"' in page  # the daily surge shaded on the hourly chart
