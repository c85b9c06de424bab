"""Writes to journeys: create from a specification (import), replace one's contents, duplicate."""

from django.db import transaction
from django.utils.text import slugify

from ..engine.spec import JourneySpec, ensure_valid
from ..models import DecisionSettings, ErrorRule, Host, Incident, Journey, Location, SegmentValue, Step, Tenant
from .quotas import ensure_volume_allowed
from .tenancy import audit_record, tenant_default_for_user


def unique_slug(name: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(name)[:200] or "journey"
    slug, counter = base, 2
    while Journey.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        slug = f"{base}-{counter}"
        counter += 1
    return slug


def _write_rows(journey: Journey, spec: JourneySpec) -> None:
    steps = Step.objects.bulk_create(
        Step(
            journey=journey,
            position=index,
            name=s.name,
            event_type=s.event_type,
            drop_off_pct=s.drop_off_pct,
            min_delay_hours=s.min_delay_hours,
            max_delay_hours=s.max_delay_hours,
            max_loops=s.max_loops,
            optional_pct=s.optional_pct,
            carries_location=s.carries_location,
            carries_segment=s.carries_segment,
            carries_revenue=s.carries_revenue,
            is_decision=s.is_decision,
        )
        for index, s in enumerate(spec.steps)
    )
    ErrorRule.objects.bulk_create(
        ErrorRule(journey=journey, step=steps[e.step], name=e.name, pct=e.pct) for e in spec.errors
    )
    Location.objects.bulk_create(Location(journey=journey, name=w.value, weight=w.weight) for w in spec.locations)
    SegmentValue.objects.bulk_create(
        SegmentValue(journey=journey, value=w.value, weight=w.weight) for w in spec.segments
    )
    Host.objects.bulk_create(Host(journey=journey, entity_id=w.value, weight=w.weight) for w in spec.hosts)
    Incident.objects.bulk_create(
        Incident(
            journey=journey,
            step=steps[i.step],
            error_name=i.error_name,
            pct=i.pct,
            starts_at=i.starts_at,
            ends_at=i.ends_at,
            daily_start_hour=i.daily_start_hour,
            daily_end_hour=i.daily_end_hour,
        )
        for i in spec.incidents
    )


def _scalar_fields(spec: JourneySpec) -> dict:
    revenue = spec.revenue
    return {
        "name": spec.name,
        "event_provider": spec.event_provider,
        "correlation_field": spec.correlation_field,
        "timezone": spec.timezone,
        "seed": spec.seed,
        "journeys_per_day": spec.journeys_per_day,
        "hour_weights": list(spec.hour_weights),
        "weekday_weights": list(spec.weekday_weights),
        "location_field": spec.location_field,
        "segment_field": spec.segment_field,
        "revenue_field": revenue.field if revenue else "",
        "revenue_min": revenue.min_value if revenue else 0,
        "revenue_max": revenue.max_value if revenue else 0,
        "revenue_label": revenue.label if revenue else "Revenue",
        "extra_attributes": dict(spec.extra_attributes),
    }


@transaction.atomic
def journey_create_from_spec(
    *,
    spec: JourneySpec,
    owner,
    tenant: Tenant | None = None,
    description: str = "",
    audit_action: str = "journey.created",
    audit_details: dict | None = None,
) -> Journey:
    """A new journey made by ``owner`` in ``tenant`` (default: the first tenant the owner may edit in).

    The audit log says how it came: ``journey.created`` by default, ``journey.imported`` for a file.

    Raises :class:`~journeys.engine.spec.InvalidJourney` for an invalid spec, or one whose volume is
    above the tenant's cap.
    """
    ensure_valid(spec)
    tenant = tenant or tenant_default_for_user(owner)
    ensure_volume_allowed(tenant=tenant, journeys_per_day=spec.journeys_per_day)
    journey = Journey.objects.create(
        tenant=tenant, owner=owner, slug=unique_slug(spec.name), description=description, **_scalar_fields(spec)
    )
    _write_rows(journey, spec)
    audit_record(actor=owner, tenant=tenant, action=audit_action, target=journey, details=audit_details)
    return journey


@transaction.atomic
def journey_replace_contents(*, journey: Journey, spec: JourneySpec) -> Journey:
    """Overwrite a journey's fields and rows with ``spec`` in one transaction (all or nothing)."""
    ensure_valid(spec)
    ensure_volume_allowed(tenant=journey.tenant, journeys_per_day=spec.journeys_per_day)
    for name, value in _scalar_fields(spec).items():
        setattr(journey, name, value)
    journey.save()
    # Decision settings belong to a step: keep those whose step (by event type) is still a decision.
    kept = list(DecisionSettings.objects.filter(step__journey=journey).select_related("step"))
    for related in (
        journey.incidents,
        journey.errors,
        journey.locations,
        journey.segment_values,
        journey.hosts,
        journey.steps,
    ):
        related.all().delete()
    _write_rows(journey, spec)
    decision_steps = {step.event_type: step for step in journey.steps.filter(is_decision=True)}
    for settings in kept:
        if settings.step.event_type in decision_steps:
            settings.pk, settings.step = None, decision_steps[settings.step.event_type]
            settings.save()
    return journey
