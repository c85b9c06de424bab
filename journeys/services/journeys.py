"""Writes to journeys: create from a specification (import), replace one's contents, duplicate."""

from django.db import transaction
from django.utils.text import slugify

from ..engine.spec import JourneySpec, Variant, ensure_valid
from ..engine.spec import Step as StepSpec
from ..models import (
    ErrorRule,
    Host,
    Incident,
    Journey,
    Location,
    SegmentValue,
    Step,
    StepVariant,
    Surge,
    Tenant,
)
from ..selectors.journeys import spec_values
from .decisions import decisions_kept_before_edit, decisions_restore_after_edit
from .quotas import ensure_volume_allowed
from .snapshots import journey_snapshot_write
from .tenancy import Role, audit_record, ensure_can_create_in, tenant_default_for_user


def unique_slug(name: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(name)[:200] or "journey"
    slug, counter = base, 2
    while Journey.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        slug = f"{base}-{counter}"
        counter += 1
    return slug


def _write_rows(journey: Journey, spec: JourneySpec) -> None:
    steps = Step.objects.bulk_create(
        Step(journey=journey, position=index, **spec_values(s, StepSpec, without=("variants",)))
        for index, s in enumerate(spec.steps)
    )
    variants = _write_variants(steps, spec)

    def variant_of(step: int, variant: int | None) -> StepVariant | None:
        return None if variant is None else variants[step][variant]

    ErrorRule.objects.bulk_create(
        ErrorRule(journey=journey, step=steps[e.step], variant=variant_of(e.step, e.variant), name=e.name, pct=e.pct)
        for e in spec.errors
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
            variant=variant_of(i.step, i.variant),
            error_name=i.error_name,
            pct=i.pct,
            starts_at=i.starts_at,
            ends_at=i.ends_at,
            daily_start_hour=i.daily_start_hour,
            daily_end_hour=i.daily_end_hour,
        )
        for i in spec.incidents
    )
    Surge.objects.bulk_create(
        Surge(
            journey=journey,
            multiplier=surge.multiplier,
            starts_at=surge.starts_at,
            ends_at=surge.ends_at,
            daily_start_hour=surge.daily_start_hour,
            daily_end_hour=surge.daily_end_hour,
        )
        for surge in spec.surges
    )
    journey_snapshot_write(journey)


def _write_variants(steps: list[Step], spec: JourneySpec) -> list[list[StepVariant]]:
    """Each step's variant rows, in order (an empty list for a plain step)."""
    rows = StepVariant.objects.bulk_create(
        StepVariant(step=row, position=position, **spec_values(v, Variant))
        for row, step in zip(steps, spec.steps, strict=True)
        for position, v in enumerate(step.variants)
    )
    per_step, taken = [], 0
    for step in spec.steps:
        per_step.append(rows[taken : taken + len(step.variants)])
        taken += len(step.variants)
    return per_step


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
    """A new journey made by ``owner`` in ``tenant``, where the owner must be an editor or owner.

    Without ``tenant``: the only tenant the owner may edit in (see ``tenant_default_for_user``;
    several raise ``TenantChoiceNeeded``).

    The audit log says how it came: ``journey.created`` by default, ``journey.imported`` for a file.

    Raises :class:`~journeys.engine.spec.InvalidJourney` for an invalid spec, or one whose volume is
    above the tenant's cap.
    """
    ensure_valid(spec)
    tenant = tenant or tenant_default_for_user(owner)
    ensure_can_create_in(user=owner, tenant=tenant, role=Role.EDITOR)
    ensure_volume_allowed(tenant=tenant, journeys_per_day=spec.journeys_per_day)
    journey = Journey.objects.create(
        tenant=tenant, owner=owner, slug=unique_slug(spec.name), description=description, **_scalar_fields(spec)
    )
    _write_rows(journey, spec)
    audit_record(actor=owner, tenant=tenant, action=audit_action, target=journey, details=audit_details)
    return journey


@transaction.atomic
def journey_replace_contents(*, journey: Journey, spec: JourneySpec, actor=None) -> Journey:
    """Overwrite a journey's fields and rows with ``spec`` in one transaction (all or nothing)."""
    ensure_valid(spec)
    ensure_volume_allowed(tenant=journey.tenant, journeys_per_day=spec.journeys_per_day)
    for name, value in _scalar_fields(spec).items():
        setattr(journey, name, value)
    journey.save()
    # Decision settings belong to a step or variant: keep those whose decision (by event type) is still one.
    kept = decisions_kept_before_edit(journey=journey)
    for related in (
        journey.surges,
        journey.incidents,
        journey.errors,
        journey.locations,
        journey.segment_values,
        journey.hosts,
        journey.steps,
    ):
        related.all().delete()
    _write_rows(journey, spec)
    decisions_restore_after_edit(journey=journey, kept=kept, actor=actor)
    return journey
