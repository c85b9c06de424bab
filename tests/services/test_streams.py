"""Which stream a journey-destination delivers: the journey's events or its decision events."""

import pytest
from django.contrib.auth import get_user_model

from journeys.engine.compiled import compile_journey
from journeys.engine.spec import JourneySpec, Step
from journeys.models import DecisionSettings, JourneyDestination
from journeys.selectors.journeys import journey_to_spec
from journeys.services.decisions import decision_destination_set, decisions_replace_from_document
from journeys.services.destinations import destination_attach, destination_create
from journeys.services.journeys import journey_create_from_spec
from journeys.services.streams import DecisionEvents, JourneyEvents, delivery_stream

pytestmark = pytest.mark.django_db
START, END = 1_772_409_600_000, 1_772_409_600_000 + 6 * 3_600_000
DOCUMENT = {
    "format": "bizflow-studio/decisions",
    "version": 1,
    "decisions": [
        {
            "step": step,
            "decision_service_id": "insure.Claims",
            "decision_service_name": "Claims",
            "decision_service_version": "1.0",
            "decision_operation": step,
        }
        for step in ("claim.triaged", "claim.settled")
    ],
}


@pytest.fixture
def journey():
    alice = get_user_model().objects.create_user("alice")
    spec = JourneySpec(
        name="Claims",
        event_provider="insure.claims",
        correlation_field="claim.id",
        journeys_per_day=2000,
        steps=(
            Step("Filed", "claim.filed"),
            Step("Triage", "claim.triaged", max_delay_hours=0.2, is_decision=True),
            Step("Settlement", "claim.settled", max_delay_hours=0.5, is_decision=True),
        ),
    )
    return journey_create_from_spec(spec=spec, owner=alice)


def kafka(owner, name):
    return destination_create(
        owner=owner, name=name, kind="kafka", config={"bootstrap_servers": "b:9092", "topic": "events"}
    )


def test_it_delivers_the_journeys_events_where_no_decision_step_sends(journey):
    pair = destination_attach(journey=journey, destination=kafka(journey.owner, "Events"))

    stream = delivery_stream(pair=pair, journey=compile_journey(journey_to_spec(journey)))

    assert isinstance(stream, JourneyEvents)
    assert stream.sink_config({"topic": "events"}, "kafka") == {"topic": "events"}


def test_it_delivers_the_decision_events_of_every_step_sending_there_on_their_topic(journey):
    triage, settle = decisions_replace_from_document(journey=journey, document=DOCUMENT)
    bai = kafka(journey.owner, "BAI")
    decision_destination_set(settings=triage, destination=bai)
    decision_destination_set(settings=settle, destination=bai)
    pair = JourneyDestination.objects.get(journey=journey, destination=bai)

    compiled = compile_journey(journey_to_spec(journey))
    stream = delivery_stream(pair=pair, journey=compiled)
    decisions = [d for batch in stream.batches(START, END, None) for d in batch.to_dicts()]

    assert isinstance(stream, DecisionEvents)
    assert stream.sink_config({"topic": "events", "x": 1}, "kafka") == {"topic": "icp4ba-bai-ads-ingress", "x": 1}
    assert {d["decisionOperation"] for d in decisions} == {"claim.triaged", "claim.settled"}
    assert sum(len(c) for c in stream.columns(START, END, None)) == len(decisions)


def test_it_refuses_two_topics_on_one_destination(journey):
    triage, settle = decisions_replace_from_document(journey=journey, document=DOCUMENT)
    bai = kafka(journey.owner, "BAI")
    decision_destination_set(settings=triage, destination=bai)
    decision_destination_set(settings=settle, destination=bai)
    DecisionSettings.objects.filter(pk=settle.pk).update(topic="decisions-settle")

    with pytest.raises(ValueError, match="must share a topic"):
        delivery_stream(
            pair=JourneyDestination.objects.get(journey=journey, destination=bai),
            journey=compile_journey(journey_to_spec(journey)),
        )
