"""A journey's life on the schedule: activate, pause, resume, send now, and the scheduler's pass."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from ..access import role_at_least, role_in
from ..engine.spec import ensure_valid
from ..models import Journey, JourneyDestination, Membership, Run
from ..selectors.delivery import due_pair_ids
from ..selectors.journeys import journey_to_spec
from .delivery import delivery_catch_up, pair_start
from .probes import destination_probe_request, probe_wanted
from .queue import enqueue_deliveries, enqueue_delivery, enqueue_probe
from .tenancy import audit_record


def _acting_as(journey: Journey, user) -> dict:
    """Check the user may change the journey's schedule; returns what the audit entry should add.

    Editors and owners of the journey's tenant may. So may an active superuser, who runs the admin
    console and may pause or resume any tenant's journeys from there; their entry says so. Views
    check access first; this keeps a service called from elsewhere from acting for a stranger.
    """
    if user is not None and role_at_least(role_in(user, journey.tenant), Membership.Role.EDITOR):
        return {}
    if user is not None and user.is_active and user.is_superuser:
        return {"as_superuser": True}
    raise PermissionDenied("changing a journey's schedule needs the editor role in its tenant")


def _set_state(journey: Journey, state: str) -> None:
    journey.state = state
    journey.save(update_fields=["state", "updated_at"])


@transaction.atomic
def journey_activate(*, journey: Journey, user, now: datetime | None = None) -> list[JourneyDestination]:
    """Put the journey on the schedule. Pairs that never ran get their backfill origin now.

    Raises :class:`~journeys.engine.spec.InvalidJourney` when the journey cannot be generated.
    Returns the journey's active pairs (a view enqueues their first run so the backfill starts at once).
    """
    details = _acting_as(journey, user)
    ensure_valid(journey_to_spec(journey))
    action = "journey.resumed" if journey.state == Journey.State.PAUSED else "journey.activated"
    _set_state(journey, Journey.State.ACTIVE)
    audit_record(actor=user, tenant=journey.tenant, action=action, target=journey, details=details)
    now = now or timezone.now()
    pairs = JourneyDestination.objects.filter(journey=journey, active=True).select_related("destination", "journey")
    return [pair_start(pair=pair, now=now) for pair in pairs]


@transaction.atomic
def journey_pause(*, journey: Journey, user) -> Journey:
    """Take the journey off the schedule; its cursors stay where they are."""
    details = _acting_as(journey, user)
    _set_state(journey, Journey.State.PAUSED)
    audit_record(actor=user, tenant=journey.tenant, action="journey.paused", target=journey, details=details)
    return journey


def journey_resume(*, journey: Journey, user, now: datetime | None = None) -> list[JourneyDestination]:
    """Back on the schedule: the next run delivers everything since the pause (too-old events are counted expired)."""
    return journey_activate(journey=journey, user=user, now=now)


def journey_send_now(*, journey_id: int, now: datetime | None = None) -> list[Run]:
    """Deliver what is due for every destination of an active journey, now, in the foreground."""
    now = now or timezone.now()
    pair_ids = JourneyDestination.objects.filter(
        journey_id=journey_id, journey__state=Journey.State.ACTIVE, active=True
    ).values_list("id", flat=True)
    runs: list[Run] = []
    for pair_id in pair_ids:
        runs.extend(delivery_catch_up(journey_destination_id=pair_id, now=now, kind=Run.Kind.MANUAL))
    return runs


def delivery_tick(*, now: datetime, owner=None) -> list[Run]:
    """One scheduler pass in the foreground: every due pair delivers up to ``now`` (only ``owner``'s, if given)."""
    runs: list[Run] = []
    for pair_id in due_pair_ids(now=now, owner=owner):
        runs.extend(delivery_catch_up(journey_destination_id=pair_id, now=now))
    return runs


def scheduling_pass(*, now: datetime, replay: bool = False, owner=None, queue: str | None = None) -> int:
    """The scheduler pass: find the due pairs (one query) and queue one delivery task each (in bulk).

    Nothing per pair happens here: each run's work is a worker's. ``replay``: the runs deliver up to
    ``now`` rather than up to their worker's clock. ``owner`` and ``queue`` are for benchmarks.
    """
    pair_ids = due_pair_ids(now=now, owner=owner)
    return enqueue_deliveries(journey_destination_ids=pair_ids, now=now.isoformat() if replay else None, queue=queue)


def runs_prune(*, older_than_days: int, now: datetime | None = None) -> int:
    """Delete run records older than ``older_than_days``; progress lives on the pairs, not in runs."""
    before = (now or timezone.now()) - timedelta(days=older_than_days)
    deleted, _ = Run.objects.filter(started_at__lt=before).exclude(outcome=Run.Outcome.RUNNING).delete()
    return deleted


def journey_destinations_start(*, pairs: list[JourneyDestination]) -> None:
    """Start the first run of each pair at once (a backfill need not wait for the next tick).

    Before a first backfill to Dynatrace, the tenant is asked what it already holds; the run follows
    the answer. Stopped destinations and inactive pairs wait for the schedule.
    """
    for pair in pairs:
        if not pair.active or pair.destination.is_stopped:
            continue
        if probe_wanted(pair) and pair.probe_requested_at is None:
            destination_probe_request(journey_destination=pair)
            enqueue_probe(journey_destination_id=pair.pk, then_deliver=True)
        else:
            enqueue_delivery(journey_destination_id=pair.pk)
