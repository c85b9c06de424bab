"""Reads: journeys as the engine sees them, and which journeys a user may see."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, QuerySet

from .engine.spec import ErrorRule, Incident, JourneySpec, Revenue, Step, Weighted
from .models import Journey


def journey_to_spec(journey: Journey) -> JourneySpec:
    steps = list(journey.steps.all())
    index_of = {step.pk: index for index, step in enumerate(steps)}
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
            for s in steps
        ),
        errors=tuple(ErrorRule(e.name, index_of[e.step_id], e.pct) for e in journey.errors.all()),
        location_field=journey.location_field,
        locations=tuple(Weighted(loc.name, loc.weight) for loc in journey.locations.all()),
        segment_field=journey.segment_field,
        segments=tuple(Weighted(v.value, v.weight) for v in journey.segment_values.all()),
        revenue=revenue,
        hosts=tuple(Weighted(h.entity_id, h.weight) for h in journey.hosts.all()),
        incidents=tuple(
            Incident(
                step=index_of[i.step_id],
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
    )


def journey_list_for_user(user) -> QuerySet[Journey]:
    from .access import journeys_visible_to

    return journeys_visible_to(user).select_related("tenant")


@dataclass(frozen=True)
class JourneyRow:
    """One line of the journey list. Destinations and the last run are filled once deliveries exist."""

    journey: Journey
    step_count: int
    destinations: tuple[str, ...] = field(default=())  # names of the destinations it delivers to
    last_run_at: datetime | None = None
    last_run_status: str = ""


def journey_list_rows(user) -> list[JourneyRow]:
    journeys = journey_list_for_user(user).annotate(step_count=Count("steps")).order_by("name", "pk")
    return [JourneyRow(journey=journey, step_count=journey.step_count) for journey in journeys]


def journey_get_by_slug(slug: str) -> Journey:
    return Journey.objects.get(slug=slug)
