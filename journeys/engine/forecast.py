"""What a journey will produce, computed from its specification without generating a single event.

The preview shows these numbers on every edit, so they are the exact expectations of the behaviour
contract (how one journey unfolds), not estimates from a sample:

- Shares are probabilities per started journey. Numbers "per day" multiply them by the daily
  volume averaged over the week: weekday weights are normalised by their mean, so that average is
  ``journeys_per_day`` itself.
- Errors: on a step a journey performs (it took the step and did not drop off), the step's error %s
  are one categorical draw. An error emits exactly one event, ``<event type>.<error name>``, and
  ends the journey. It is that step's event, so it carries the step's attributes.
- Revenue is counted once per journey: every journey that emits at least one event on a step that
  carries revenue (error events included) adds its single revenue draw. Its mean is
  (min + max) / 2, both for a continuous uniform and, with whole-number bounds, for a whole number
  uniform on [min, max] inclusive.
- A journey's duration runs from its first event to its last.
- Incidents are left out of every number, since they only act inside their time windows; they are
  listed on their own.
- Variants: a journey performing a step with variants takes variant v with probability
  weight_v / sum of weights, then behaves as on a plain step with v's delay, errors and loops. Every
  per-step figure is also given per variant. A variant that ends the journey stops it after its
  events (when it did not fail).
- Every journey ends exactly one way: completed, ended at a variant, dropped before a step, or
  failed with an error type. ``outcomes`` lists each with its share; they add up to 1.
- Delays: a uniform delay's mean is (min + max) / 2, a lognormal one's the mean of the log-normal
  with min and max at its 5th and 95th percentiles, capped at its 99.99th (see ``delays.py``).
- Daily surges multiply the start rate in their local hours: ``journeys_per_day`` and the hourly
  profiles include them (every "per day" figure follows). Absolute surges are listed beside the
  numbers, as incidents are.
- Hours of the day are local hours of the journey's timezone read at a fixed offset: the shifts in
  and out of daylight saving time are ignored. The UTC profiles use the zone's standard offset.

The hour-of-day profile is computed in ``forecast_profile.py``.

The forecast expects a journey that passes :func:`journeys.engine.spec.validate`.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np

from journeys.engine.delays import mean_delay_hours
from journeys.engine.forecast_profile import MINUTES_PER_HOUR, hours_of_day, weekly_events, weekly_starts
from journeys.engine.spec import DAYS_PER_WEEK, Incident, JourneySpec, Surge, Variant

# A fixed instant to read a zone's standard offset at, so the forecast never depends on today.
_OFFSET_REFERENCE = datetime(2025, 1, 15, tzinfo=UTC)

# Only for a zone that changes its clocks: the hours of day are local either way, and the events follow the
# local clock, summer time included; only the forecast's UTC hours use the zone's standard offset.
DST_NOTE = (
    "The events follow {zone}'s clock, daylight saving time included; the forecast's UTC hours use its standard "
    "offset, so in summer time they are an hour off."
)
INCIDENT_NOTE = "Incidents apply only inside their time windows and are not included in the numbers above."
SURGE_NOTE = "Absolute surges apply only inside their time windows and are not included in the numbers above."


@dataclass(frozen=True)
class VariantForecast:
    """One variant of a step with variants; shares are of all started journeys unless said otherwise."""

    index: int
    name: str
    event_type: str
    share_of_step: float  # of the journeys performing the step: weight / sum of the step's weights
    share_taking: float  # of all started journeys, those that take this variant
    share_erroring: float
    share_ending: float  # those that end the journey here (an end state), without error
    ends_journey: bool
    mean_repetitions: float
    mean_delay_hours: float
    events_per_journey: float
    journeys_per_day: float  # taking the variant
    events_per_day: float
    errors_per_day: float


@dataclass(frozen=True)
class StepForecast:
    index: int
    name: str
    event_type: str
    share_reaching: float  # still alive on arrival, before the optional and drop-off tests
    share_taking: float  # of those reaching: optional % / 100 on an optional step, 1 otherwise
    share_dropping: float  # of all started journeys, those that drop off at this step
    share_with_event: float  # of all started journeys, those that emit this step's event or an error on it
    share_erroring: float  # of all started journeys, those that fail on this step
    mean_repetitions: float  # events per journey that performs the step without error: (1 + max loops) / 2
    events_per_journey: float  # per started journey, loops and errors included
    journeys_per_day: float  # reaching the step
    events_per_day: float
    errors_per_day: float
    variants: tuple[VariantForecast, ...] = ()  # empty on a plain step


@dataclass(frozen=True)
class OutcomeForecast:
    """One way a journey ends, with its share of started journeys."""

    kind: str  # "completed", "ended" (at an end-state variant), "dropped" (before a step), "failed"
    label: str  # e.g. "completed", "ended at Rejected", "dropped before Payment", "failed with pay.card.declined"
    share: float
    per_day: float
    step: int | None  # the step it happens at; None for completed
    variant: int | None  # the variant, for ended and for failures on a variant
    event_type: str  # the end-state variant's event type or the error type; "" otherwise


@dataclass(frozen=True)
class SurgeForecast:
    multiplier: float
    starts_at: str | None  # ISO 8601, for an absolute window
    ends_at: str | None
    daily_start_hour: float | None  # local hours, for a window repeated every day
    daily_end_hour: float | None
    included: bool  # daily surges are in the numbers; absolute ones are listed beside them


@dataclass(frozen=True)
class IncidentForecast:
    step: int
    step_name: str
    event_type: str  # the error event type the incident emits
    pct: float
    starts_at: str | None  # ISO 8601, for an absolute window
    ends_at: str | None
    daily_start_hour: float | None  # local hours, for a window repeated every day
    daily_end_hour: float | None
    variant: int | None = None


@dataclass(frozen=True)
class Forecast:
    journeys_per_day: float
    completion_share: float  # passes the last step without dropping off or failing
    completed_per_day: float
    events_per_journey: float
    events_per_day: float
    errors_per_day: float
    revenue_share: float  # journeys that emit at least one revenue-carrying event
    revenue_per_day: float
    mean_flow_duration_hours: float | None  # completed journeys; None when none completes
    mean_duration_all_hours: float  # every journey, including those that drop off or fail
    steps: tuple[StepForecast, ...]
    events_per_type: dict[str, float]  # per day, error types included
    errors_per_type: dict[str, float]  # per day
    starts_per_hour_of_day: tuple[float, ...]  # 24 local hours, averaged over the weekdays
    events_per_hour_of_day: tuple[float, ...]
    utc_offset_hours: float  # the zone's standard offset
    starts_per_hour_utc: tuple[float, ...]  # the same profiles on UTC hours
    events_per_hour_utc: tuple[float, ...]
    incidents: tuple[IncidentForecast, ...]
    notes: tuple[str, ...]
    outcomes: tuple[OutcomeForecast, ...] = ()  # every way a journey ends; the shares add up to 1
    surges: tuple[SurgeForecast, ...] = ()
    base_journeys_per_day: float = 0.0  # the journey's volume before daily surges

    def to_dict(self) -> dict:
        return _plain(asdict(self))


@dataclass(frozen=True)
class _Way:
    """One way through a step (a plain step's only one, or a variant), for a journey performing the step."""

    share: float  # the chance a performing journey takes this way
    event_type: str
    errors: tuple[tuple[str, float], ...]  # (error event type, probability)
    loops: int
    mean_delay: float  # hours
    min_delay: float
    max_delay: float
    shape: str
    ends: bool

    @property
    def error(self) -> float:
        return min(1.0, sum(p for _, p in self.errors))

    @property
    def repetitions(self) -> float:
        return (1 + self.loops) / 2

    @property
    def goes_on(self) -> float:
        """The chance a journey taking this way carries on to the next step."""
        return 0.0 if self.ends else 1 - self.error


@dataclass(frozen=True)
class _Law:
    """One step's probabilities, for a journey that is still alive when it arrives."""

    take: float
    drop: float
    ways: tuple[_Way, ...]
    delayed: bool  # the first step's event is at the start; every later one follows a delay

    @property
    def error(self) -> float:
        return sum(way.share * way.error for way in self.ways)

    @property
    def performs(self) -> float:
        return self.take * (1 - self.drop)

    @property
    def goes_on(self) -> float:
        return sum(way.share * way.goes_on for way in self.ways)

    @property
    def survives(self) -> float:
        return (1 - self.take) + self.performs * self.goes_on

    def delays_when_clean(self, way: _Way) -> float:
        """Delays drawn on a way performed without error: one per event after the start."""
        return way.repetitions - (0 if self.delayed else 1)


def forecast(spec: JourneySpec) -> Forecast:
    laws = [_law(spec, index) for index in range(len(spec.steps))]
    base = float(spec.journeys_per_day)
    starts_local = weekly_starts(spec)
    volume = float(starts_local.sum()) / DAYS_PER_WEEK  # daily surges included
    steps, completion = _step_forecasts(spec, laws, volume)
    events_per_type: dict[str, float] = {}
    errors_per_type: dict[str, float] = {}
    for step, law in zip(steps, laws, strict=True):
        performing_per_day = step.journeys_per_day * law.performs
        for way in law.ways:
            taking = performing_per_day * way.share
            normal = taking * (1 - way.error) * way.repetitions
            events_per_type[way.event_type] = events_per_type.get(way.event_type, 0.0) + normal
            for error_type, probability in way.errors:
                errors = taking * probability
                events_per_type[error_type] = events_per_type.get(error_type, 0.0) + errors
                errors_per_type[error_type] = errors_per_type.get(error_type, 0.0) + errors
    events_per_journey = sum(step.events_per_journey for step in steps)
    revenue_share = _revenue_share(spec, laws)
    mean_revenue = (spec.revenue.min_value + spec.revenue.max_value) / 2 if spec.revenue else 0.0
    events_local = weekly_events(starts_local, laws)
    offset = _standard_offset_minutes(spec.timezone)
    # Local time is UTC plus the offset, so UTC minute u holds what local minute u + offset holds.
    starts_utc, events_utc = np.roll(starts_local, -offset), np.roll(events_local, -offset)
    notes = [DST_NOTE.format(zone=spec.timezone)] if _observes_dst(spec.timezone) else []
    if spec.incidents:
        notes.append(INCIDENT_NOTE)
    if any(not surge.is_daily for surge in spec.surges):
        notes.append(SURGE_NOTE)
    return Forecast(
        journeys_per_day=volume,
        completion_share=completion,
        completed_per_day=volume * completion,
        events_per_journey=events_per_journey,
        events_per_day=volume * events_per_journey,
        errors_per_day=sum(step.errors_per_day for step in steps),
        revenue_share=revenue_share,
        revenue_per_day=volume * revenue_share * mean_revenue,
        mean_flow_duration_hours=_mean_flow_duration(laws) if completion > 0 else None,
        mean_duration_all_hours=_mean_duration_all(steps, laws),
        steps=tuple(steps),
        events_per_type=events_per_type,
        errors_per_type=errors_per_type,
        starts_per_hour_of_day=hours_of_day(starts_local),
        events_per_hour_of_day=hours_of_day(events_local),
        utc_offset_hours=offset / MINUTES_PER_HOUR,
        starts_per_hour_utc=hours_of_day(starts_utc),
        events_per_hour_utc=hours_of_day(events_utc),
        incidents=tuple(_incident(spec, incident) for incident in spec.incidents),
        notes=tuple(notes),
        outcomes=_outcomes(spec, steps, laws, completion, volume),
        surges=tuple(_surge(surge) for surge in spec.surges),
        base_journeys_per_day=base,
    )


def _way(spec: JourneySpec, index: int, variant: int | None, way: Variant, share: float) -> _Way:
    errors = spec.errors_of_way(index, variant)
    return _Way(
        share=share,
        event_type=way.event_type,
        errors=tuple((f"{way.event_type}.{rule.name}", rule.pct / 100) for rule in errors),
        loops=way.max_loops,
        mean_delay=mean_delay_hours(way.min_delay_hours, way.max_delay_hours, way.delay_shape) if index else 0.0,
        min_delay=way.min_delay_hours,
        max_delay=way.max_delay_hours,
        shape=way.delay_shape,
        ends=way.ends_journey,
    )


def _law(spec: JourneySpec, index: int) -> _Law:
    step = spec.steps[index]
    first = index == 0  # the first step always happens: no optional or drop-off test
    if step.variants:
        total = sum(variant.weight for variant in step.variants)
        ways = tuple(_way(spec, index, v, variant, variant.weight / total) for v, variant in enumerate(step.variants))
    else:
        ways = (_way(spec, index, None, step.ways()[0], 1.0),)
    return _Law(
        take=1.0 if first or step.optional_pct is None else step.optional_pct / 100,
        drop=0.0 if first else step.drop_off_pct / 100,
        ways=ways,
        delayed=not first,
    )


def _variant_forecasts(spec, index: int, law: _Law, performing: float, volume: float) -> tuple[VariantForecast, ...]:
    result = []
    for number, (variant, way) in enumerate(zip(spec.steps[index].variants, law.ways, strict=True)):
        taking = performing * way.share
        per_journey = taking * (way.error + (1 - way.error) * way.repetitions)
        result.append(
            VariantForecast(
                index=number,
                name=variant.name,
                event_type=way.event_type,
                share_of_step=way.share,
                share_taking=taking,
                share_erroring=taking * way.error,
                share_ending=taking * (1 - way.error) if way.ends else 0.0,
                ends_journey=way.ends,
                mean_repetitions=way.repetitions,
                mean_delay_hours=way.mean_delay,
                events_per_journey=per_journey,
                journeys_per_day=volume * taking,
                events_per_day=volume * per_journey,
                errors_per_day=volume * taking * way.error,
            )
        )
    return tuple(result)


def _step_forecasts(spec: JourneySpec, laws: list[_Law], volume: float) -> tuple[list[StepForecast], float]:
    """Every step's shares, walking the steps with the share of journeys still alive."""
    alive = 1.0
    result = []
    for index, (step, law) in enumerate(zip(spec.steps, laws, strict=True)):
        performing = alive * law.performs
        erroring = performing * law.error
        per_journey = performing * sum(w.share * (w.error + (1 - w.error) * w.repetitions) for w in law.ways)
        clean = sum(w.share * (1 - w.error) for w in law.ways)
        repetitions = sum(w.share * (1 - w.error) * w.repetitions for w in law.ways) / clean if clean else 1.0
        result.append(
            StepForecast(
                index=index,
                name=step.name,
                event_type=step.event_type,
                share_reaching=alive,
                share_taking=law.take,
                share_dropping=alive * law.take * law.drop,
                share_with_event=performing,
                share_erroring=erroring,
                mean_repetitions=repetitions if step.variants else law.ways[0].repetitions,
                events_per_journey=per_journey,
                journeys_per_day=volume * alive,
                events_per_day=volume * per_journey,
                errors_per_day=volume * erroring,
                variants=_variant_forecasts(spec, index, law, performing, volume) if step.variants else (),
            )
        )
        alive *= law.survives
    return result, alive


def _outcomes(spec, steps: list[StepForecast], laws: list[_Law], completion: float, volume: float):
    """Every way a journey ends: completed, then step by step dropped, failed and ended."""
    outcomes = [OutcomeForecast("completed", "completed", completion, volume * completion, None, None, "")]
    for index, (spec_step, step, law) in enumerate(zip(spec.steps, steps, laws, strict=True)):
        if step.share_dropping > 0 or (index and law.drop > 0):
            label = f"dropped before {spec_step.name}"
            outcomes.append(
                OutcomeForecast("dropped", label, step.share_dropping, volume * step.share_dropping, index, None, "")
            )
        performing = step.share_with_event
        for number, way in enumerate(law.ways):
            variant = number if spec_step.variants else None
            for error_type, probability in way.errors:
                share = performing * way.share * probability
                label = f"failed with {error_type}"
                outcomes.append(OutcomeForecast("failed", label, share, volume * share, index, variant, error_type))
            if way.ends:
                share = performing * way.share * (1 - way.error)
                label = f"ended at {spec_step.variants[number].name}"
                outcomes.append(OutcomeForecast("ended", label, share, volume * share, index, variant, way.event_type))
    return tuple(outcomes)


def _revenue_share(spec: JourneySpec, laws: list[_Law]) -> float:
    """The share of journeys that emit at least one event on a step (or variant) carrying revenue."""
    if spec.revenue is None:
        return 0.0
    without = 1.0  # alive and no revenue-carrying event yet
    share = 0.0
    for step, law in zip(spec.steps, laws, strict=True):
        carries = [way.carries_revenue for way in step.ways()]
        share += without * law.performs * sum(w.share for w, c in zip(law.ways, carries, strict=True) if c)
        # Only those that skip the step, or take a way without revenue and go on, stay without it.
        goes_on_without = sum(w.share * w.goes_on for w, c in zip(law.ways, carries, strict=True) if not c)
        without *= (1 - law.take) + law.performs * goes_on_without
    return share


def _mean_flow_duration(laws: list[_Law]) -> float:
    """Mean hours from first to last event of completed journeys.

    A step's outcomes are independent of the other steps', so knowing the journey completed only
    tells, per step, that it went on from there: an optional step was then taken with probability
    o(1-d)g / (o(1-d)g + (1-o)), g the chance of going on, and way w with probability s_w g_w / g.
    """
    total = 0.0
    for law in laws:
        clean = law.performs * law.goes_on
        if clean <= 0:
            continue
        taken = clean / (clean + (1 - law.take))
        for way in law.ways:
            given = way.share * way.goes_on / law.goes_on
            total += taken * given * way.mean_delay * law.delays_when_clean(way)
    return total


def _mean_duration_all(steps: list[StepForecast], laws: list[_Law]) -> float:
    """Mean hours from first to last event over every journey.

    Every delay a journey draws is followed by an event, so its duration is the sum of its delays
    and the mean adds up step by step. A failing step draws one delay (before its error event).
    """
    total = 0.0
    for step, law in zip(steps, laws, strict=True):
        for way in law.ways:
            delays = (1 if law.delayed else 0) + (1 - way.error) * (way.repetitions - 1)
            total += step.share_with_event * way.share * way.mean_delay * delays
    return total


def _standard_offset_minutes(timezone: str) -> int:
    try:
        moment = _OFFSET_REFERENCE.astimezone(ZoneInfo(timezone))
    except (ZoneInfoNotFoundError, ValueError):
        return 0
    offset = moment.utcoffset() - (moment.dst() or timedelta(0))
    return round(offset.total_seconds() / 60)


def _observes_dst(timezone: str) -> bool:
    """Whether the zone's clocks are set forward for part of the year (as of the reference year)."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    months = (_OFFSET_REFERENCE, _OFFSET_REFERENCE.replace(month=7))
    return any(moment.astimezone(zone).dst() for moment in months)


def _surge(surge: Surge) -> SurgeForecast:
    return SurgeForecast(
        multiplier=float(surge.multiplier),
        starts_at=surge.starts_at.isoformat() if surge.starts_at else None,
        ends_at=surge.ends_at.isoformat() if surge.ends_at else None,
        daily_start_hour=surge.daily_start_hour,
        daily_end_hour=surge.daily_end_hour,
        included=surge.is_daily,
    )


def _incident(spec: JourneySpec, incident: Incident) -> IncidentForecast:
    step = spec.steps[incident.step]
    return IncidentForecast(
        step=incident.step,
        variant=incident.variant,
        step_name=step.name,
        event_type=f"{spec.way_type(incident.step, incident.variant)}.{incident.error_name}",
        pct=float(incident.pct),
        starts_at=incident.starts_at.isoformat() if incident.starts_at else None,
        ends_at=incident.ends_at.isoformat() if incident.ends_at else None,
        daily_start_hour=incident.daily_start_hour,
        daily_end_hour=incident.daily_end_hour,
    )


def _plain(value):
    """Lists, dicts and Python numbers only, so any JSON encoder takes it."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
