"""A variant marked as a decision on the journey page's Decisions tab, its settings page, the preview's
sample, the export and the import page, and the editor's save (alice owns Acme, bob edits, victor views)."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from journeys.engine.jsonformat import JourneyDocument, dumps_document
from journeys.models import AuditEntry, DecisionSettings, Journey, JourneyDestination, StepVariant
from journeys.services.destinations import destination_create
from journeys.services.imports import journey_import_text

from ..engine.test_decisions import loan_decision
from ..engine.test_decisions_variants import branching_loan
from .conftest import editor_data, logged_in
from .test_decision_settings import HTMX, form_data

LOAN_FILE = dumps_document(JourneyDocument(branching_loan(), "", (loan_decision(variant=0, topic="bai-loans"),)))


@pytest.fixture
def loans(team):
    """Acme's branching loan journey: the variant "Automated" (loan.decided) of "Loan decision" is a
    decision, not set up yet; "Manual" (loan.reviewed) is not one."""
    text = dumps_document(JourneyDocument(branching_loan(), ""))
    return journey_import_text(text=text, owner=team.alice, tenant=team.tenant)


def url(journey, event_type="loan.decided"):
    return reverse("decision_settings_edit", args=[journey.slug, event_type])


def test_the_decisions_tab_lists_the_variant_with_a_link_to_its_settings(client, team, loans):
    html = logged_in(client, team.bob).get(reverse("journey_edit", args=[loans.slug])).content.decode()

    tab = html[html.index('id="decisions"') :]
    assert "Loan decision: Automated" in tab and "loan.decided" in tab and "Not set up yet" in tab
    assert f'href="{url(loans)}"' in tab and "loan.reviewed" not in tab


def test_the_settings_page_suggests_settings_for_the_variant_and_samples_them(client, team, loans):
    html = logged_in(client, team.victor).get(url(loans)).content.decode()

    assert "Decision settings: Loan decision: Automated" in html
    assert "the variant “Automated” of the step “Loan decision”" in html and "Not set up yet" in html
    assert 'value="quickloan.lending.LoanDecisionAutomated"' in html
    assert "&quot;decisionOperation&quot;: &quot;LoanDecisionAutomated&quot;" in html  # the sample event
    assert "<fieldset disabled>" in html  # a viewer looks


@pytest.mark.parametrize("event_type", ["loan.reviewed", "loan.requested", "no.such.type"])
def test_there_is_no_page_for_a_variant_or_step_that_is_not_a_decision(client, team, loans, event_type):
    assert logged_in(client, team.alice).get(url(loans, event_type)).status_code == 404


def test_an_editor_saves_the_variants_settings_and_its_events_go_to_kafka(client, team, loans):
    kafka = destination_create(
        owner=team.alice, tenant=team.tenant, name="BAI", kind="kafka", config={"bootstrap_servers": "127.0.0.1:9"}
    )
    response = logged_in(client, team.bob).post(url(loans), form_data(destination=str(kafka.pk), topic="bai-loans"))

    assert response.status_code == 302 and response["Location"] == url(loans)
    settings = DecisionSettings.objects.get(step__journey=loans)
    assert settings.variant == StepVariant.objects.get(step__journey=loans, event_type="loan.decided")
    assert settings.topic == "bai-loans" and settings.destination == kafka and settings.incident_pct == 1.5
    assert JourneyDestination.objects.filter(journey=loans, destination=kafka, active=True).exists()
    audit = AuditEntry.objects.get(action="decision.updated")
    assert audit.details == {"step": "Loan decision", "variant": "Automated"}
    html = client.get(url(loans)).content.decode()
    assert "Not set up yet" not in html and "/LoanValidation/Approval/bad score, 30, rejects" in html


def test_a_viewer_may_try_values_on_a_variant_but_not_save_them(client, team, loans):
    logged_in(client, team.victor)

    sample = client.post(url(loans), {**form_data(decision_service_name="Auto"), "_action": "sample"}, **HTMX)

    assert "&quot;decisionServiceName&quot;: &quot;Auto&quot;" in sample.content.decode()
    assert client.post(url(loans), form_data()).status_code == 403
    assert not DecisionSettings.objects.exists()


def test_the_preview_shows_the_variants_decision_event_once_it_is_set_up(client, team, loans):
    preview = reverse("journey_preview", args=[loans.slug])
    html = logged_in(client, team.victor).get(preview).content.decode()
    assert 'id="decision-samples"' in html and "No decision step or variant has decision settings yet" in html

    logged_in(client, team.bob).post(url(loans), form_data(decision_operation="approveLoan"))
    html = client.get(preview).content.decode()

    assert "Loan decision: Automated" in html and f'href="{url(loans)}"' in html
    assert "&quot;decisionOperation&quot;: &quot;approveLoan&quot;" in html


def test_the_export_holds_the_variants_settings_and_the_import_page_brings_them_back(client, team):
    journey = journey_import_text(text=LOAN_FILE, owner=team.alice, tenant=team.tenant)
    logged_in(client, team.alice)

    exported = client.get(reverse("journey_export", args=[journey.slug])).content.decode()
    upload = SimpleUploadedFile("loans.json", exported.encode(), "application/json")
    response = client.post(reverse("journey_import"), {"file": upload, "use_provider": "quickloan.lending.2"})

    assert json.loads(exported) == json.loads(LOAN_FILE)
    assert response.status_code == 302
    copy = Journey.objects.exclude(pk__in=[journey.pk, team.journey.pk]).get()
    settings = DecisionSettings.objects.get(step__journey=copy)
    assert settings.variant.event_type == "loan.decided" and settings.topic == "bai-loans"
    assert copy.event_provider == "quickloan.lending.2"


def test_the_import_page_names_settings_on_a_variant_that_is_not_a_decision(client, team):
    data = json.loads(LOAN_FILE)
    data["steps"][3]["variants"][1]["decision_settings"] = data["steps"][3]["variants"][0]["decision_settings"]

    html = logged_in(client, team.alice).post(reverse("journey_import"), {"text": json.dumps(data)}).content.decode()

    assert "steps[3].variants[1].decision_settings" in html
    assert DecisionSettings.objects.count() == 0


def test_saving_the_journey_in_the_editor_keeps_the_variants_settings(client, team):
    journey = journey_import_text(text=LOAN_FILE, owner=team.alice, tenant=team.tenant)
    before = DecisionSettings.objects.get(step__journey=journey)

    response = logged_in(client, team.bob).post(
        reverse("journey_edit", args=[journey.slug]), editor_data(journey, name="Loans, renamed")
    )

    assert response.status_code == 302
    journey.refresh_from_db()
    after = DecisionSettings.objects.get(step__journey=journey)
    assert journey.name == "Loans, renamed" and after.variant.event_type == "loan.decided"
    assert (after.topic, after.decision_operation, after.rules) == (before.topic, "approveLoan", before.rules)
