"""Decision settings rows: replaced from a document, read back as engine specs, kept across edits."""

import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string

from journeys.engine.decisionformat import DecisionFileError, decisions_from_dict
from journeys.engine.spec import JourneySpec, Step
from journeys.models import DecisionSettings, JourneyDestination
from journeys.selectors.journeys import journey_decision_samples, journey_decisions, journey_to_spec
from journeys.services.decisions import decision_destination_set, decisions_replace_from_document
from journeys.services.destinations import destination_attach, destination_create
from journeys.services.journeys import journey_create_from_spec, journey_replace_contents

from ..engine.helpers import loan_decisions_document

pytestmark = pytest.mark.django_db


def loan_spec() -> JourneySpec:
    return JourneySpec(
        name="Loans",
        event_provider="quickloan.lending",
        correlation_field="loan.id",
        steps=(
            Step("Loan requested", "loan.requested"),
            Step("Loan decision", "loan.decided", min_delay_hours=0.01, max_delay_hours=0.02, is_decision=True),
            Step("Offer accepted", "offer.accepted", drop_off_pct=20, min_delay_hours=1, max_delay_hours=2),
        ),
    )


@pytest.fixture
def journey():
    alice = get_user_model().objects.create_user("alice", password="x")
    return journey_create_from_spec(spec=loan_spec(), owner=alice)


def test_it_stores_a_document_and_reads_back_the_same_decisions(journey):
    document = loan_decisions_document()

    rows = decisions_replace_from_document(journey=journey, document=document)

    assert [row.step.event_type for row in rows] == ["loan.decided"]
    [(row, spec)] = journey_decisions(journey)
    assert row == rows[0]
    assert spec == decisions_from_dict(document, journey_to_spec(journey))[0]


def test_it_changes_nothing_when_the_document_is_wrong(journey):
    decisions_replace_from_document(journey=journey, document=loan_decisions_document())
    document = loan_decisions_document()
    document["decisions"][0]["rules"][0]["pct"] = "often"

    with pytest.raises(DecisionFileError) as failure:
        decisions_replace_from_document(journey=journey, document=document)

    assert failure.value.errors[0].path == "decisions[0].rules[0].pct"
    assert DecisionSettings.objects.filter(step__journey=journey).count() == 1


def test_it_keeps_decision_settings_when_the_journey_is_edited(journey):
    decisions_replace_from_document(journey=journey, document=loan_decisions_document())
    spec = loan_spec()
    edited = replace(spec, steps=(spec.steps[0], replace(spec.steps[1], name="Automated decision"), spec.steps[2]))

    journey_replace_contents(journey=journey, spec=edited)
    kept = [row.step.name for row, _ in journey_decisions(journey)]
    journey_replace_contents(
        journey=journey, spec=replace(spec, steps=tuple(replace(s, is_decision=False) for s in spec.steps))
    )

    assert kept == ["Automated decision"]
    assert journey_decisions(journey) == []


def test_it_renders_a_sample_event_per_decision_step_for_the_preview(journey):
    decisions_replace_from_document(journey=journey, document=loan_decisions_document())

    samples = journey_decision_samples(journey, at=datetime(2026, 3, 2, 9, tzinfo=UTC))
    html = render_to_string("journeys/_decision_sample.html", {"decision_samples": samples})

    event = json.loads(samples[0]["json"])
    assert event["decisionServiceId"] == "samples.LoanValidation" and event["timestamp"] == 1772442000000
    assert 'id="decision-samples"' in html and "Loan decision" in html
    assert "&quot;decisionOperation&quot;: &quot;LoanValidation&quot;" in html


def kafka_destination(owner, name: str):
    return destination_create(
        owner=owner, name=name, kind="kafka", config={"bootstrap_servers": "b:9092", "topic": "t"}
    )


def test_it_sends_decision_events_to_a_kafka_destination_of_their_own(journey):
    [settings] = decisions_replace_from_document(journey=journey, document=loan_decisions_document())
    bai = kafka_destination(journey.owner, "BAI")

    decision_destination_set(settings=settings, destination=bai, now=datetime(2026, 3, 2, tzinfo=UTC))

    assert DecisionSettings.objects.get(pk=settings.pk).destination == bai
    assert JourneyDestination.objects.filter(journey=journey, destination=bai, active=True).count() == 1


def test_it_refuses_a_destination_that_gets_the_journeys_own_events_or_another_owners(journey):
    [settings] = decisions_replace_from_document(journey=journey, document=loan_decisions_document())
    events = kafka_destination(journey.owner, "Events")
    destination_attach(journey=journey, destination=events)
    bob = get_user_model().objects.create_user("bob", password="x")
    files = destination_create(owner=journey.owner, name="Files", kind="file", config={})

    for destination, message in (
        (events, "already receives this journey's events"),
        (kafka_destination(bob, "Bob's"), "own tenant's destinations"),
        (files, "Kafka destination"),
    ):
        with pytest.raises(ValueError, match=message):
            decision_destination_set(settings=settings, destination=destination)

    assert DecisionSettings.objects.get(pk=settings.pk).destination is None


def test_it_stops_delivering_decision_events_when_the_destination_is_removed(journey):
    [settings] = decisions_replace_from_document(journey=journey, document=loan_decisions_document())
    bai = kafka_destination(journey.owner, "BAI")
    decision_destination_set(settings=settings, destination=bai)

    decision_destination_set(settings=settings, destination=None)

    assert not JourneyDestination.objects.get(journey=journey, destination=bai).active
