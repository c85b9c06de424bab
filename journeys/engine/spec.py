"""The journey specification: plain data that the generator, the forecast and the assets share.

Nothing here imports Django. The web app converts its models into a :class:`JourneySpec`; the
command line and the benchmark build one from JSON. :func:`validate` returns every problem at
once, each tied to the path of the value at fault, so forms and importers can show it in place.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .limits import Limits, limit_problems

HOURS_PER_DAY = 24
DAYS_PER_WEEK = 7
ATTRIBUTES = ("location", "segment", "revenue")
MAX_EVENTS_PER_JOURNEY = 30_000  # events of one journey are numbered in 16 bits of its event ids


@dataclass(frozen=True)
class Step:
    name: str
    event_type: str
    drop_off_pct: float = 0.0
    min_delay_hours: float = 0.0
    max_delay_hours: float = 0.0
    max_loops: int = 1
    optional_pct: float | None = None  # None: every journey takes the step
    carries_location: bool = False
    carries_segment: bool = False
    carries_revenue: bool = False
    is_decision: bool = False

    @property
    def loops(self) -> bool:
        return self.max_loops > 1

    @property
    def is_optional(self) -> bool:
        return self.optional_pct is not None


@dataclass(frozen=True)
class ErrorRule:
    name: str
    step: int  # index into JourneySpec.steps
    pct: float


@dataclass(frozen=True)
class Weighted:
    value: str
    weight: float


@dataclass(frozen=True)
class Incident:
    """Extra error chance on one step inside a time window, for a demo story.

    Either an absolute window (``starts_at``/``ends_at``, aware datetimes) or the same hours every
    day in the journey's timezone (``daily_start_hour``/``daily_end_hour``, the end may be smaller
    than the start to wrap past midnight).
    """

    step: int
    error_name: str
    pct: float
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    daily_start_hour: float | None = None
    daily_end_hour: float | None = None

    @property
    def is_daily(self) -> bool:
        return self.daily_start_hour is not None


@dataclass(frozen=True)
class Revenue:
    field: str
    min_value: float
    max_value: float
    label: str = "Revenue"

    @property
    def whole_numbers(self) -> bool:
        """Whole-number bounds give whole-number revenue, as the reference generator sends."""
        return float(self.min_value).is_integer() and float(self.max_value).is_integer()


@dataclass(frozen=True)
class JourneySpec:
    name: str
    event_provider: str
    correlation_field: str
    steps: tuple[Step, ...]
    timezone: str = "UTC"
    seed: int = 0
    journeys_per_day: float = 600.0
    hour_weights: tuple[float, ...] = (1.0,) * HOURS_PER_DAY
    weekday_weights: tuple[float, ...] = (1.0,) * DAYS_PER_WEEK  # Monday first
    errors: tuple[ErrorRule, ...] = ()
    location_field: str = "location"
    locations: tuple[Weighted, ...] = ()
    segment_field: str = ""
    segments: tuple[Weighted, ...] = ()
    revenue: Revenue | None = None
    hosts: tuple[Weighted, ...] = ()
    incidents: tuple[Incident, ...] = ()
    extra_attributes: tuple[tuple[str, str], ...] = field(default=())

    def step_index(self, event_type: str) -> int:
        for index, step in enumerate(self.steps):
            if step.event_type == event_type:
                return index
        raise KeyError(event_type)

    def errors_on(self, step_index: int) -> list[ErrorRule]:
        return [error for error in self.errors if error.step == step_index]

    @property
    def max_duration_hours(self) -> float:
        """The longest a journey can last from its first event to its last."""
        return sum(step.max_delay_hours * step.max_loops for step in self.steps[1:])


@dataclass(frozen=True)
class SpecError:
    path: str  # e.g. "steps[2].drop_off_pct"; "" for the journey as a whole
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class InvalidJourney(ValueError):
    def __init__(self, errors: list[SpecError]):
        self.errors = errors
        super().__init__("; ".join(str(error) for error in errors))


def _finite(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _pct(errors: list[SpecError], path: str, value) -> None:
    if not _finite(value) or not 0 <= value <= 100:
        errors.append(SpecError(path, "must be a percentage between 0 and 100"))


def _weights(errors: list[SpecError], path: str, weights, *, count: int | None = None) -> None:
    if count is not None and len(weights) != count:
        errors.append(SpecError(path, f"needs exactly {count} values, got {len(weights)}"))
        return
    for index, weight in enumerate(weights):
        if not _finite(weight) or weight < 0:
            errors.append(SpecError(f"{path}[{index}]", "must be a non-negative number"))
            return
    if weights and sum(weights) <= 0:
        errors.append(SpecError(path, "at least one weight must be above zero"))


def _weighted_list(errors: list[SpecError], path: str, items: tuple[Weighted, ...]) -> None:
    seen: set[str] = set()
    for index, item in enumerate(items):
        if not item.value:
            errors.append(SpecError(f"{path}[{index}].value", "must not be empty"))
        elif item.value in seen:
            errors.append(SpecError(f"{path}[{index}].value", f"'{item.value}' is listed twice"))
        seen.add(item.value)
        if not _finite(item.weight) or item.weight < 0:
            errors.append(SpecError(f"{path}[{index}].weight", "must be a non-negative number"))
    if items and all(_finite(i.weight) for i in items) and sum(i.weight for i in items) <= 0:
        errors.append(SpecError(path, "at least one weight must be above zero"))


def validate_step(errors: list[SpecError], index: int, step: Step) -> None:
    path = f"steps[{index}]"
    if not step.name.strip():
        errors.append(SpecError(f"{path}.name", "must not be empty"))
    if not step.event_type.strip() or any(ch.isspace() for ch in step.event_type):
        errors.append(SpecError(f"{path}.event_type", "must be a non-empty name without spaces"))
    _pct(errors, f"{path}.drop_off_pct", step.drop_off_pct)
    for name in ("min_delay_hours", "max_delay_hours"):
        value = getattr(step, name)
        if not _finite(value) or value < 0:
            errors.append(SpecError(f"{path}.{name}", "must be a number of hours, 0 or more"))
    if _finite(step.min_delay_hours) and _finite(step.max_delay_hours):
        if step.min_delay_hours > step.max_delay_hours:
            errors.append(SpecError(f"{path}.min_delay_hours", "must not be above the max delay"))
    if not isinstance(step.max_loops, int) or isinstance(step.max_loops, bool) or step.max_loops < 1:
        errors.append(SpecError(f"{path}.max_loops", "must be a whole number, 1 or more (1 = no loop)"))
    if step.optional_pct is not None:
        _pct(errors, f"{path}.optional_pct", step.optional_pct)
    if index == 0:
        if step.drop_off_pct:
            errors.append(SpecError(f"{path}.drop_off_pct", "the first step cannot have a drop-off"))
        if step.optional_pct is not None:
            errors.append(SpecError(f"{path}.optional_pct", "the first step cannot be optional"))
        if step.max_loops != 1:
            errors.append(SpecError(f"{path}.max_loops", "the first step cannot loop"))


def _validate_errors(errors: list[SpecError], spec: JourneySpec) -> None:
    totals: dict[int, float] = {}
    seen: set[tuple[int, str]] = set()
    for index, rule in enumerate(spec.errors):
        path = f"errors[{index}]"
        if not rule.name.strip() or any(ch.isspace() for ch in rule.name):
            errors.append(SpecError(f"{path}.name", "must be a non-empty name without spaces"))
        if not 0 <= rule.step < len(spec.steps):
            errors.append(SpecError(f"{path}.step", "must name one of the journey's steps"))
            continue
        if (rule.step, rule.name) in seen:
            errors.append(SpecError(f"{path}.name", f"'{rule.name}' is defined twice on that step"))
        seen.add((rule.step, rule.name))
        _pct(errors, f"{path}.pct", rule.pct)
        if _finite(rule.pct):
            totals[rule.step] = totals.get(rule.step, 0.0) + rule.pct
    for step_index, total in sorted(totals.items()):
        if total > 100 + 1e-9:
            name = spec.steps[step_index].name
            errors.append(SpecError("errors", f"the error %s of step '{name}' add up to {total:g}, above 100"))


def _validate_incidents(errors: list[SpecError], spec: JourneySpec) -> None:
    for index, incident in enumerate(spec.incidents):
        path = f"incidents[{index}]"
        if not 0 <= incident.step < len(spec.steps):
            errors.append(SpecError(f"{path}.step", "must name one of the journey's steps"))
        if not incident.error_name.strip() or any(ch.isspace() for ch in incident.error_name):
            errors.append(SpecError(f"{path}.error_name", "must be a non-empty name without spaces"))
        _pct(errors, f"{path}.pct", incident.pct)
        absolute = incident.starts_at is not None or incident.ends_at is not None
        daily = incident.daily_start_hour is not None or incident.daily_end_hour is not None
        if absolute == daily:
            errors.append(SpecError(path, "needs either an absolute window or daily hours, not both"))
        elif absolute:
            if incident.starts_at is None or incident.ends_at is None:
                errors.append(SpecError(path, "an absolute window needs both a start and an end"))
            elif incident.starts_at.tzinfo is None or incident.ends_at.tzinfo is None:
                errors.append(SpecError(path, "window times must include a timezone"))
            elif incident.ends_at <= incident.starts_at:
                errors.append(SpecError(f"{path}.ends_at", "must be after the start"))
        else:
            for name in ("daily_start_hour", "daily_end_hour"):
                value = getattr(incident, name)
                if not _finite(value) or not 0 <= value <= 24:
                    errors.append(SpecError(f"{path}.{name}", "must be an hour between 0 and 24"))
            if incident.daily_start_hour == incident.daily_end_hour:
                errors.append(SpecError(f"{path}.daily_end_hour", "must differ from the start hour"))


def _validate_fields(errors: list[SpecError], spec: JourneySpec) -> None:
    carried = {
        "location": any(s.carries_location for s in spec.steps),
        "segment": any(s.carries_segment for s in spec.steps),
        "revenue": any(s.carries_revenue for s in spec.steps),
    }
    if carried["location"] and not spec.locations:
        errors.append(SpecError("locations", "steps carry a location but no locations are listed"))
    if carried["location"] and not spec.location_field.strip():
        errors.append(SpecError("location_field", "must not be empty"))
    if carried["segment"] and not (spec.segment_field.strip() and spec.segments):
        errors.append(SpecError("segments", "steps carry a segment but no segment field and values are set"))
    if carried["revenue"] and spec.revenue is None:
        errors.append(SpecError("revenue", "steps carry revenue but no revenue field is set"))
    if spec.revenue is not None:
        if not spec.revenue.field.strip():
            errors.append(SpecError("revenue.field", "must not be empty"))
        lo, hi = spec.revenue.min_value, spec.revenue.max_value
        if not (_finite(lo) and _finite(hi)) or lo < 0:
            errors.append(SpecError("revenue.min_value", "must be a number, 0 or more"))
        elif lo > hi:
            errors.append(SpecError("revenue.min_value", "must not be above the maximum"))
    reserved = {"event.provider", "event.type", "event.id", "timestamp", "dt.entity.host", "event.kind"}
    names = [("correlation_field", spec.correlation_field)]
    if carried["location"]:
        names.append(("location_field", spec.location_field))
    if carried["segment"]:
        names.append(("segment_field", spec.segment_field))
    if spec.revenue is not None:
        names.append(("revenue.field", spec.revenue.field))
    names += [(f"extra_attributes[{i}]", key) for i, (key, _) in enumerate(spec.extra_attributes)]
    seen: dict[str, str] = {}
    for path, name in names:
        if name in reserved or name.startswith(("dt.", "event.")):
            errors.append(SpecError(path, f"'{name}' is reserved by the event format"))
        elif name in seen:
            errors.append(SpecError(path, f"'{name}' is already used by {seen[name]}"))
        seen[name] = path
    for index, host in enumerate(spec.hosts):
        if not host.value.startswith("HOST-"):
            errors.append(SpecError(f"hosts[{index}].value", "must be a Dynatrace host id (HOST-...)"))


def validate(spec: JourneySpec, limits: Limits | None = None) -> list[SpecError]:
    """Every problem with the journey, in a stable order; an empty list means it can run.

    ``limits``: the ceilings it must stay within (default: :func:`limits.current_limits`).
    """
    errors: list[SpecError] = []
    if not spec.name.strip():
        errors.append(SpecError("name", "must not be empty"))
    if not spec.event_provider.strip():
        errors.append(SpecError("event_provider", "must not be empty"))
    if not spec.correlation_field.strip():
        errors.append(SpecError("correlation_field", "must not be empty"))
    try:
        ZoneInfo(spec.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        errors.append(SpecError("timezone", f"'{spec.timezone}' is not a known IANA timezone"))
    if not isinstance(spec.seed, int) or isinstance(spec.seed, bool) or not 0 <= spec.seed < 2**63:
        errors.append(SpecError("seed", "must be a whole number between 0 and 2^63"))
    if not _finite(spec.journeys_per_day) or spec.journeys_per_day < 0:
        errors.append(SpecError("journeys_per_day", "must be a number, 0 or more"))
    _weights(errors, "hour_weights", spec.hour_weights, count=HOURS_PER_DAY)
    _weights(errors, "weekday_weights", spec.weekday_weights, count=DAYS_PER_WEEK)
    if len(spec.steps) < 2:
        errors.append(SpecError("steps", "a journey needs at least two steps"))
    seen_types: dict[str, int] = {}
    for index, step in enumerate(spec.steps):
        validate_step(errors, index, step)
        if step.event_type in seen_types:
            errors.append(
                SpecError(
                    f"steps[{index}].event_type",
                    f"'{step.event_type}' is already used by step {seen_types[step.event_type] + 1}",
                )
            )
        seen_types.setdefault(step.event_type, index)
    if sum(step.max_loops for step in spec.steps if isinstance(step.max_loops, int)) > MAX_EVENTS_PER_JOURNEY:
        errors.append(
            SpecError("steps", f"a journey may emit at most {MAX_EVENTS_PER_JOURNEY:,} events: lower the max loops")
        )
    _validate_errors(errors, spec)
    _validate_incidents(errors, spec)
    _weighted_list(errors, "locations", spec.locations)
    _weighted_list(errors, "segments", spec.segments)
    _weighted_list(errors, "hosts", spec.hosts)
    _validate_fields(errors, spec)
    errors += [SpecError(path, message) for path, message in limit_problems(spec, limits)]
    return errors


def ensure_valid(spec: JourneySpec, limits: Limits | None = None) -> JourneySpec:
    errors = validate(spec, limits)
    if errors:
        raise InvalidJourney(errors)
    return spec
