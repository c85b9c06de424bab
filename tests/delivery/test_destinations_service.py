"""Destinations and schedules as services: attach, activate, the demo's default destination."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied

from journeys.engine.generator import to_epoch_ms
from journeys.models import Destination, Journey, JourneyDestination
from journeys.services.destinations import (
    DEMO_DESTINATION_NAME,
    demo_destination_ensure,
    destination_attach,
    destination_create,
    destination_detach,
    destination_update,
)
from journeys.services.journeys import journey_create_from_spec
from journeys.services.scheduling import journey_activate, journey_pause

from .conftest import CLUSTERED, T0


def test_it_starts_the_backfill_when_attached_to_an_active_journey(alice, journey):
    journey_activate(journey=journey, user=alice, now=T0)
    destination = destination_create(owner=alice, name="Disk", kind="file", config={})

    pair = destination_attach(journey=journey, destination=destination, now=T0 + timedelta(hours=1))

    assert pair.origin_ms == to_epoch_ms(T0 + timedelta(hours=1) - timedelta(hours=23, minutes=30))
    assert pair.backfill_until_ms == to_epoch_ms(T0 + timedelta(hours=1))


def test_it_waits_for_activation_to_start_a_draft_journeys_backfill(alice, journey):
    pair = destination_attach(
        journey=journey, destination=destination_create(owner=alice, name="D", kind="file", config={})
    )

    assert pair.cursor_ms is None
    journey_activate(journey=journey, user=alice, now=T0)
    pair.refresh_from_db()
    assert pair.cursor_ms == pair.origin_ms and pair.backfill_until_ms == to_epoch_ms(T0)


def test_it_keeps_progress_when_a_pair_is_detached_and_attached_again(alice, journey, pair):
    journey_activate(journey=journey, user=alice, now=T0)
    JourneyDestination.objects.filter(pk=pair.pk).update(cursor_ms=to_epoch_ms(T0) - 5)

    destination_detach(journey_destination=pair)
    again = destination_attach(journey=journey, destination=pair.destination, now=T0 + timedelta(days=3))

    assert again.pk == pair.pk and again.active and again.cursor_ms == to_epoch_ms(T0) - 5


def test_it_refuses_another_users_destination(alice, bob, journey):
    with pytest.raises(ValueError, match="owner's destinations"):
        destination_attach(journey=journey, destination=destination_create(owner=bob, name="B", kind="file", config={}))


def test_it_lets_only_the_owner_change_the_schedule(bob, journey):
    with pytest.raises(PermissionDenied):
        journey_activate(journey=journey, user=bob)
    with pytest.raises(PermissionDenied):
        journey_pause(journey=journey, user=bob)


def test_it_refuses_an_unknown_kind(alice):
    with pytest.raises(ValueError, match="unknown destination kind"):
        destination_create(owner=alice, name="X", kind="pigeon", config={})


def test_it_replaces_the_secrets_and_restarts_a_stopped_destination_on_edit(alice):
    destination = destination_create(
        owner=alice, name="T", kind="webhook", config={}, secrets={"token": "a", "empty": ""}
    )
    Destination.objects.filter(pk=destination.pk).update(stopped_reason="401")
    destination.refresh_from_db()

    destination_update(destination=destination, name="T2", config={"url": "u"}, secrets={"token": "", "password": "p"})
    replaced = Destination.objects.get(pk=destination.pk)
    destination_update(destination=replaced, name="T2", config={"url": "u"})

    stored = Destination.objects.get(pk=destination.pk)
    assert replaced.secrets == stored.secrets == {"password": "p"}
    assert (stored.name, stored.config, stored.stopped_reason) == ("T2", {"url": "u"}, "")


def test_it_gives_the_demo_a_file_destination_and_activates_its_journeys(alice, journey, settings, tmp_path):
    paused = journey_create_from_spec(spec=CLUSTERED, owner=alice)
    Journey.objects.filter(pk=paused.pk).update(state=Journey.State.PAUSED)

    destination = demo_destination_ensure(alice, now=T0)
    again = demo_destination_ensure(alice, now=T0)

    assert again == destination and (destination.kind, destination.name) == ("file", DEMO_DESTINATION_NAME)
    assert Destination.objects.count() == 1
    assert JourneyDestination.objects.filter(destination=destination).count() == 2
    states = dict(Journey.objects.values_list("pk", "state"))
    assert states == {journey.pk: Journey.State.ACTIVE, paused.pk: Journey.State.PAUSED}
