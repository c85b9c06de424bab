from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model

from journeys.engine.generator import generate_dicts, to_epoch_ms
from journeys.engine.spec import ErrorRule, JourneySpec, Step, Weighted
from journeys.models import Destination
from journeys.services.destinations import destination_attach
from journeys.services.journeys import journey_create_from_spec
from journeys.services.tenancy import tenant_default_for_user

from .fakes import RECORDERS, Recorder

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

# Steps without delay and looping steps put several events of a journey on the same millisecond:
# exactly what a cursor must survive being cut in the middle of.
CLUSTERED = JourneySpec(
    name="Clustered orders",
    event_provider="test.clustered",
    correlation_field="order.id",
    seed=7,
    journeys_per_day=3000,
    steps=(
        Step("Place order", "order.placed", carries_location=True),
        Step("Check", "order.checked", max_loops=3),
        Step("Pay", "order.paid", drop_off_pct=10, min_delay_hours=0.05, max_delay_hours=0.5),
        Step("Confirm", "order.confirmed"),
        Step("Ship", "order.shipped", min_delay_hours=0.5, max_delay_hours=3),
    ),
    errors=(ErrorRule("card.declined", 2, 5),),
    locations=(Weighted("Leeds", 1), Weighted("York", 2)),
    hosts=(Weighted("HOST-0000000000000001", 1),),
)


@pytest.fixture
def alice(db):
    return get_user_model().objects.create_user("alice")


@pytest.fixture
def bob(db):
    return get_user_model().objects.create_user("bob")


@pytest.fixture
def charlie(db):
    return get_user_model().objects.create_user("charlie")


@pytest.fixture
def journey(alice):
    return journey_create_from_spec(spec=CLUSTERED, owner=alice)


@pytest.fixture
def recorder():
    recorder = Recorder()
    yield recorder
    RECORDERS.pop(recorder.name, None)


@pytest.fixture
def destination(alice, recorder) -> Destination:
    # Created directly: the test kind is not one of the product's kinds, which destination_create checks.
    return Destination.objects.create(
        owner=alice,
        tenant=tenant_default_for_user(alice),
        name="Recorder",
        kind="test-recorder",
        config={"recorder": recorder.name},
    )


@pytest.fixture
def pair(journey, destination):
    return destination_attach(journey=journey, destination=destination)


def expected_ids(spec, start, now, origin) -> list[str]:
    """The event ids the engine generates with timestamps in [start, now] for journeys from origin on."""
    return [e["event.id"] for e in generate_dicts(spec, to_epoch_ms(start), to_epoch_ms(now) + 1, to_epoch_ms(origin))]


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory):
    from .sandbox import migrated_template

    return migrated_template(tmp_path_factory.mktemp("template"))


@pytest.fixture
def sandbox(tmp_path, migrated_db):
    from .sandbox import Sandbox

    return Sandbox(tmp_path / "site", migrated_db)
