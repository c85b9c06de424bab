"""Reads for delivery: which journey-destinations are due, and what a journey's delivery looks like."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import BigIntegerField, Count, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from ..access import require_role
from ..models import Destination, Journey, JourneyDestination, Membership, Run, TenantAssets
from ..sinks.dynatrace.client import EnvironmentUrls


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
    """Its deliveries' runs and its asset pushes, newest first."""
    return (
        Run.objects.filter(Q(journey_destination__journey=journey) | Q(journey=journey))
        .select_related("journey_destination__destination", "destination")
        .order_by("-started_at", "-id")[:limit]
    )


def journey_delivery_totals(journey: Journey) -> dict:
    totals = Run.objects.filter(journey_destination__journey=journey).aggregate(
        runs=Count("id"),
        generated=Sum("events_generated"),
        delivered=Sum("delivered"),
        rejected=Sum("rejected"),
        expired=Sum("expired"),
        maybe_duplicated=Sum("maybe_duplicated"),
        bytes=Sum("bytes"),
        failed=Count("id", filter=Q(outcome=Run.Outcome.FAILED)),
    )
    return {key: value or 0 for key, value in totals.items()}


def destination_list_for_user(user) -> QuerySet[Destination]:
    """The destinations of every tenant the user belongs to, each with ``user_role``: the user's role there."""
    role = Membership.objects.filter(tenant=OuterRef("tenant"), user=user).values("role")[:1]
    return (
        Destination.objects.filter(tenant__memberships__user=user)
        .select_related("tenant")
        .annotate(journey_count=Count("deliveries", distinct=True), user_role=Subquery(role))
        .order_by("tenant__name", "name")
    )


def destination_get_for_user(user, pk: int, *, needed: str = Membership.Role.VIEWER) -> Destination:
    """The destination if the user is in its tenant: 404 for outsiders, 403 below ``needed``."""
    destination = get_object_or_404(Destination.objects.filter(tenant__memberships__user=user).distinct(), pk=pk)
    require_role(user, destination.tenant, needed)
    return destination


def environment_key(destination: Destination) -> str | None:
    """The tenant a Dynatrace destination points at, as TenantAssets keys it (None: no usable URL)."""
    try:
        return EnvironmentUrls.parse(str((destination.config or {}).get("environment_url") or "")).platform
    except ValueError:
        return None


@dataclass(frozen=True)
class DynatraceDelivery:
    """What the delivery panel adds for a Dynatrace destination: the tenant's finding and the assets."""

    pair: JourneyDestination
    assets: TenantAssets | None  # the journey's Business Flow and dashboard in that tenant, if ever pushed
    finding: str  # what the tenant said it holds from the journey's provider ("" : not asked)
    finding_tone: str  # "pending", "info", "warn" or "bad", for the page's colours

    @property
    def pushed(self) -> bool:
        return self.assets is not None and self.assets.status == TenantAssets.Status.SUCCESS


def probe_finding(pair: JourneyDestination, provider: str) -> tuple[str, str]:
    """The tenant's answer, in words: (text, tone)."""
    if pair.is_probing:
        return f"Asking the tenant whether {provider} already has events there…", "pending"
    if pair.probed_at is None:
        return "", ""
    if pair.probe_error:
        return f"Could not ask the tenant: {pair.probe_error}", "bad"
    if pair.probe_events:
        return (
            f"The tenant already has {pair.probe_events:,} events from {provider} in the last 24 h: "
            "the backfill adds to them.",
            "warn",
        )
    return f"No events from {provider} in the tenant yet: the backfill brings the last 24 h.", "info"


def journey_dynatrace_deliveries(journey: Journey, deliveries: list[JourneyDestination]) -> list[DynatraceDelivery]:
    """The active Dynatrace destinations among ``deliveries``, with their finding and assets (one query)."""
    pairs = [pair for pair in deliveries if pair.active and pair.destination.kind == "dynatrace"]
    if not pairs:
        return []
    assets = {record.environment_url: record for record in journey.tenant_assets.all()}
    rows = []
    for pair in pairs:
        text, tone = probe_finding(pair, journey.event_provider)
        rows.append(DynatraceDelivery(pair, assets.get(environment_key(pair.destination) or ""), text, tone))
    return rows


def tenant_events_delivered_on(day: date):
    """An expression for a tenant queryset: the events its runs delivered on UTC ``day`` (0 if none).

    Summed over the runs that started that day, whether or not the tenant has a cap: the cap's own
    counter only counts while a cap is set.
    """
    start = datetime.combine(day, time(), tzinfo=UTC)
    runs = (
        Run.objects.filter(
            journey_destination__journey__tenant=OuterRef("pk"),
            started_at__gte=start,
            started_at__lt=start + timedelta(days=1),
        )
        .values("journey_destination__journey__tenant")
        .annotate(total=Sum("delivered"))
        .values("total")
    )
    return Coalesce(Subquery(runs, output_field=BigIntegerField()), Value(0))
