"""Reads: journeys as the engine sees them, and which journeys a user may see."""

from dataclasses import dataclass, field, fields
from datetime import datetime

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery

from ..access import journeys_visible_to
from ..engine.decisions import DecisionSpec, Rule, sample_decision_json
from ..engine.spec import ErrorRule, Incident, JourneySpec, Revenue, Step, Surge, Variant, Weighted
from ..models import DecisionSettings, Journey, JourneyDestination, Membership, Run, StepVariant
from ..models import Step as StepRow


def spec_values(row, spec_class, *, without: tuple[str, ...] = ()) -> dict:
    """A row's values for the engine dataclass ``spec_class`` (a Step or Variant), whose fields its
    columns share by name: one list of fields for both directions (rows written in services.journeys)."""
    return {f.name: getattr(row, f.name) for f in fields(spec_class) if f.name not in without}


def variant_from_row(v) -> Variant:
    """A stored StepVariant row as the engine's Variant."""
    return Variant(**spec_values(v, Variant))


def journey_to_spec(journey: Journey) -> JourneySpec:
    steps = list(journey.steps.prefetch_related("variants"))
    index_of = {step.pk: index for index, step in enumerate(steps)}
    variant_of = {v.pk: number for step in steps for number, v in enumerate(step.variants.all())}
    revenue = None
    if journey.revenue_field:
        revenue = Revenue(journey.revenue_field, journey.revenue_min, journey.revenue_max, journey.revenue_label)
    return JourneySpec(
        name=journey.name,
        event_provider=journey.event_provider,
        correlation_field=journey.correlation_field,
        timezone=journey.timezone,
        seed=journey.seed,
        journeys_per_day=journey.journeys_per_day,
        hour_weights=tuple(journey.hour_weights),
        weekday_weights=tuple(journey.weekday_weights),
        steps=tuple(
            Step(
                **spec_values(s, Step, without=("variants",)),
                variants=tuple(variant_from_row(v) for v in s.variants.all()),
            )
            for s in steps
        ),
        errors=tuple(
            ErrorRule(e.name, index_of[e.step_id], e.pct, variant_of.get(e.variant_id)) for e in journey.errors.all()
        ),
        location_field=journey.location_field,
        locations=tuple(Weighted(loc.name, loc.weight) for loc in journey.locations.all()),
        segment_field=journey.segment_field,
        segments=tuple(Weighted(v.value, v.weight) for v in journey.segment_values.all()),
        revenue=revenue,
        hosts=tuple(Weighted(h.entity_id, h.weight) for h in journey.hosts.all()),
        incidents=tuple(
            Incident(
                step=index_of[i.step_id],
                variant=variant_of.get(i.variant_id),
                error_name=i.error_name,
                pct=i.pct,
                starts_at=i.starts_at,
                ends_at=i.ends_at,
                daily_start_hour=i.daily_start_hour,
                daily_end_hour=i.daily_end_hour,
            )
            for i in journey.incidents.all()
        ),
        extra_attributes=tuple((str(k), str(v)) for k, v in (journey.extra_attributes or {}).items()),
        surges=tuple(
            Surge(
                multiplier=s.multiplier,
                starts_at=s.starts_at,
                ends_at=s.ends_at,
                daily_start_hour=s.daily_start_hour,
                daily_end_hour=s.daily_end_hour,
            )
            for s in journey.surges.all()
        ),
    )


def journey_list_for_user(user) -> QuerySet[Journey]:
    return journeys_visible_to(user).select_related("tenant")


@dataclass(frozen=True)
class JourneyRow:
    """One line of the journey list."""

    journey: Journey
    step_count: int
    destinations: tuple[str, ...] = field(default=())  # names of the destinations it delivers to
    last_run_at: datetime | None = None
    last_run_status: str = ""  # the outcome as shown ("Success", "Failed"...)
    last_run_outcome: str = ""  # the outcome's code, for the page's colours
    user_role: str = ""  # the user's role in the journey's tenant: which buttons the row shows


def journey_list_rows(user, *, search: str = "", state: str = "", tenant: str = "") -> list[JourneyRow]:
    """Every journey the user sees, with its active destinations and its last run (delivery or push);
    those whose name or event provider contains ``search``, in ``state`` and in the tenant with the
    slug ``tenant``, when given.

    Two queries however many journeys: the journeys with their step count and last run annotated,
    and their active destinations prefetched.
    """
    last_runs = Run.objects.filter(Q(journey_destination__journey=OuterRef("pk")) | Q(journey=OuterRef("pk")))
    last_runs = last_runs.order_by("-started_at", "-id")
    active = JourneyDestination.objects.filter(active=True).select_related("destination").order_by("destination__name")
    role = Membership.objects.filter(tenant=OuterRef("tenant"), user=user).values("role")[:1]
    visible = journey_list_for_user(user)
    if search.strip():
        visible = visible.filter(Q(name__icontains=search.strip()) | Q(event_provider__icontains=search.strip()))
    if state:
        visible = visible.filter(state=state)
    if tenant:
        visible = visible.filter(tenant__slug=tenant)
    journeys = (
        visible.annotate(
            step_count=Count("steps", distinct=True),
            last_run_at=Subquery(last_runs.values("started_at")[:1]),
            last_run_outcome=Subquery(last_runs.values("outcome")[:1]),
            user_role=Subquery(role),
        )
        .prefetch_related(Prefetch("deliveries", queryset=active, to_attr="active_deliveries"))
        .order_by("tenant__name", "tenant_id", "name", "pk")
    )
    return [
        JourneyRow(
            journey=journey,
            step_count=journey.step_count,
            destinations=tuple(pair.destination.name for pair in journey.active_deliveries),
            last_run_at=journey.last_run_at,
            last_run_status=Run.Outcome(journey.last_run_outcome).label if journey.last_run_outcome else "",
            last_run_outcome=journey.last_run_outcome or "",
            user_role=journey.user_role or "",
        )
        for journey in journeys
    ]


@dataclass(frozen=True)
class JourneyGroup:
    """The list's journeys of one tenant (``tenant`` None: the list is not grouped)."""

    tenant: object
    rows: list[JourneyRow]


def journey_list_groups(rows: list[JourneyRow], *, by_tenant: bool) -> list[JourneyGroup]:
    """The rows by tenant (in the order they come: by tenant name), or all in one group."""
    if not by_tenant:
        return [JourneyGroup(None, rows)] if rows else []
    groups: list[JourneyGroup] = []
    for row in rows:
        if not groups or groups[-1].tenant != row.journey.tenant:
            groups.append(JourneyGroup(row.journey.tenant, []))
        groups[-1].rows.append(row)
    return groups


def journey_get_by_slug(slug: str) -> Journey:
    return Journey.objects.get(slug=slug)


def decision_spec_from_settings(
    settings: DecisionSettings, *, step_index: int, variant_index: int | None = None
) -> DecisionSpec:
    """The settings as the engine reads them, for the step at ``step_index`` (and, on a step with
    variants, its variant at ``variant_index``)."""
    return DecisionSpec(
        step=step_index,
        variant=variant_index,
        decision_service_id=settings.decision_service_id,
        decision_service_name=settings.decision_service_name,
        decision_service_version=settings.decision_service_version,
        decision_operation=settings.decision_operation,
        decision_id=settings.decision_id,
        deployment_space_id=settings.deployment_space_id,
        engine_api_version=settings.engine_api_version,
        runtime_nodes=tuple(Weighted(n.get("name", ""), n.get("weight", 1)) for n in settings.runtime_nodes),
        execution_millis_min=settings.execution_millis_min,
        execution_millis_max=settings.execution_millis_max,
        rules=tuple(Rule(r.get("path", ""), r.get("pct", 100), bool(r.get("rejects", False))) for r in settings.rules),
        incident_pct=settings.incident_pct,
        incident_category=settings.incident_category,
        incident_stack_trace=settings.incident_stack_trace,
        input_parameters=settings.input_parameters,
        output_approved=settings.output_approved,
        output_rejected=settings.output_rejected,
        business_monitoring_enabled=settings.business_monitoring_enabled,
        business_event_input_enabled=settings.business_event_input_enabled,
        business_event_output_enabled=settings.business_event_output_enabled,
        topic=settings.topic,
        timestamp_unit=settings.timestamp_unit,
    )


@dataclass(frozen=True)
class DecisionWay:
    """One decision of a journey: a plain step marked as a decision, or, on a step with variants, a
    variant marked as one; with its indexes in the journey's spec and its settings (None: not set up)."""

    step: StepRow
    variant: StepVariant | None
    step_index: int
    variant_index: int | None
    settings: DecisionSettings | None

    @property
    def name(self) -> str:
        """As the Business Flow names it: a variant by its step and its own name ("Decision: Automated")."""
        return f"{self.step.name}: {self.variant.name}" if self.variant is not None else self.step.name

    @property
    def event_type(self) -> str:
        """Its event type: unique in the journey, so it names the decision (the settings page's URL)."""
        return (self.variant or self.step).event_type

    def spec(self, settings: DecisionSettings | None = None) -> DecisionSpec:
        """``settings`` (default: its own) as the engine reads them for this decision."""
        chosen = settings if settings is not None else self.settings
        return decision_spec_from_settings(chosen, step_index=self.step_index, variant_index=self.variant_index)


def journey_decision_ways(journey: Journey) -> list[DecisionWay]:
    """Every decision of the journey in order (a step's variants in theirs), each with its settings.

    A step with variants is never a decision itself: its variants are. One query for a journey without
    decisions, three with.
    """
    steps = list(
        journey.steps.annotate(
            variant_count=Count("variants"), decision_variants=Count("variants", filter=Q(variants__is_decision=True))
        )
    )
    plain = [step for step in steps if step.is_decision and not step.variant_count]
    branching = [step for step in steps if step.decision_variants]
    if not plain and not branching:
        return []
    variants: dict[int, list[StepVariant]] = {step.pk: [] for step in branching}
    for variant in StepVariant.objects.filter(step__in=branching):
        variants[variant.step_id].append(variant)
    rows = DecisionSettings.objects.filter(step__journey=journey).select_related("destination")
    of_step = {row.step_id: row for row in rows if row.variant_id is None}
    of_variant = {row.variant_id: row for row in rows if row.variant_id is not None}
    ways = []
    for step_index, step in enumerate(steps):
        if step.is_decision and not step.variant_count:
            ways.append(DecisionWay(step, None, step_index, None, of_step.get(step.pk)))
        for variant_index, variant in enumerate(variants.get(step.pk, ())):
            if variant.is_decision:
                ways.append(DecisionWay(step, variant, step_index, variant_index, of_variant.get(variant.pk)))
    return ways


def journey_decision_way(journey: Journey, event_type: str) -> DecisionWay | None:
    """The journey's decision (step or variant) with this event type, or None."""
    return next((way for way in journey_decision_ways(journey) if way.event_type == event_type), None)


def journey_decisions(journey: Journey) -> list[tuple[DecisionSettings, DecisionSpec]]:
    """The journey's decisions (steps and variants) that have settings, in order, as rows and as engine
    specs: what is delivered and exported. A decision with none sends nothing: where its events would
    go is part of its settings."""
    return [(way.settings, way.spec()) for way in journey_decision_ways(journey) if way.settings is not None]


def journey_decision_steps(journey: Journey) -> list[DecisionWay]:
    """The journey's decisions, steps and variants, in order, each with its DecisionSettings (None: not
    set up yet): the journey page's Decisions tab."""
    return journey_decision_ways(journey)


def journey_decision_samples(journey: Journey, *, at: datetime) -> list[dict]:
    """For the preview: per decision (step or variant) with settings, a sample decision event as
    indented JSON."""
    ways = [way for way in journey_decision_ways(journey) if way.settings is not None]
    if not ways:
        return []
    spec = journey_to_spec(journey)
    at_ms = round(at.timestamp() * 1000)
    return [decision_sample(spec, way, way.settings, way.spec(), at_ms=at_ms) for way in ways]


def decision_sample(
    spec: JourneySpec, way: DecisionWay, settings: DecisionSettings, decision: DecisionSpec, *, at_ms: int
) -> dict:
    """One sample for templates/journeys/_decision_sample.html."""
    return {
        "step": way.name,
        "event_type": way.event_type,
        "settings": settings,
        "monitoring_enabled": decision.business_monitoring_enabled,
        "json": sample_decision_json(spec, decision, at_ms=at_ms),
    }


@dataclass(frozen=True)
class ProviderClash:
    """Another journey of the tenant already sends as this event provider: in Dynatrace the two
    journeys' events would mix (a Business Flow and its queries select by event.provider)."""

    provider: str
    other_journey: str
    free_provider: str


def tenant_for_new_journey(user):
    """Where a new journey of ``user`` goes (the first tenant they may edit in), or None before their first."""
    membership = (
        Membership.objects.filter(user=user, role__in=[Membership.Role.OWNER, Membership.Role.EDITOR])
        .select_related("tenant")
        .order_by("id")
        .first()
    )
    return membership.tenant if membership else None


def provider_clash(*, tenant, provider: str, exclude_pk: int | None = None) -> ProviderClash | None:
    """The clash when another journey of ``tenant`` sends as ``provider``, with a provider name still free."""
    if tenant is None or not provider:
        return None
    journeys = Journey.objects.filter(tenant=tenant).exclude(pk=exclude_pk)
    taken = dict(journeys.values_list("event_provider", "name"))
    if provider not in taken:
        return None
    number = 2
    while f"{provider}.{number}" in taken:
        number += 1
    return ProviderClash(provider, taken[provider], f"{provider}.{number}")
