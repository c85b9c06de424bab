"""Journeys with variants, end states, delay shapes and surges survive the round trip through the rows."""

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model

from journeys.engine.spec import Incident, Surge
from journeys.models import ErrorRule, StepVariant
from journeys.models import Incident as IncidentRow
from journeys.models import Surge as SurgeRow
from journeys.selectors.journeys import journey_to_spec
from journeys.services.journeys import journey_create_from_spec, journey_replace_contents

from ..engine.helpers import branching_journey, example

pytestmark = pytest.mark.django_db


def full_branching_journey():
    return branching_journey(
        incidents=(Incident(2, "outage", 30, daily_start_hour=22, daily_end_hour=2, variant=1),),
        surges=(
            Surge(3, daily_start_hour=9, daily_end_hour=11.5),
            Surge(0.2, starts_at=datetime(2026, 12, 24, 18, tzinfo=UTC), ends_at=datetime(2026, 12, 26, tzinfo=UTC)),
        ),
    )


@pytest.fixture
def alice():
    return get_user_model().objects.create_user("alice", password="x")


def test_it_saves_and_loads_a_journey_with_every_version_2_feature(alice):
    spec = full_branching_journey()
    journey = journey_create_from_spec(spec=spec, owner=alice)
    assert journey_to_spec(journey) == spec
    decision = journey.steps.get(position=2)
    assert decision.event_type == "" and [v.name for v in decision.variants.all()] == [
        "Approved",
        "Referred",
        "Rejected",
    ]
    assert StepVariant.objects.get(event_type="loan.rejected").ends_journey
    assert ErrorRule.objects.get(name="fraud").variant.event_type == "loan.rejected"
    assert IncidentRow.objects.get().variant.name == "Referred"
    assert SurgeRow.objects.filter(journey=journey).count() == 2


def test_it_replaces_variants_and_surges_on_an_edit(alice):
    journey = journey_create_from_spec(spec=full_branching_journey(), owner=alice)
    plain = example("retail-order-delivery")
    journey_replace_contents(journey=journey, spec=plain)
    assert journey_to_spec(journey) == plain
    assert not StepVariant.objects.exists() and not SurgeRow.objects.exists()
    again = replace(full_branching_journey(), surges=())
    journey_replace_contents(journey=journey, spec=again)
    assert journey_to_spec(journey) == again and StepVariant.objects.count() == 5
