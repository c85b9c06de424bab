"""Destinations: create and edit them, attach them to journeys, and the demo's default one."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from ..models import Destination, Journey, JourneyDestination
from ..sinks import KINDS
from .delivery import pair_start
from .scheduling import journey_activate

DEMO_DESTINATION_NAME = "Local files"


def _clean_secrets(secrets: dict | None) -> dict:
    return {key: value for key, value in (secrets or {}).items() if value not in (None, "")}


def destination_create(*, owner, name: str, kind: str, config: dict, secrets: dict | None = None) -> Destination:
    if kind not in KINDS:
        raise ValueError(f"unknown destination kind {kind!r}")
    return Destination.objects.create(owner=owner, name=name, kind=kind, config=config, secrets=_clean_secrets(secrets))


@transaction.atomic
def destination_update(
    *, destination: Destination, name: str, config: dict, secrets: dict | None = None
) -> Destination:
    """Save new settings. ``secrets`` (when given) is the whole new set: a kind's settings form keeps a
    stored secret the user left empty, and drops one that no longer applies.

    A stopped destination starts again: the user has changed what made it fail.
    """
    destination.name = name
    destination.config = config
    if secrets is not None:
        destination.secrets = _clean_secrets(secrets)
    destination.stopped_reason = ""
    destination.stopped_at = None
    destination.save()
    return destination


def destination_restart(*, destination: Destination) -> Destination:
    """Clear a stop, to try again as it is (after fixing the other side: a token's scope, a topic)."""
    Destination.objects.filter(pk=destination.pk).update(stopped_reason="", stopped_at=None)
    destination.refresh_from_db()
    return destination


@transaction.atomic
def destination_attach(
    *, journey: Journey, destination: Destination, now: datetime | None = None
) -> JourneyDestination:
    """Deliver ``journey`` to ``destination`` too; an active journey starts its backfill at once.

    Attaching again switches a detached pair back on where it left off.
    """
    if destination.owner_id != journey.owner_id:
        raise ValueError("a journey can only deliver to its owner's destinations")
    pair, created = JourneyDestination.objects.get_or_create(journey=journey, destination=destination)
    if not created and not pair.active:
        pair.active = True
        pair.save(update_fields=["active"])
    if journey.state == Journey.State.ACTIVE:
        pair = pair_start(pair=pair, now=now or timezone.now())
    return pair


def destination_detach(*, journey_destination: JourneyDestination) -> None:
    """Stop delivering this journey there; its progress is kept in case it is attached again."""
    JourneyDestination.objects.filter(pk=journey_destination.pk).update(active=False)


@transaction.atomic
def demo_destination_ensure(user, *, now: datetime | None = None) -> Destination:
    """The demo's file destination (files under var/events), attached to every journey of ``user``.

    Journeys still in draft are activated, so ``make run`` shows events arriving; a journey the user
    paused stays paused. Safe to run again.
    """
    destination = Destination.objects.filter(owner=user, kind="file", name=DEMO_DESTINATION_NAME).first()
    if destination is None:
        destination = destination_create(owner=user, name=DEMO_DESTINATION_NAME, kind="file", config={})
    for journey in Journey.objects.filter(owner=user):
        destination_attach(journey=journey, destination=destination, now=now)
        if journey.state == Journey.State.DRAFT:
            journey_activate(journey=journey, user=user, now=now)
    return destination
