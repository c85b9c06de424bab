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
- Hours of the day are local hours of the journey's timezone read at a fixed offset: the shifts in
  and out of daylight saving time are ignored. The UTC profiles use the zone's standard offset.

The hour-of-day profile works on a one-minute grid that wraps around one week: starts repeat
weekly, so an event's offset from its journey's start only matters modulo a week. Each delay
places its mass on the two nearest minutes in proportion to closeness (a triangle weight). Because
starts are uniform within each minute, one delay then gives exact counts per minute; chaining
several delays keeps every mean exact and widens the spread by at most 1/6 minute² per delay, far
below what shows in an hourly count. Steps are chained in the Fourier domain, so a loop of any
length costs a handful of vector operations.

The forecast expects a journey that passes :func:`journeys.engine.spec.validate`.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np

from journeys.engine.spec import DAYS_PER_WEEK, HOURS_PER_DAY, Incident, JourneySpec, Step

MINUTES_PER_HOUR = 60
MINUTES_PER_WEEK = DAYS_PER_WEEK * HOURS_PER_DAY * MINUTES_PER_HOUR
# A fixed instant to read a zone's standard offset at, so the forecast never depends on today.
_OFFSET_REFERENCE = datetime(2025, 1, 15, tzinfo=UTC)
# Below this width (in minutes) a delay is a plain shift; dividing by it would only add rounding.
_POINT_WIDTH = 1e-6

DST_NOTE = "Hours are read at a fixed offset from UTC: daylight saving time shifts are ignored."
INCIDENT_NOTE = "Incidents apply only inside their time windows and are not included in the numbers above."


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

    def to_dict(self) -> dict:
        return _plain(asdict(self))


@dataclass(frozen=True)
class _Law:
    """One step's probabilities, for a journey that is still alive when it arrives."""

    take: float
    drop: float
    errors: tuple[tuple[str, float], ...]  # (error event type, probability) for a journey performing it
    loops: int
    mean_delay: float  # hours
    delayed: bool  # the first step's event is at the start; every later one follows a delay

    @property
    def error(self) -> float:
        return min(1.0, sum(p for _, p in self.errors))

    @property
    def performs(self) -> float:
        return self.take * (1 - self.drop)

    @property
    def survives(self) -> float:
        return (1 - self.take) + self.performs * (1 - self.error)

    @property
    def repetitions(self) -> float:
        return (1 + self.loops) / 2

    @property
    def delays_when_complete(self) -> float:
        """Delays drawn by a journey that performs the step without error: one per event after the start."""
        return self.repetitions - (0 if self.delayed else 1)


def forecast(spec: JourneySpec) -> Forecast:
    laws = [_law(spec, index) for index in range(len(spec.steps))]
    volume = float(spec.journeys_per_day)
    steps, completion = _step_forecasts(spec, laws, volume)
    events_per_type: dict[str, float] = {}
    errors_per_type: dict[str, float] = {}
    for step, law in zip(steps, laws, strict=True):
        performing_per_day = step.journeys_per_day * law.performs
        normal = performing_per_day * (1 - law.error) * law.repetitions
        events_per_type[step.event_type] = events_per_type.get(step.event_type, 0.0) + normal
        for error_type, probability in law.errors:
            errors = performing_per_day * probability
            events_per_type[error_type] = events_per_type.get(error_type, 0.0) + errors
            errors_per_type[error_type] = errors_per_type.get(error_type, 0.0) + errors
    events_per_journey = sum(step.events_per_journey for step in steps)
    revenue_share = _revenue_share(spec, laws)
    mean_revenue = (spec.revenue.min_value + spec.revenue.max_value) / 2 if spec.revenue else 0.0
    starts_local, events_local = _weekly_minute_profiles(spec, laws)
    offset = _standard_offset_minutes(spec.timezone)
    # Local time is UTC plus the offset, so UTC minute u holds what local minute u + offset holds.
    starts_utc, events_utc = np.roll(starts_local, -offset), np.roll(events_local, -offset)
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
        starts_per_hour_of_day=_hours_of_day(starts_local),
        events_per_hour_of_day=_hours_of_day(events_local),
        utc_offset_hours=offset / MINUTES_PER_HOUR,
        starts_per_hour_utc=_hours_of_day(starts_utc),
        events_per_hour_utc=_hours_of_day(events_utc),
        incidents=tuple(_incident(spec, incident) for incident in spec.incidents),
        notes=(DST_NOTE, INCIDENT_NOTE) if spec.incidents else (DST_NOTE,),
    )


def _law(spec: JourneySpec, index: int) -> _Law:
    step: Step = spec.steps[index]
    first = index == 0  # the first step always happens: no optional or drop-off test
    return _Law(
        take=1.0 if first or step.optional_pct is None else step.optional_pct / 100,
        drop=0.0 if first else step.drop_off_pct / 100,
        errors=tuple((f"{step.event_type}.{rule.name}", rule.pct / 100) for rule in spec.errors_on(index)),
        loops=step.max_loops,
        mean_delay=(step.min_delay_hours + step.max_delay_hours) / 2,
        delayed=not first,
    )


def _step_forecasts(spec: JourneySpec, laws: list[_Law], volume: float) -> tuple[list[StepForecast], float]:
    """Every step's shares, walking the steps with the share of journeys still alive."""
    alive = 1.0
    result = []
    for index, (step, law) in enumerate(zip(spec.steps, laws, strict=True)):
        performing = alive * law.performs
        erroring = performing * law.error
        per_journey = performing * (law.error + (1 - law.error) * law.repetitions)
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
                mean_repetitions=law.repetitions,
                events_per_journey=per_journey,
                journeys_per_day=volume * alive,
                events_per_day=volume * per_journey,
                errors_per_day=volume * erroring,
            )
        )
        alive *= law.survives
    return result, alive


def _revenue_share(spec: JourneySpec, laws: list[_Law]) -> float:
    """The share of journeys that emit at least one event on a step carrying revenue."""
    if spec.revenue is None:
        return 0.0
    without = 1.0  # alive and no revenue-carrying event yet
    share = 0.0
    for step, law in zip(spec.steps, laws, strict=True):
        if step.carries_revenue:
            share += without * law.performs
            without *= 1 - law.take  # only those that skip it go on without revenue
        else:
            without *= law.survives
    return share


def _mean_flow_duration(laws: list[_Law]) -> float:
    """Mean hours from first to last event of completed journeys.

    A step's outcomes are independent of the other steps', so knowing the journey completed only
    tells, per step, that it did not drop off or fail there: an optional step was then taken with
    probability o(1-d)(1-e) / (o(1-d)(1-e) + (1-o)).
    """
    total = 0.0
    for law in laws:
        clean = law.performs * (1 - law.error)
        taken = clean / (clean + (1 - law.take))
        total += taken * law.mean_delay * law.delays_when_complete
    return total


def _mean_duration_all(steps: list[StepForecast], laws: list[_Law]) -> float:
    """Mean hours from first to last event over every journey.

    Every delay a journey draws is followed by an event, so its duration is the sum of its delays
    and the mean adds up step by step. A failing step draws one delay (before its error event).
    """
    total = 0.0
    for step, law in zip(steps, laws, strict=True):
        delays = (1 if law.delayed else 0) + (1 - law.error) * (law.repetitions - 1)
        total += step.share_with_event * law.mean_delay * delays
    return total


def _weekly_minute_profiles(spec: JourneySpec, laws: list[_Law]) -> tuple[np.ndarray, np.ndarray]:
    """Expected starts and events in each local minute of the week, Monday 00:00 first."""
    days = np.asarray(spec.weekday_weights, dtype=float)
    hours = np.asarray(spec.hour_weights, dtype=float)
    days = days / days.mean() if days.sum() > 0 else np.ones(DAYS_PER_WEEK)
    hours = hours / hours.sum() if hours.sum() > 0 else np.full(HOURS_PER_DAY, 1 / HOURS_PER_DAY)
    per_hour = float(spec.journeys_per_day) * np.outer(days, hours).ravel()
    starts = np.repeat(per_hour / MINUTES_PER_HOUR, MINUTES_PER_HOUR)
    events = np.fft.irfft(np.fft.rfft(starts) * _event_offsets(spec, laws), n=MINUTES_PER_WEEK)
    return starts, np.maximum(events, 0.0)  # the transform leaves rounding crumbs below zero


def _event_offsets(spec: JourneySpec, laws: list[_Law]) -> np.ndarray:
    """The spectrum of the expected number of events per journey at each offset from its start.

    ``previous`` is the spectrum of where an alive journey's latest event sits: skipping a step
    keeps it as is, dropping off or failing removes its mass, and performing moves it by delays.
    """
    previous = np.ones(MINUTES_PER_WEEK // 2 + 1, dtype=complex)  # the first event is at the start
    events = np.zeros_like(previous)
    for step, law in zip(spec.steps, laws, strict=True):
        delay = _delay_spectrum(step.min_delay_hours, step.max_delay_hours)
        performed = previous * law.performs * (delay if law.delayed else 1.0)
        if law.loops == 1:
            every_repetition = last_repetition = 1.0
        else:
            # Repetition k (k = 1..L) exists with probability (L-k+1)/L and sits k-1 delays after the first.
            total, moment = _power_sums(delay, law.loops)
            every_repetition = total - moment / law.loops
            last_repetition = total / law.loops
        events += performed * (law.error + (1 - law.error) * every_repetition)
        previous = previous * (1 - law.take) + performed * (1 - law.error) * last_repetition
    return events


def _power_sums(ratio: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """sum(r**j) and sum(j * r**j) for j < count, by doubling: long loops cost O(log count)."""
    total = np.zeros_like(ratio)
    moment = np.zeros_like(ratio)
    power = np.ones_like(ratio)  # ratio ** n
    n = 0
    for bit in bin(count)[2:]:
        # Terms n..2n-1 are the first n terms times r**n, with j shifted by n.
        moment = moment + power * (moment + n * total)
        total = total + power * total
        power = power * power
        n *= 2
        if bit == "1":
            moment = moment + n * power
            total = total + power
            power = power * ratio
            n += 1
    return total, moment


def _delay_spectrum(min_hours: float, max_hours: float) -> np.ndarray:
    return np.fft.rfft(_delay_kernel(min_hours * MINUTES_PER_HOUR, max_hours * MINUTES_PER_HOUR))


def _delay_kernel(low: float, high: float) -> np.ndarray:
    """A uniform [low, high] minutes delay as mass on the minutes of the week, triangle-weighted."""
    width = high - low
    low %= MINUTES_PER_WEEK  # only the offset within the week matters
    if width < _POINT_WIDTH:
        kernel = np.zeros(MINUTES_PER_WEEK)
        minute = math.floor(low)
        kernel[minute % MINUTES_PER_WEEK] += 1 - (low - minute)
        kernel[(minute + 1) % MINUTES_PER_WEEK] += low - minute
        return kernel
    # Each whole lap around the week covers every minute once; only the rest needs weighing.
    laps, rest = divmod(width, MINUTES_PER_WEEK)
    minutes = np.arange(math.floor(low) - 1, math.ceil(low + rest) + 2)
    covered = _triangle_cdf(low + rest - minutes) - _triangle_cdf(low - minutes)
    kernel = np.bincount(minutes % MINUTES_PER_WEEK, weights=covered, minlength=MINUTES_PER_WEEK)
    return (kernel + laps) / width


def _triangle_cdf(t: np.ndarray) -> np.ndarray:
    """The integral up to t of the triangle weight max(0, 1 - |x|)."""
    t = np.clip(t, -1.0, 1.0)
    return np.where(t < 0, (t + 1) ** 2 / 2, 1 - (1 - t) ** 2 / 2)


def _hours_of_day(per_minute: np.ndarray) -> tuple[float, ...]:
    per_hour = per_minute.reshape(DAYS_PER_WEEK, HOURS_PER_DAY, MINUTES_PER_HOUR).sum(axis=2)
    return tuple(float(value) for value in per_hour.mean(axis=0))


def _standard_offset_minutes(timezone: str) -> int:
    try:
        moment = _OFFSET_REFERENCE.astimezone(ZoneInfo(timezone))
    except (ZoneInfoNotFoundError, ValueError):
        return 0
    offset = moment.utcoffset() - (moment.dst() or timedelta(0))
    return round(offset.total_seconds() / 60)


def _incident(spec: JourneySpec, incident: Incident) -> IncidentForecast:
    step = spec.steps[incident.step]
    return IncidentForecast(
        step=incident.step,
        step_name=step.name,
        event_type=f"{step.event_type}.{incident.error_name}",
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
