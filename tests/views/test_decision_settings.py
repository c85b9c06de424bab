"""A decision step's settings page (alice owns Acme, bob edits, victor views, charlie is outside), and the
decision event sample on the journey preview."""

import re

import pytest
from django.urls import reverse

from journeys.forms.decisions import initial_values
from journeys.models import AuditEntry, DecisionSettings, JourneyDestination
from journeys.selectors.journeys import decision_spec_from_settings
from journeys.services.decisions import decisions_replace_from_document
from journeys.services.destinations import destination_attach, destination_create
from journeys.services.imports import journey_import_text

from ..engine.helpers import loan_decisions_document
from .conftest import EXAMPLES, logged_in
from .pages import surrounding_text

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def loans(team):
    """Acme's loan journey, whose step loan.decided is a decision (its settings from the file removed)."""
    journey = journey_import_text(
        text=(EXAMPLES / "loan-validation.json").read_text(), owner=team.alice, tenant=team.tenant
    )
    DecisionSettings.objects.filter(step__journey=journey).delete()
    return journey


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
        "deployment_space_id": "embedded",
        "engine_api_version": "1.0",
        "runtime_nodes": "decision-runtime-0, 1",
        "execution_millis_min": "2",
        "execution_millis_max": "40",
        "rules": "/LoanValidation/Grade/grade, 80\n/LoanValidation/Approval/bad score, 30, rejects",
        "incident_pct": "1.5",
        "incident_category": "Technical",
        "incident_stack_trace": "failed on $runtimeNodeName",
        "input_parameters": "",
        "output_approved": '"APPROVED"',
        "output_rejected": '"REJECTED($rule)"',
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


def as_post(values: dict) -> dict:
    """The form's initial values as a browser posts them (a switch that is off is left out)."""
    data = {name: ("on" if value is True else value) for name, value in values.items() if value is not False}
    return {**data, "destination": values["destination"] or ""}


def test_it_shows_every_setting_and_saving_them_unchanged_changes_nothing(client, team, loans):
    [settings] = decisions_replace_from_document(journey=loans, document=loan_decisions_document())
    before = decision_spec_from_settings(settings, step_index=3)
    html = logged_in(client, team.alice).get(url(loans)).content.decode()
    assert "/LoanValidation/Approval/bad score, 30, rejects" in html
    assert "worker0.mycluster.mycompany.com, 2" in html and "test_environment" in html
    assert "&quot;PASSED(mySimple02CustomerDecision)&quot;" in html and "&quot;ageLimit&quot;: 1" in html

    response = client.post(url(loans), as_post(initial_values(settings)))

    assert response.status_code == 302
    after = decision_spec_from_settings(DecisionSettings.objects.get(step__journey=loans), step_index=3)
    assert after == before


def test_it_edits_runtime_nodes_and_the_input_and_output_templates(client, team, loans):
    changes = {
        "runtime_nodes": "node-a.example, 3\nnode-b.example",
        "input_parameters": '{"loan": {"id": "$correlation", "amount": "$revenue", "where": "in $location"}}',
        "output_approved": '{"approved": true, "by": "$eventType"}',
        "output_rejected": '"REJECTED: $rule"',
        "incident_stack_trace": "boom in $executionId",
        "deployment_space_id": "production",
        "engine_api_version": "2.1",
    }
    response = logged_in(client, team.bob).post(url(loans), form_data(**changes))

    assert response.status_code == 302
    settings = DecisionSettings.objects.get(step__journey=loans)
    assert settings.runtime_nodes == [
        {"name": "node-a.example", "weight": 3.0},
        {"name": "node-b.example", "weight": 1.0},
    ]
    assert settings.input_parameters == {"loan": {"id": "$correlation", "amount": "$revenue", "where": "in $location"}}
    assert settings.output_approved == {"approved": True, "by": "$eventType"}
    assert settings.output_rejected == "REJECTED: $rule"
    assert (settings.incident_stack_trace, settings.deployment_space_id, settings.engine_api_version) == (
        "boom in $executionId",
        "production",
        "2.1",
    )
    sample = client.post(url(loans), {**form_data(**changes), "_action": "sample"}, **HTMX).content.decode()
    assert "&quot;deploymentSpaceId&quot;: &quot;production&quot;" in sample
    assert "&quot;where&quot;: &quot;in London&quot;" in sample and "&quot;amount&quot;: 13000" in sample


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
        ({"runtime_nodes": "a, 1\nb, heavy"}, "id_runtime_nodes", "Line 2: “heavy” is not a number"),
        ({"runtime_nodes": "a, 0"}, "id_runtime_nodes", "at least one weight must be above zero"),
        ({"runtime_nodes": ""}, "id_runtime_nodes", "This field is required"),
        ({"input_parameters": '{"id": $correlation}'}, "id_input_parameters", "Not valid JSON: Expecting value"),
        ({"input_parameters": '{"id": "$corelation"}'}, "id_input_parameters", "unknown placeholder $corelation"),
        ({"input_parameters": '{"why": "$rule"}'}, "id_input_parameters", "unknown placeholder $rule"),
        ({"output_approved": "APPROVED"}, "id_output_approved", "Text needs its quotes"),
        ({"output_rejected": "null"}, "id_output_rejected", "null is not one"),
        ({"output_rejected": '"NO($reason)"'}, "id_output_rejected", "unknown placeholder $reason"),
        ({"incident_stack_trace": "at $host"}, "id_incident_stack_trace", "unknown placeholder $host"),
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
    assert 'id="decision-samples"' in html and "No decision step or variant has decision settings yet" in html

    decisions_replace_from_document(journey=loans, document=loan_decisions_document())
    html = client.get(preview).content.decode()

    assert "&quot;decisionServiceId&quot;: &quot;samples.LoanValidation&quot;" in html
    assert url(loans) in html


def test_the_preview_of_a_journey_without_decisions_shows_none(client, team):
    html = logged_in(client, team.alice).get(reverse("journey_preview", args=[team.journey.slug])).content.decode()
    assert 'id="decision-samples"' not in html


def test_it_says_which_topic_decision_events_go_to_when_it_is_not_the_destinations_own(client, team, loans, kafka):
    logged_in(client, team.bob).post(url(loans), form_data(destination=str(kafka.pk), topic="bai-decisions"))

    html = client.get(url(loans)).content.decode()
    sample = client.post(
        url(loans), {**form_data(destination=str(kafka.pk), topic="other-topic"), "_action": "sample"}, **HTMX
    ).content.decode()
    same = client.post(
        url(loans), {**form_data(destination=str(kafka.pk), topic="journey-events"), "_action": "sample"}, **HTMX
    ).content.decode()
    nowhere = client.post(url(loans), {**form_data(), "_action": "sample"}, **HTMX).content.decode()

    expected = "Decision events go to the topic “bai-decisions” set here, not to “journey-events”, the topic in BAI"
    assert expected in re.search(r'id="topic-note">([^<]*)<', html).group(1)
    assert "go to the topic “other-topic” set here, not to “journey-events”" in sample
    assert "Decision events go to the topic “journey-events” through BAI." in same and "not to" not in same
    assert "Decision events are not sent: choose a Kafka destination." in nowhere
