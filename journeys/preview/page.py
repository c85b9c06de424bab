"""The preview page's tables: the headline figures, the per-step rows, and a sample of the first
journeys of a recent window exactly as the generator sends them. Every figure comes from the
forecast; the sample from the generator itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from .. import formatting as fmt
from ..engine.forecast import Forecast, VariantForecast
from ..engine.generator import first_journeys
from ..engine.spec import JourneySpec


@dataclass(frozen=True)
class SampleJourney:
    correlation: str
    events: tuple[dict, ...]

    @property
    def pretty(self) -> str:
        return json.dumps(list(self.events), indent=2, ensure_ascii=False)


@dataclass(frozen=True)
class Sample:
    journeys: tuple[SampleJourney, ...]
    start: datetime | None
    end: datetime | None
    complete: bool  # False when the window ends before the sampled journeys could finish


def _sample_start(spec: JourneySpec, fc: Forecast, now: datetime) -> datetime:
    """Where the sample starts: the busiest local hour of a recent day, late enough to hold a few journeys whole.

    The start is the latest such hour that leaves the window wholly in the past (events are only ever
    sent once their time has come); it stays fixed all day, so the sample does not change on reload.
    """
    zone = ZoneInfo(spec.timezone)
    busiest = max(range(24), key=lambda hour: spec.hour_weights[hour])
    starts_per_hour = max(fc.starts_per_hour_of_day[busiest], fc.journeys_per_day / 24)
    # Ten expected starts make three all but certain; then each needs its full duration.
    window = timedelta(hours=min(10 / starts_per_hour + spec.max_duration_hours, 24 * 14))
    day = now.astimezone(zone).date()
    for back in range(16):
        origin = datetime.combine(day - timedelta(days=back), time(busiest), tzinfo=zone)
        if origin + window <= now:
            break
    else:
        origin = now - window
    return origin


def sample_journeys(spec: JourneySpec, fc: Forecast, *, now: datetime, count: int = 3) -> Sample:
    """The events of the first ``count`` journeys of a recent window, exactly as the generator sends them."""
    if fc.journeys_per_day <= 0 or max(fc.starts_per_hour_of_day) <= 0:
        return Sample((), None, None, True)
    start = _sample_start(spec, fc, now)
    field = spec.correlation_field
    # Whole journeys, however long they last: the engine simulates only the blocks they start in.
    picked = first_journeys(spec, start, count)
    journeys = tuple(SampleJourney(str(events[0].get(field)), tuple(events)) for events in picked)
    last = max((datetime.fromisoformat(e["timestamp"]) for events in picked for e in events), default=start)
    return Sample(journeys, start, last, True)


@dataclass(frozen=True)
class Kpi:
    label: str
    value: str
    hint: str
    key: str


def kpis(spec: JourneySpec, fc: Forecast) -> list[Kpi]:
    revenue = spec.revenue
    mean = (revenue.min_value + revenue.max_value) / 2 if revenue else 0
    return [
        Kpi("Journeys/day", fmt.count(fc.journeys_per_day), "expected starts, averaged over the week", "journeys"),
        Kpi(
            "Completion rate",
            fmt.pct(fc.completion_share),
            f"{fmt.count(fc.completed_per_day)} complete per day",
            "completion",
        ),
        Kpi(
            "Mean flow duration",
            fmt.hours(fc.mean_flow_duration_hours),
            "first to last event, completed journeys",
            "duration",
        ),
        Kpi(
            f"{revenue.label if revenue else 'Revenue'}/day",
            fmt.money(fc.revenue_per_day) if revenue else "—",
            f"{revenue.field}, {fmt.pct(fc.revenue_share)} of journeys × {fmt.money(mean)} mean"
            if revenue
            else "no revenue field",
            "revenue",
        ),
        Kpi("Events/day", fmt.count(fc.events_per_day), f"{fc.events_per_journey:.2f} per journey", "events"),
        Kpi("Errors/day", fmt.count(fc.errors_per_day), "failed steps, incidents excluded", "errors"),
    ]


@dataclass(frozen=True)
class StepRow:
    """One step's expected numbers per day: the graph's table twin, for reading and for screen readers."""

    number: int
    name: str
    event_type: str
    reaching: float
    taking: float
    dropping: float
    errors: float
    events: float
    variants: tuple[VariantForecast, ...] = ()


def step_rows(fc: Forecast) -> list[StepRow]:
    volume = fc.journeys_per_day
    return [
        StepRow(
            number=step.index + 1,
            name=step.name,
            event_type=step.event_type,
            reaching=step.journeys_per_day,
            taking=step.share_with_event * volume,
            dropping=step.share_dropping * volume,
            errors=step.errors_per_day,
            events=step.events_per_day,
            variants=step.variants,
        )
        for step in fc.steps
    ]


@dataclass(frozen=True)
class Ending:
    """One way a journey ends, as the preview's table lists it."""

    kind: str  # completed, ended, dropped, failed
    label: str
    share: float
    per_day: float


def endings(fc: Forecast) -> list[Ending]:
    """Every way a journey ends, with its share of starts (they add up to 1), most frequent first after
    "completed"; ways no journey takes are left out."""
    rows = [Ending(o.kind, o.label[:1].upper() + o.label[1:], o.share, o.per_day) for o in fc.outcomes]
    completed, others = rows[:1], [row for row in rows[1:] if row.share > 0]
    return completed + sorted(others, key=lambda row: -row.share)


WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class WeekdayRow:
    """One day of the week: its weight as set, and the journeys it starts (the volume times the weight
    over the mean weight, so the week averages the journeys per day)."""

    day: str
    weight: float
    journeys: float
    bar_pct: float  # the day's volume against the busiest day's, for the bar


def weekday_rows(spec: JourneySpec) -> list[WeekdayRow]:
    weights = spec.weekday_weights
    mean = sum(weights) / len(weights) if weights else 0.0
    # As the generator reads them: all weights zero means every day alike.
    volumes = [spec.journeys_per_day * (weight / mean if mean else 1.0) for weight in weights]
    peak = max(volumes, default=0.0) or 1.0
    return [
        WeekdayRow(day, weight, volume, 100 * volume / peak)
        for day, weight, volume in zip(WEEKDAY_NAMES, weights, volumes, strict=True)
    ]
