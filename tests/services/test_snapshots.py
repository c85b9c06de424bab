"""A journey's snapshot, what delivery runs read, is the journey its rows hold after every write."""

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from journeys.benchmarks import branching_retail_spec, retail_spec
from journeys.engine.generator import generate, to_epoch_ms
from journeys.engine.jsonformat import JourneyImportError, loads, spec_to_dict
from journeys.engine.spec import JourneySpec, Step
from journeys.models import Journey
from journeys.selectors.journeys import journey_to_spec
from journeys.services.editing import journey_duplicate, journey_save_from_editor
from journeys.services.imports import journey_import_text
from journeys.services.journeys import journey_create_from_spec, journey_replace_contents
from journeys.services.snapshots import journey_spec_for_delivery

pytestmark = pytest.mark.django_db

EXAMPLES = sorted((Path(__file__).parents[2] / "journeys" / "examples").glob("*.json"))


@pytest.fixture
def alice():
    return get_user_model().objects.create_user("alice")


def stored(journey: Journey) -> Journey:
    """The journey as a worker loads it: a fresh row."""
    return Journey.objects.get(pk=journey.pk)


def same(a: JourneySpec, b: JourneySpec) -> bool:
    """The same journey: the same journey file, and the same bytes for six hours of events.

    (A step with variants keeps settings of its own that nothing reads and the file leaves out.)
    """
    return spec_to_dict(a) == spec_to_dict(b) and ndjson(a) == ndjson(b)


def ndjson(spec: JourneySpec) -> bytes:
    start = to_epoch_ms(datetime(2026, 3, 2, 6, tzinfo=UTC))
    data = b"".join(batch.data for batch in generate(spec, start, start + 6 * 3_600_000))
    assert data.count(b"\n") > 100
    return data


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_an_imported_journey_has_the_snapshot_of_its_rows(alice, path):
    journey = journey_import_text(text=path.read_text(), owner=alice)

    assert stored(journey).spec_snapshot
    assert journey_spec_for_delivery(stored(journey)) == journey_to_spec(journey) == loads(path.read_text())


@pytest.mark.parametrize("spec", [retail_spec(), branching_retail_spec()], ids=["retail", "branching"])
def test_a_created_journey_has_the_snapshot_of_its_rows(alice, spec):
    journey = journey_create_from_spec(spec=spec, owner=alice)

    assert same(journey_spec_for_delivery(stored(journey)), journey_to_spec(journey))
    assert same(journey_spec_for_delivery(stored(journey)), spec)


def test_an_edit_rewrites_the_snapshot(alice):
    journey = journey_create_from_spec(spec=retail_spec(), owner=alice)
    steps = list(retail_spec().steps)
    steps[2] = replace(steps[2], drop_off_pct=42.5)
    edited = replace(retail_spec(), journeys_per_day=1234, steps=(*steps, Step("Review", "order.reviewed")))

    journey_replace_contents(journey=stored(journey), spec=edited)

    assert journey_spec_for_delivery(stored(journey)) == journey_to_spec(stored(journey)) == edited


def test_the_editors_save_and_a_duplicate_have_the_snapshot_of_their_rows(alice):
    journey = journey_create_from_spec(spec=retail_spec(), owner=alice)
    journey_save_from_editor(
        journey=stored(journey), actor=alice, spec=replace(retail_spec(), seed=99), description="Edited"
    )
    copy = journey_duplicate(journey=stored(journey), actor=alice)

    assert journey_spec_for_delivery(stored(journey)).seed == 99
    for each in (journey, copy):
        assert journey_spec_for_delivery(stored(each)) == journey_to_spec(stored(each))


def test_a_journey_without_a_snapshot_gets_one_when_first_read(alice):
    journey = journey_create_from_spec(spec=retail_spec(), owner=alice)
    Journey.objects.filter(pk=journey.pk).update(spec_snapshot=None)  # as saved before snapshots existed

    spec = journey_spec_for_delivery(stored(journey))

    assert spec == retail_spec()
    assert stored(journey).spec_snapshot
    assert journey_spec_for_delivery(stored(journey)) == spec


def test_extra_attributes_and_decision_templates_keep_the_order_they_were_written_in(alice):
    # PostgreSQL's jsonb sorts an object's keys; these are stored as text so that events and exports
    # keep the user's order on every database.
    attributes = (("zeta", "1"), ("alpha", "2"), ("mid", "3"))
    journey = journey_create_from_spec(spec=replace(retail_spec(), extra_attributes=attributes), owner=alice)

    assert journey_to_spec(stored(journey)).extra_attributes == attributes
    assert journey_spec_for_delivery(stored(journey)).extra_attributes == attributes
    line = ndjson(journey_spec_for_delivery(stored(journey))).split(b"\n")[0]
    assert line.endswith(b',"zeta":"1","alpha":"2","mid":"3"}')


def test_reading_a_snapshot_checks_it_against_the_ceilings_of_now(alice, settings):
    journey = journey_create_from_spec(spec=retail_spec(), owner=alice)  # 600 journeys a day
    settings.BIZFLOW_MAX_JOURNEYS_PER_DAY = 500  # an operator lowered the ceiling since

    with pytest.raises(JourneyImportError, match="journeys_per_day"):
        journey_spec_for_delivery(stored(journey))
