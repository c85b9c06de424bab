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

from .delays import DELAY_SHAPES, delay_ceiling_hours
from .limits import Limits, limit_problems, step_limit_problems

HOURS_PER_DAY = 24
DAYS_PER_WEEK = 7
ATTRIBUTES = ("location", "segment", "revenue")
MAX_EVENTS_PER_JOURNEY = 30_000  # events of one journey are numbered in 16 bits of its event ids
MIN_VARIANTS, MAX_VARIANTS = 2, 5  # the Business Flow app draws at most 5 branches from a step


@dataclass(frozen=True)
class Variant:
    """One way through a step that offers several (journey format version 2).

    A journey that reaches the step and neither skips it (optional) nor drops off there takes exactly
    one of the step's variants, with probability ``weight`` / the sum of the step's weights. The
    variant then behaves exactly as a plain step would: its own delay (``min_delay_hours``,
    ``max_delay_hours``, ``delay_shape``, ignored on the first step), errors (:class:`ErrorRule` with
    ``variant`` set to its index), loops, attributes carried and decision flag.

    ``ends_journey``: after its event(s), loops included, and when it did not fail, the journey ends
    here: an end state such as "Application rejected" (neither a drop-off nor an error).

    Every field has a concrete value: the journey file lets a variant leave a field out to take its
    step's value, but the reader resolves that, so nothing here refers back to the step.
    """

    name: str  # e.g. "Card"; unique within the step
    event_type: str  # unique across the journey's steps and variants
    weight: float = 1.0  # > 0
    min_delay_hours: float = 0.0
    max_delay_hours: float = 0.0
    delay_shape: str = "uniform"  # one of DELAY_SHAPES
    max_loops: int = 1
    carries_location: bool = False
    carries_segment: bool = False
    carries_revenue: bool = False
    is_decision: bool = False
    ends_journey: bool = False


@dataclass(frozen=True)
class Step:
    """One stage of the journey.

    A plain step has one ``event_type``. A step with ``variants`` (2 to 5 :class:`Variant`) keeps
    its ``name`` (the stage, e.g. "Payment"), ``drop_off_pct`` and ``optional_pct``; its
    ``event_type`` is empty and its own delay, shape, loops, attributes and decision flag are not
    used (each variant holds its own). :meth:`ways` gives a uniform view of both kinds.

    ``delay_shape``: ``"uniform"`` (default; uniform in [min, max] hours) or ``"lognormal"`` (the
    log-normal whose 5th and 95th percentiles are min and max, 0 < min < max; see
    :func:`mean_delay_hours`).
    """

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
    delay_shape: str = "uniform"
    variants: tuple[Variant, ...] = ()

    @property
    def loops(self) -> bool:
        return self.max_loops > 1

    @property
    def is_optional(self) -> bool:
        return self.optional_pct is not None

    @property
    def has_variants(self) -> bool:
        return bool(self.variants)

    def ways(self) -> tuple[Variant, ...]:
        """The step's variants; a plain step is one way of weight 1 that never ends the journey."""
        if self.variants:
            return self.variants
        return (
            Variant(
                name=self.name,
                event_type=self.event_type,
                min_delay_hours=self.min_delay_hours,
                max_delay_hours=self.max_delay_hours,
                delay_shape=self.delay_shape,
                max_loops=self.max_loops,
                carries_location=self.carries_location,
                carries_segment=self.carries_segment,
                carries_revenue=self.carries_revenue,
                is_decision=self.is_decision,
            ),
        )

    @property
    def event_types(self) -> tuple[str, ...]:
        return tuple(way.event_type for way in self.ways())


@dataclass(frozen=True)
class ErrorRule:
    """A journey performing the step (or variant) fails there with this error with ``pct`` %."""

    name: str
    step: int  # index into JourneySpec.steps
    pct: float
    variant: int | None = None  # index into the step's variants; None on a plain step (required otherwise)


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
    variant: int | None = None  # as on ErrorRule: the variant of a step with variants

    @property
    def is_daily(self) -> bool:
        return self.daily_start_hour is not None


@dataclass(frozen=True)
class Surge:
    """A window in which journey starts come ``multiplier`` times as often (journey format version 2).

    3 is three times the starts, 0.2 a lull, 0 none at all. The window is absolute
    (``starts_at``/``ends_at``, aware datetimes) or the same local hours every day
    (``daily_start_hour``/``daily_end_hour``, the end may be smaller than the start to wrap past
    midnight), as for :class:`Incident`. Overlapping surges multiply.
    """

    multiplier: float
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
    surges: tuple[Surge, ...] = ()

    def step_index(self, event_type: str) -> int:
        """The step that emits ``event_type`` (its own, or one of its variants')."""
        return self.way_of(event_type)[0]

    def way_of(self, event_type: str) -> tuple[int, int | None]:
        """(step index, variant index or None for a plain step) of the way that emits ``event_type``."""
        for index, step in enumerate(self.steps):
            if not step.variants and step.event_type == event_type:
                return index, None
            for variant_index, variant in enumerate(step.variants):
                if variant.event_type == event_type:
                    return index, variant_index
        raise KeyError(event_type)

    def errors_on(self, step_index: int) -> list[ErrorRule]:
        """Every error rule of the step, of all its variants."""
        return [error for error in self.errors if error.step == step_index]

    def errors_of_way(self, step_index: int, variant: int | None) -> list[ErrorRule]:
        """The error rules of one way: a plain step (``variant`` None) or one variant of a step."""
        return [error for error in self.errors if error.step == step_index and error.variant == variant]

    def way_type(self, step_index: int, variant: int | None) -> str:
        """The event type of a plain step (``variant`` None) or of one variant of a step."""
        step = self.steps[step_index]
        return step.event_type if variant is None else step.variants[variant].event_type

    @property
    def has_variants(self) -> bool:
        return any(step.variants for step in self.steps)

    @property
    def uses_version_2(self) -> bool:
        """Whether the journey needs journey format version 2 (variants, delay shapes or surges)."""
        shaped = any(way.delay_shape != "uniform" for step in self.steps for way in step.ways())
        return self.has_variants or shaped or bool(self.surges)

    @property
    def max_duration_hours(self) -> float:
        """The longest a journey can last from its first event to its last (lognormal tails capped)."""
        return sum(
            max(
                delay_ceiling_hours(w.min_delay_hours, w.max_delay_hours, w.delay_shape) * w.max_loops for w in s.ways()
            )
            for s in self.steps[1:]
        )


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


def _event_type(errors: list[SpecError], path: str, value: str) -> None:
    if not value.strip() or any(ch.isspace() for ch in value):
        errors.append(SpecError(path, "must be a non-empty name without spaces"))


def _validate_way(errors: list[SpecError], path: str, way: Step | Variant, *, first: bool) -> None:
    """Delay range and shape, loops: what a plain step and a variant both hold."""
    for name in ("min_delay_hours", "max_delay_hours"):
        value = getattr(way, name)
        if not _finite(value) or value < 0:
            errors.append(SpecError(f"{path}.{name}", "must be a number of hours, 0 or more"))
    lo, hi = way.min_delay_hours, way.max_delay_hours
    if way.delay_shape not in DELAY_SHAPES:
        errors.append(SpecError(f"{path}.delay_shape", f"must be one of {', '.join(DELAY_SHAPES)}"))
    elif _finite(lo) and _finite(hi):
        if lo > hi:
            errors.append(SpecError(f"{path}.min_delay_hours", "must not be above the max delay"))
        elif way.delay_shape == "lognormal" and not first and not 0 < lo < hi:
            errors.append(
                SpecError(
                    f"{path}.min_delay_hours", "a lognormal delay needs 0 < min < max (its 5th and 95th percentiles)"
                )
            )
    if not isinstance(way.max_loops, int) or isinstance(way.max_loops, bool) or way.max_loops < 1:
        errors.append(SpecError(f"{path}.max_loops", "must be a whole number, 1 or more (1 = no loop)"))


def _validate_variants(errors: list[SpecError], path: str, step: Step, *, first: bool, last: bool) -> None:
    if not MIN_VARIANTS <= len(step.variants) <= MAX_VARIANTS:
        errors.append(
            SpecError(
                f"{path}.variants", f"a step offers {MIN_VARIANTS} to {MAX_VARIANTS} variants, not {len(step.variants)}"
            )
        )
    if step.event_type:
        errors.append(
            SpecError(f"{path}.event_type", "a step with variants has no event type of its own: each variant has one")
        )
    names: set[str] = set()
    for index, variant in enumerate(step.variants):
        at = f"{path}.variants[{index}]"
        if not variant.name.strip():
            errors.append(SpecError(f"{at}.name", "must not be empty"))
        elif variant.name in names:
            errors.append(SpecError(f"{at}.name", f"'{variant.name}' is already a variant of this step"))
        names.add(variant.name)
        _event_type(errors, f"{at}.event_type", variant.event_type)
        if not _finite(variant.weight) or variant.weight <= 0:
            errors.append(SpecError(f"{at}.weight", "must be a number above 0"))
        _validate_way(errors, at, variant, first=first)
    if not last and step.variants and all(variant.ends_journey for variant in step.variants):
        errors.append(
            SpecError(f"{path}.variants", "every variant ends the journey, so no journey reaches the next step")
        )


def validate_step(
    errors: list[SpecError], index: int, step: Step, *, last: bool = False, limits: Limits | None = None
) -> None:
    """The step's own rules; ``last`` tells whether later steps follow (for variants that end the journey).

    ``limits``: the ceilings of its delays and loops (default: :func:`limits.current_limits`).
    """
    path = f"steps[{index}]"
    if not step.name.strip():
        errors.append(SpecError(f"{path}.name", "must not be empty"))
    if not step.variants:
        _event_type(errors, f"{path}.event_type", step.event_type)
    _pct(errors, f"{path}.drop_off_pct", step.drop_off_pct)
    if step.variants:
        _validate_variants(errors, path, step, first=index == 0, last=last)
    else:
        _validate_way(errors, path, step, first=index == 0)
    if step.optional_pct is not None:
        _pct(errors, f"{path}.optional_pct", step.optional_pct)
    if index == 0:
        if step.drop_off_pct:
            errors.append(SpecError(f"{path}.drop_off_pct", "the first step cannot have a drop-off"))
        if step.optional_pct is not None:
            errors.append(SpecError(f"{path}.optional_pct", "the first step cannot be optional"))
        ways = [(f"{path}.variants[{v}]", w) for v, w in enumerate(step.variants)] or [(path, step)]
        for at, way in ways:
            if way.max_loops != 1:
                errors.append(SpecError(f"{at}.max_loops", "the first step cannot loop"))
    errors += [SpecError(path, message) for path, message in step_limit_problems(index, step, limits)]


def _rule_way(errors: list[SpecError], path: str, spec: JourneySpec, step: int, variant: int | None) -> bool:
    """Whether (step, variant) names a way of the journey: a plain step, or one variant of a step."""
    if not isinstance(step, int) or not 0 <= step < len(spec.steps):
        errors.append(SpecError(f"{path}.step", "must name one of the journey's steps"))
        return False
    variants = spec.steps[step].variants
    if variants and variant is None:
        errors.append(SpecError(f"{path}.variant", f"step '{spec.steps[step].name}' has variants: name one of them"))
        return False
    if variant is not None and not (isinstance(variant, int) and 0 <= variant < len(variants)):
        errors.append(SpecError(f"{path}.variant", f"must name one of the variants of step '{spec.steps[step].name}'"))
        return False
    return True


def _validate_errors(errors: list[SpecError], spec: JourneySpec) -> None:
    totals: dict[tuple[int, int | None], float] = {}
    seen: set[tuple[int, int | None, str]] = set()
    for index, rule in enumerate(spec.errors):
        path = f"errors[{index}]"
        _event_type(errors, f"{path}.name", rule.name)
        if not _rule_way(errors, path, spec, rule.step, rule.variant):
            continue
        if (rule.step, rule.variant, rule.name) in seen:
            errors.append(SpecError(f"{path}.name", f"'{rule.name}' is defined twice on that step"))
        seen.add((rule.step, rule.variant, rule.name))
        _pct(errors, f"{path}.pct", rule.pct)
        if _finite(rule.pct):
            totals[rule.step, rule.variant] = totals.get((rule.step, rule.variant), 0.0) + rule.pct
    for (step_index, variant), total in sorted(totals.items(), key=lambda item: (item[0][0], item[0][1] or 0)):
        step = spec.steps[step_index]
        name = step.name if variant is None else f"{step.name} / {step.variants[variant].name}"
        if total > 100 + 1e-9:
            errors.append(SpecError("errors", f"the error %s of step '{name}' add up to {total:g}, above 100"))


def _validate_window(errors: list[SpecError], path: str, window: Incident | Surge) -> None:
    """An absolute window or daily hours, exactly one of them, well formed."""
    absolute = window.starts_at is not None or window.ends_at is not None
    daily = window.daily_start_hour is not None or window.daily_end_hour is not None
    if absolute == daily:
        errors.append(SpecError(path, "needs either an absolute window or daily hours, not both"))
    elif absolute:
        if window.starts_at is None or window.ends_at is None:
            errors.append(SpecError(path, "an absolute window needs both a start and an end"))
        elif window.starts_at.tzinfo is None or window.ends_at.tzinfo is None:
            errors.append(SpecError(path, "window times must include a timezone"))
        elif window.ends_at <= window.starts_at:
            errors.append(SpecError(f"{path}.ends_at", "must be after the start"))
    else:
        for name in ("daily_start_hour", "daily_end_hour"):
            value = getattr(window, name)
            if not _finite(value) or not 0 <= value <= 24:
                errors.append(SpecError(f"{path}.{name}", "must be an hour between 0 and 24"))
        if window.daily_start_hour == window.daily_end_hour:
            errors.append(SpecError(f"{path}.daily_end_hour", "must differ from the start hour"))


def _validate_incidents(errors: list[SpecError], spec: JourneySpec) -> None:
    for index, incident in enumerate(spec.incidents):
        path = f"incidents[{index}]"
        _rule_way(errors, path, spec, incident.step, incident.variant)
        _event_type(errors, f"{path}.error_name", incident.error_name)
        _pct(errors, f"{path}.pct", incident.pct)
        _validate_window(errors, path, incident)


MAX_SURGE_MULTIPLIER = 1000


def _validate_surges(errors: list[SpecError], spec: JourneySpec) -> None:
    for index, surge in enumerate(spec.surges):
        path = f"surges[{index}]"
        if not _finite(surge.multiplier) or not 0 <= surge.multiplier <= MAX_SURGE_MULTIPLIER:
            errors.append(SpecError(f"{path}.multiplier", f"must be a number between 0 and {MAX_SURGE_MULTIPLIER}"))
        _validate_window(errors, path, surge)


def _validate_fields(errors: list[SpecError], spec: JourneySpec) -> None:
    ways = [way for step in spec.steps for way in step.ways()]
    carried = {
        "location": any(w.carries_location for w in ways),
        "segment": any(w.carries_segment for w in ways),
        "revenue": any(w.carries_revenue for w in ways),
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
        validate_step(errors, index, step, last=index == len(spec.steps) - 1, limits=limits)
        paths = [f"steps[{index}].variants[{v}].event_type" for v in range(len(step.variants))]
        for path, event_type in zip(paths or [f"steps[{index}].event_type"], step.event_types, strict=True):
            if event_type in seen_types:
                errors.append(SpecError(path, f"'{event_type}' is already used by step {seen_types[event_type] + 1}"))
            seen_types.setdefault(event_type, index)
    loops = [max((w.max_loops for w in s.ways() if isinstance(w.max_loops, int)), default=1) for s in spec.steps]
    if sum(loops) > MAX_EVENTS_PER_JOURNEY:
        errors.append(
            SpecError("steps", f"a journey may emit at most {MAX_EVENTS_PER_JOURNEY:,} events: lower the max loops")
        )
    _validate_errors(errors, spec)
    _validate_incidents(errors, spec)
    _validate_surges(errors, spec)
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
