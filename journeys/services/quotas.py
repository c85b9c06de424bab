"""A tenant's limits: events delivered per UTC day, and the volume any one journey may have.

Events per day are counted in one :class:`~journeys.models.TenantDailyUsage` row per tenant and day.
A run reserves what it is about to send with a compare-and-set update of that row before sending,
and gives back what the destination did not take; so runs of different journeys at once share the
cap and cannot pass it together. A reservation lost to a crash between reserving and sending counts
as sent: the cap errs on the side of sending less.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.db import IntegrityError, transaction
from django.db.models import F

from ..engine.spec import InvalidJourney, SpecError
from ..models import Tenant, TenantDailyUsage

MAX_RESERVE_ATTEMPTS = 50


def usage_day(now: datetime) -> date:
    """The UTC day whose counter a delivery at ``now`` uses."""
    return now.astimezone(UTC).date()


def events_sent_on(*, tenant: Tenant, day: date) -> int:
    row = TenantDailyUsage.objects.filter(tenant=tenant, day=day).values_list("events", flat=True).first()
    return row or 0


def events_left_today(*, tenant: Tenant, now: datetime) -> int | None:
    """How many more events the tenant may send today (None: it has no cap)."""
    cap = tenant.events_per_day_cap
    if cap is None:
        return None
    return max(0, cap - events_sent_on(tenant=tenant, day=usage_day(now)))


def _usage_row(tenant_id: int, day: date) -> TenantDailyUsage:
    row = TenantDailyUsage.objects.filter(tenant_id=tenant_id, day=day).first()
    if row is not None:
        return row
    try:
        with transaction.atomic():  # two runs creating the day's row at once: one wins, both use it
            return TenantDailyUsage.objects.create(tenant_id=tenant_id, day=day)
    except IntegrityError:
        return TenantDailyUsage.objects.get(tenant_id=tenant_id, day=day)


def quota_reserve(*, tenant_id: int, day: date, wanted: int, cap: int) -> int:
    """Reserve up to ``wanted`` events of the day's cap; returns how many were granted (0 when it is reached).

    Both ways are safe under concurrent runs: the whole amount is granted by an increment that the
    database applies only while the counter leaves room for it; near the cap, by compare-and-set (the
    update applies only if nobody changed the counter since it was read). So concurrent runs never
    grant more than the cap between them.
    """
    if wanted <= 0:
        return 0
    # Well below the cap, as on most runs: one conditional increment grants the whole of it.
    below = TenantDailyUsage.objects.filter(tenant_id=tenant_id, day=day, events__lte=cap - wanted)
    if below.update(events=F("events") + wanted) == 1:
        return wanted
    row = _usage_row(tenant_id, day)
    used = row.events
    for _ in range(MAX_RESERVE_ATTEMPTS):
        granted = min(wanted, cap - used)
        if granted <= 0:
            return 0
        if TenantDailyUsage.objects.filter(pk=row.pk, events=used).update(events=used + granted) == 1:
            return granted
        used = TenantDailyUsage.objects.values_list("events", flat=True).get(pk=row.pk)
    return 0  # the counter kept moving under us: send nothing now, the next run tries again


def quota_release(*, tenant_id: int, day: date, unused: int) -> None:
    """Give back reserved events the destination did not take."""
    if unused > 0:
        TenantDailyUsage.objects.filter(tenant_id=tenant_id, day=day, events__gte=unused).update(
            events=F("events") - unused
        )


def cap_reached_note(cap: int) -> str:
    return f"stopped at the tenant's cap of {cap:,} events per day; the rest goes out tomorrow or expires"


def volume_problems(*, tenant: Tenant, journeys_per_day: float) -> list[SpecError]:
    """Why a journey of this volume may not be in ``tenant`` (empty when it may)."""
    cap = tenant.journeys_per_day_cap
    if cap is None or journeys_per_day <= cap:
        return []
    message = f"{tenant.name} allows at most {cap:g} journeys per day per journey (this one has {journeys_per_day:g})"
    return [SpecError("journeys_per_day", message)]


def ensure_volume_allowed(*, tenant: Tenant, journeys_per_day: float) -> None:
    """Raise :class:`InvalidJourney` naming ``journeys_per_day`` when the volume is above the tenant's cap."""
    problems = volume_problems(tenant=tenant, journeys_per_day=journeys_per_day)
    if problems:
        raise InvalidJourney(problems)


def volume_over_cap_reason(*, tenant: Tenant, journeys_per_day: float) -> str:
    """Why a run of such a journey delivers nothing (empty when its volume is within the cap)."""
    cap = tenant.journeys_per_day_cap
    if cap is None or journeys_per_day <= cap:
        return ""
    return (
        f"the journey's volume ({journeys_per_day:g} journeys per day) is above the tenant's cap of {cap:g}: "
        "lower the volume or raise the cap"
    )
