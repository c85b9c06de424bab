"""The audit log adds up: attaching and detaching destinations, imports as imports, changes with their fields."""

import pytest
from django.contrib.auth.models import User

from journeys.engine.spec import JourneySpec, Step
from journeys.models import AuditEntry, JourneyDestination
from journeys.selectors.journeys import journey_to_spec
from journeys.services.destinations import (
    destination_attach,
    destination_create,
    destination_detach,
    destination_update,
)
from journeys.services.editing import journey_save_from_editor
from journeys.services.imports import journey_import_text
from journeys.services.journeys import journey_create_from_spec
from journeys.services.tenancy import tenant_create

from .views.conftest import EXAMPLES

pytestmark = pytest.mark.django_db
SPEC = JourneySpec("Orders", "acme.shop", "order.id", (Step("Place", "order.placed"), Step("Pay", "order.paid")))


@pytest.fixture
def alice():
    return User.objects.create_user("alice")


@pytest.fixture
def acme(alice):
    return tenant_create(name="Acme", owner=alice)


def _last(action: str) -> AuditEntry:
    return AuditEntry.objects.filter(action=action).latest("id")


def test_it_records_attaching_and_detaching_a_destination(alice, acme):
    journey = journey_create_from_spec(spec=SPEC, owner=alice, tenant=acme)
    files = destination_create(owner=alice, tenant=acme, name="Files", kind="file", config={})

    destination_attach(journey=journey, destination=files, actor=alice)
    destination_attach(journey=journey, destination=files, actor=alice)  # already attached: nothing new
    pair = JourneyDestination.objects.get(journey=journey, destination=files)
    destination_detach(journey_destination=pair, actor=alice)
    destination_detach(journey_destination=pair, actor=alice)  # already detached: nothing new

    attached, detached = _last("destination.attached"), _last("destination.detached")
    assert AuditEntry.objects.filter(action="destination.attached").count() == 1
    assert AuditEntry.objects.filter(action="destination.detached").count() == 1
    assert attached.actor == alice and attached.tenant == acme and attached.target_label == "Orders"
    assert detached.details == {"destination": "Files", "kind": "file"} and detached.id > attached.id


def test_it_records_an_import_as_an_import(alice, acme):
    text = (EXAMPLES / "retail-order-delivery.config.js").read_text()

    journey = journey_import_text(text=text, owner=alice, tenant=acme)

    entry = AuditEntry.objects.get(target_id=str(journey.pk), action__startswith="journey.")
    assert entry.action == "journey.imported" and entry.details == {"format": "configjs"}


def test_it_says_which_fields_a_change_changed(alice, acme):
    journey = journey_create_from_spec(spec=SPEC, owner=alice, tenant=acme)
    spec = journey_to_spec(journey)
    changed = JourneySpec(
        "Orders", "acme.shop", "order.id", spec.steps, journeys_per_day=900, seed=spec.seed, timezone="Europe/Paris"
    )

    journey_save_from_editor(journey=journey, actor=alice, spec=changed, description="now with a description")

    assert _last("journey.updated").details == {"changed": ["description", "journeys_per_day", "timezone"]}


def test_it_says_which_destination_settings_changed_never_their_values(alice, acme):
    hook = destination_create(
        owner=alice, tenant=acme, name="Hook", kind="webhook", config={"url": "https://a.example.com/in"}
    )

    destination_update(
        destination=hook,
        name="Hook 2",
        config={"url": "https://b.example.com/in"},
        secrets={"headers": {"Authorization": "secret-value-123"}},
        actor=alice,
    )

    entry = _last("destination.updated")
    assert entry.details == {"changed": ["name", "url"], "secrets_set": ["headers"]}  # none was stored before
    assert "secret-value-123" not in str(entry.details)
