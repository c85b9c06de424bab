import pytest
from django.contrib.auth import get_user_model

from journeys.engine.errors import JourneyImportError
from journeys.engine.importing import CONFIGJS_DESCRIPTION
from journeys.models import Journey
from journeys.services.imports import EXAMPLES_DIR, demo_seed, journey_export_dict, journey_import_text

RETAIL_JS = (EXAMPLES_DIR / "retail-order-delivery.config.js").read_text()


@pytest.fixture
def alice(db):
    return get_user_model().objects.create_user("alice")


def test_it_imports_a_config_js_with_its_provenance(alice):
    journey = journey_import_text(text=RETAIL_JS, owner=alice, journeys_per_day=900)
    assert journey.owner == alice and journey.journeys_per_day == 900
    assert journey.description == CONFIGJS_DESCRIPTION
    assert [step.event_type for step in journey.steps.all()][:2] == ["place.order", "warehouse.received"]


def test_it_raises_and_saves_nothing_for_a_bad_file(alice):
    with pytest.raises(JourneyImportError) as caught:
        journey_import_text(text=RETAIL_JS.replace('"acme.retail"', '""'), owner=alice)
    assert [str(e) for e in caught.value.errors] == ["line 14 (EVENT_PROVIDER): must not be empty"]
    assert not Journey.objects.exists()


def test_it_exports_the_description_with_the_journey(alice):
    journey = journey_import_text(text=(EXAMPLES_DIR / "travel-booking.json").read_text(), owner=alice)
    data = journey_export_dict(journey)
    assert data["description"] == journey.description and data["name"] == "[TRAVEL] Flight booking"
    assert data["errors"] == [
        {"step": "booking.paid", "name": "payment.declined", "pct": 4},
        {"step": "booking.paid", "name": "fare.expired", "pct": 2},
    ]


def test_it_seeds_from_any_examples_directory(db, tmp_path):
    (tmp_path / "only.json").write_text((EXAMPLES_DIR / "insurance-claim.json").read_text())
    (tmp_path / "ignored.config.js").write_text(RETAIL_JS)
    result = demo_seed(examples_dir=tmp_path)
    assert result.user_created and result.imported == [("only.json", "insurance-claim-handling")]
    assert demo_seed(examples_dir=tmp_path).skipped == [("only.json", "insurance-claim-handling")]
