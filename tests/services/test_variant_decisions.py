"""Decision settings of a variant marked as a decision: stored, read, kept across edits, delivered."""

import json
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from journeys.engine.compiled import compile_journey
from journeys.engine.generator import generate_dicts
from journeys.engine.jsonformat import JourneyDocument, dumps_document
from journeys.engine.spec import Step, Variant
from journeys.models import DecisionSettings, JourneyDestination, StepVariant
from journeys.selectors.journeys import (
    journey_decision_samples,
    journey_decision_steps,
    journey_decisions,
    journey_to_spec,
)
from journeys.services.decisions import EDITABLE_FIELDS, decision_destination_set, decision_settings_save
from journeys.services.destinations import destination_create
from journeys.services.imports import journey_export_dict, journey_import_text
from journeys.services.journeys import journey_replace_contents
from journeys.services.streams import DecisionEvents, JourneyEvents, delivery_stream

from ..engine.test_decisions import loan_decision
from ..engine.test_decisions_variants import branching_loan

pytestmark = pytest.mark.django_db
START, END = 1_772_409_600_000, 1_772_409_600_000 + 6 * 3_600_000


def loan_file(*decisions) -> str:
    return dumps_document(JourneyDocument(branching_loan(), "", decisions))


@pytest.fixture
def alice():
    return get_user_model().objects.create_user("alice")


@pytest.fixture
def journey(alice):
    """The branching loan journey whose variant "Automated" (loan.decided) is a decision with settings."""
    return journey_import_text(text=loan_file(loan_decision(variant=0, topic="bai-loans")), owner=alice)


def kafka(owner, name):
    return destination_create(owner=owner, name=name, kind="kafka", config={"bootstrap_servers": "b:9", "topic": "e"})


def test_it_imports_a_variants_settings_onto_the_variant_and_exports_them_back(journey):
    [row] = DecisionSettings.objects.all()
    assert row.variant == StepVariant.objects.get(event_type="loan.decided")
    assert row.step == row.variant.step and row.way == row.variant and row.topic == "bai-loans"
    exported = journey_export_dict(journey)
    assert exported == json.loads(loan_file(loan_decision(variant=0, topic="bai-loans")))
    assert "decision_settings" in exported["steps"][3]["variants"][0]


def test_it_reads_variant_decisions_in_journey_order_beside_plain_decision_steps(alice):
    spec = branching_loan()
    steps = list(spec.steps)
    steps[1] = replace(steps[1], is_decision=True)
    plain = loan_decision(step=1, decision_operation="verifyIdentity")
    journey = journey_import_text(
        text=dumps_document(JourneyDocument(replace(spec, steps=tuple(steps)), "", (plain, loan_decision(variant=0)))),
        owner=alice,
    )

    decisions = journey_decisions(journey)
    tab = journey_decision_steps(journey)

    assert [(spec.step, spec.variant, spec.decision_operation) for _, spec in decisions] == [
        (1, None, "verifyIdentity"),
        (3, 0, "approveLoan"),
    ]
    assert [(way.name, way.event_type, way.settings is not None) for way in tab] == [
        ("Identity verified", "identity.verified", True),
        ("Loan decision: Automated", "loan.decided", True),
    ]


def test_it_lists_a_decision_variant_without_settings_and_delivers_nothing_for_it(alice):
    journey = journey_import_text(text=loan_file(), owner=alice)

    [way] = journey_decision_steps(journey)

    assert (way.name, way.variant.name, way.settings) == ("Loan decision: Automated", "Automated", None)
    assert journey_decisions(journey) == [] and journey_decision_samples(journey, at=datetime.now(UTC)) == []


def settings_values(**changes) -> dict:
    values = {name: getattr(DecisionSettings(), name) for name in EDITABLE_FIELDS}
    values.update(decision_service_id="lending.Manual", decision_service_name="Manual")
    values.update(decision_service_version="1.0.0", decision_operation="review")
    values.update(changes)
    return values


def test_it_saves_a_variants_settings_and_refuses_a_variant_not_marked_as_a_decision(alice):
    journey = journey_import_text(text=loan_file(), owner=alice)
    automated, manual = StepVariant.objects.filter(step__journey=journey)
    bai = kafka(alice, "BAI")

    saved = decision_settings_save(
        step=automated.step, variant=automated, values=settings_values(), destination=bai, actor=alice
    )
    again = decision_settings_save(
        step=automated.step, variant=automated, values=settings_values(topic="t2"), destination=bai, actor=alice
    )

    assert saved.pk == again.pk and DecisionSettings.objects.get().topic == "t2"
    assert JourneyDestination.objects.filter(journey=journey, destination=bai, active=True).exists()
    with pytest.raises(ValueError, match="variant 'Manual' of step 'Loan decision' is not marked as a decision"):
        decision_settings_save(
            step=manual.step, variant=manual, values=settings_values(), destination=None, actor=alice
        )
    with pytest.raises(ValueError, match="is not marked as a decision"):  # the step itself is not: its variant is
        decision_settings_save(step=automated.step, values=settings_values(), destination=None, actor=alice)
    assert DecisionSettings.objects.count() == 1


def test_it_keeps_one_settings_row_per_decision_variant_and_per_decision_step(journey):
    row = DecisionSettings.objects.get()
    fields = {name: getattr(row, name) for name in EDITABLE_FIELDS}
    with pytest.raises(IntegrityError), transaction.atomic():
        DecisionSettings.objects.create(step=row.step, variant=row.variant, **fields)
    plain = journey.steps.get(event_type="identity.verified")
    DecisionSettings.objects.create(step=plain, **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        DecisionSettings.objects.create(step=plain, **fields)


def test_saving_the_journey_keeps_a_variants_settings_and_they_follow_its_event_type(journey):
    spec = journey_to_spec(journey)
    steps = list(spec.steps)
    automated, manual = steps[3].variants
    steps[3] = replace(steps[3], variants=(manual, replace(automated, name="Straight-through", weight=60)))
    journey_replace_contents(journey=journey, spec=replace(spec, steps=tuple(steps)))

    [(row, decision)] = journey_decisions(journey)
    assert (row.variant.name, decision.variant, row.topic) == ("Straight-through", 1, "bai-loans")

    # The variant becomes a plain decision step with the same event type: its settings go with it.
    steps[3] = Step("Loan decision", "loan.decided", min_delay_hours=0.001, max_delay_hours=0.01, is_decision=True)
    journey_replace_contents(journey=journey, spec=replace(spec, steps=tuple(steps)))
    [(row, decision)] = journey_decisions(journey)
    assert (row.variant, row.step.event_type, decision.variant, row.topic) == (None, "loan.decided", None, "bai-loans")


@pytest.mark.parametrize("how", ["turned off", "deleted"])
def test_a_variant_turned_off_or_deleted_loses_its_settings_and_its_decision_destination(journey, how):
    bai = kafka(journey.owner, "BAI")
    decision_destination_set(settings=DecisionSettings.objects.get(), destination=bai)
    pair = JourneyDestination.objects.get(journey=journey, destination=bai)
    spec = journey_to_spec(journey)
    steps = list(spec.steps)
    automated, manual = steps[3].variants
    if how == "turned off":
        ways = (replace(automated, is_decision=False), manual)
    else:
        ways = (manual, Variant("Escalated", "loan.escalated", weight=5))
    steps[3] = replace(steps[3], variants=ways)

    journey_replace_contents(journey=journey, spec=replace(spec, steps=tuple(steps)))

    assert not DecisionSettings.objects.exists() and journey_decisions(journey) == []
    pair.refresh_from_db()
    assert not pair.active  # it would otherwise receive the journey's own events
    assert isinstance(delivery_stream(pair=pair, journey=compile_journey(journey_to_spec(journey))), JourneyEvents)


def test_a_variant_deleted_from_the_database_takes_its_settings_with_it(journey):
    StepVariant.objects.get(event_type="loan.decided").delete()
    assert not DecisionSettings.objects.exists()


def test_the_decision_destination_gets_one_event_per_execution_of_the_decision_variant(journey):
    bai = kafka(journey.owner, "BAI")
    decision_destination_set(settings=DecisionSettings.objects.get(), destination=bai)
    pair = JourneyDestination.objects.get(journey=journey, destination=bai)

    compiled = compile_journey(journey_to_spec(journey))
    stream = delivery_stream(pair=pair, journey=compiled)
    events = [e for batch in stream.batches(START, END, None) for e in batch.to_dicts()]
    types = Counter(e["event.type"] for e in generate_dicts(compiled, START, END))

    assert isinstance(stream, DecisionEvents)
    assert stream.sink_config({"topic": "e"}, "kafka") == {"topic": "bai-loans"}
    assert len(events) == types["loan.decided"] > 100 and types["loan.reviewed"] > 30
    assert {e["decisionOperation"] for e in events} == {"approveLoan"}


def test_the_preview_sample_names_the_variant_and_links_by_its_event_type(journey):
    [sample] = journey_decision_samples(journey, at=datetime(2026, 3, 2, 9, tzinfo=UTC))

    event = json.loads(sample["json"])
    assert (sample["step"], sample["event_type"]) == ("Loan decision: Automated", "loan.decided")
    assert event["decisionOperation"] == "approveLoan" and event["timestamp"] == 1772442000000
