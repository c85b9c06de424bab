"""Reads for delivery: which journey-destinations are due, and what a journey's delivery looks like."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .access import require_role
from .models import Destination, Journey, JourneyDestination, Membership, Run


def due_pair_ids(*, now: datetime, owner=None) -> list[int]:
    """Active pairs of active journeys whose destination is not stopped, not held by a run, not backing off.

    Claims are judged by the wall clock (they guard running processes); a Retry-After is judged by
    ``now``, the time the events are delivered for, so replays with ``tick --now`` honour it too.
    """
    wall = timezone.now()
    pairs = JourneyDestination.objects.filter(
        active=True, journey__state=Journey.State.ACTIVE, destination__stopped_reason=""
    ).filter(Q(locked_until__isnull=True) | Q(locked_until__lt=wall))
    pairs = pairs.filter(Q(retry_not_before__isnull=True) | Q(retry_not_before__lte=now))
    if owner is not None:  # one user's journeys only (benchmarks)
        pairs = pairs.filter(journey__owner=owner)
    return list(pairs.order_by("id").values_list("id", flat=True))


def journey_deliveries(journey: Journey) -> QuerySet[JourneyDestination]:
    return (
        JourneyDestination.objects.filter(journey=journey)
        .select_related("destination")
        .order_by("destination__name", "id")
    )


def journey_recent_runs(journey: Journey, *, limit: int = 20) -> QuerySet[Run]:
    return (
        Run.objects.filter(journey_destination__journey=journey)
        .select_related("journey_destination__destination")
        .order_by("-started_at", "-id")[:limit]
    )


def journey_delivery_totals(journey: Journey) -> dict:
    totals = Run.objects.filter(journey_destination__journey=journey).aggregate(
        runs=Count("id"),
        generated=Sum("events_generated"),
        delivered=Sum("delivered"),
        rejected=Sum("rejected"),
        expired=Sum("expired"),
        bytes=Sum("bytes"),
        failed=Count("id", filter=Q(outcome=Run.Outcome.FAILED)),
    )
    return {key: value or 0 for key, value in totals.items()}


def destination_list_for_user(user) -> QuerySet[Destination]:
    """The destinations of every tenant the user belongs to."""
    return (
        Destination.objects.filter(tenant__memberships__user=user)
        .select_related("tenant")
        .annotate(journey_count=Count("deliveries", distinct=True))
        .order_by("tenant__name", "name")
    )


def destination_get_for_user(user, pk: int, *, needed: str = Membership.Role.VIEWER) -> Destination:
    """The destination if the user is in its tenant: 404 for outsiders, 403 below ``needed``."""
    destination = get_object_or_404(Destination.objects.filter(tenant__memberships__user=user).distinct(), pk=pk)
    require_role(user, destination.tenant, needed)
    return destination
