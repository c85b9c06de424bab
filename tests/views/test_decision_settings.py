"""A decision step's settings page (alice owns Acme, bob edits, victor views, charlie is outside), and the
decision event sample on the journey preview."""

import json
from pathlib import Path

import pytest
from django.urls import reverse

from journeys.models import AuditEntry, DecisionSettings, JourneyDestination
from journeys.services.decisions import decisions_replace_from_document
from journeys.services.destinations import destination_attach, destination_create
from journeys.services.imports import journey_import_text

from .conftest import EXAMPLES, logged_in
from .pages import surrounding_text

DOCUMENT = Path(EXAMPLES) / "decisions" / "loan-validation.json"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def loans(team):
    """Acme's loan journey, whose step loan.decided is a decision (no settings yet)."""
    return journey_import_text(
        text=(EXAMPLES / "loan-validation.json").read_text(), owner=team.alice, tenant=team.tenant
    )


@pytest.fixture
def kafka(team):
    return destination_create(
        owner=team.alice,
        tenant=team.tenant,
        name="BAI",
        kind="kafka",
        config={"bootstrap_servers": "127.0.0.1:9", "topic": "journey-events"},
    )


def url(journey, event_type="loan.decided"):
    return reverse("decision_settings_edit", args=[journey.slug, event_type])


def form_data(**changes) -> dict:
    data = {
        "decision_service_id": "samples.LoanValidation",
        "decision_service_name": "LoanValidation",
        "decision_service_version": "3.1.2",
        "decision_operation": "LoanValidation",
        "decision_id": "",
        "execution_millis_min": "2",
        "execution_millis_max": "40",
        "rules": "/LoanValidation/Grade/grade, 80\n/LoanValidation/Approval/bad score, 30, rejects",
        "incident_pct": "1.5",
        "incident_category": "Technical",
        "business_monitoring_enabled": "on",
        "business_event_input_enabled": "on",
        "destination": "",
        "topic": "icp4ba-bai-ads-ingress",
        "timestamp_unit": "ms",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(("who", "status"), [("alice", 200), ("bob", 200), ("victor", 200), ("charlie", 404)])
def test_it_shows_the_page_to_members_only(client, team, loans, who, status):
    assert logged_in(client, getattr(team, who)).get(url(loans)).status_code == status


def test_it_suggests_settings_for_a_step_not_set_up_and_shows_their_sample(client, team, loans):
    html = logged_in(client, team.bob).get(url(loans)).content.decode()
    assert "Not set up yet" in html
    assert 'value="quickloan.lending.LoanDecision"' in html and 'value="1.0.0"' in html
    assert "&quot;decisionOperation&quot;" in html  # the sample event
    assert "Save decision settings" in html
    assert "executionMillis: a random value in this range." in html  # fields explain themselves


def test_it_saves_the_settings_and_sends_events_to_kafka(client, team, loans, kafka):
    response = logged_in(client, team.bob).post(url(loans), form_data(destination=str(kafka.pk), topic="bai-decisions"))

    assert response.status_code == 302
    settings = DecisionSettings.objects.get(step__journey=loans)
    assert settings.rules == [
        {"path": "/LoanValidation/Grade/grade", "pct": 80.0, "rejects": False},
        {"path": "/LoanValidation/Approval/bad score", "pct": 30.0, "rejects": True},
    ]
    assert settings.incident_pct == 1.5 and settings.topic == "bai-decisions" and settings.destination == kafka
    assert not settings.business_event_output_enabled
    assert JourneyDestination.objects.filter(journey=loans, destination=kafka, active=True).exists()
    assert AuditEntry.objects.filter(actor=team.bob, action="decision.updated").exists()


def test_it_keeps_what_the_page_does_not_edit(client, team, loans):
    decisions_replace_from_document(journey=loans, document=json.loads(DOCUMENT.read_text()))
    html = logged_in(client, team.alice).get(url(loans)).content.decode()
    assert "/LoanValidation/Approval/bad score, 30, rejects" in html

    client.post(url(loans), form_data())

    settings = DecisionSettings.objects.get(step__journey=loans)
    assert settings.runtime_nodes[0]["name"] == "worker0.mycluster.mycompany.com"
    assert settings.deployment_space_id == "test_environment"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"rules": "/a/b, 50\n/a/c, often"}, "id_rules", "Line 2: “often” is not a number"),
        ({"rules": "/a/b, 50\n/a/b, 20"}, "id_rules", "Line 2: '/a/b' is listed twice"),
        ({"rules": "/a/b, 150"}, "id_rules", "Line 1: must be a percentage between 0 and 100"),
        ({"rules": "/a/b, 50, maybe"}, "id_rules", "Line 1: write “path, %” or “path, %, rejects”."),
        ({"execution_millis_min": "50", "execution_millis_max": "10"}, "id_execution_millis_min", "must not be above"),
        ({"incident_pct": "120"}, "id_incident_pct", "less than or equal to 100"),
        ({"topic": "no spaces allowed"}, "id_topic", "letters, digits"),
    ],
)
def test_it_explains_bad_input_next_to_the_field(client, team, loans, changes, field, message):
    response = logged_in(client, team.bob).post(url(loans), form_data(**changes))

    assert response.status_code == 200
    assert message in surrounding_text(response.content.decode(), field, ("div",))
    assert not DecisionSettings.objects.exists()


def test_it_refuses_a_kafka_destination_that_already_gets_the_journeys_events(client, team, loans, kafka):
    destination_attach(journey=loans, destination=kafka)

    response = logged_in(client, team.bob).post(url(loans), form_data(destination=str(kafka.pk)))

    assert "already receives this journey's events" in surrounding_text(
        response.content.decode(), "id_destination", ("div",)
    )
    assert not DecisionSettings.objects.exists()


def test_it_lets_a_viewer_look_but_not_save(client, team, loans):
    html = logged_in(client, team.victor).get(url(loans)).content.decode()
    assert "<fieldset disabled>" in html and "Save decision settings" not in html

    assert client.post(url(loans), form_data()).status_code == 403
    assert not DecisionSettings.objects.exists()


def test_it_samples_the_values_as_typed_without_saving(client, team, loans):
    logged_in(client, team.victor)

    sample = client.post(url(loans), {**form_data(decision_service_name="CreditCheck"), "_action": "sample"}, **HTMX)
    broken = client.post(url(loans), {**form_data(execution_millis_min="x"), "_action": "sample"}, **HTMX)

    assert "&quot;decisionServiceName&quot;: &quot;CreditCheck&quot;" in sample.content.decode()
    assert "<html" not in sample.content.decode()
    assert (
        "Fix these to see a sample" in broken.content.decode() and "Execution time from (ms)" in broken.content.decode()
    )
    assert not DecisionSettings.objects.exists()


def test_it_has_no_page_for_a_step_that_is_not_a_decision(client, team, loans):
    assert logged_in(client, team.alice).get(url(loans, "loan.requested")).status_code == 404


def test_the_preview_shows_the_decision_event_beside_the_business_events(client, team, loans):
    preview = reverse("journey_preview", args=[loans.slug])
    html = logged_in(client, team.victor).get(preview).content.decode()
    assert 'id="decision-samples"' in html and "No decision step has decision settings yet" in html

    decisions_replace_from_document(journey=loans, document=json.loads(DOCUMENT.read_text()))
    html = client.get(preview).content.decode()

    assert "&quot;decisionServiceId&quot;: &quot;samples.LoanValidation&quot;" in html
    assert url(loans) in html


def test_the_preview_of_a_journey_without_decisions_shows_none(client, team):
    html = logged_in(client, team.alice).get(reverse("journey_preview", args=[team.journey.slug])).content.decode()
    assert 'id="decision-samples"' not in html
