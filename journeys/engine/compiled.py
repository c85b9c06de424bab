"""A journey specification turned into the numbers the generator needs, computed once."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np

from .delays import delay_ceiling_hours, lognormal_parameters
from .spec import ATTRIBUTES, JourneySpec, Step, Variant, ensure_valid

MS_PER_HOUR = 3_600_000
BLOCK_MS = 15 * 60 * 1000  # starts are drawn in 15-minute blocks: every UTC offset in use is a multiple of it
BLOCKS_PER_HOUR = MS_PER_HOUR // BLOCK_MS
DAY_MS = 24 * MS_PER_HOUR


@dataclass(frozen=True)
class CompiledWay:
    """One way through a step: a plain step's only one, or one of its variants."""

    variant: int | None  # None on a plain step
    min_delay_ms: int
    max_delay_ms: int
    lognormal: tuple[float, float] | None  # (mu, sigma) of ln(delay in hours); None: uniform
    ceiling_ms: int  # the longest one delay can be
    max_loops: int
    error_cumulative: np.ndarray  # cumulative probabilities of the way's errors, in order
    error_type_codes: tuple[int, ...]
    type_code: int
    incidents: tuple[CompiledIncident, ...]
    ends_journey: bool


@dataclass(frozen=True)
class CompiledStep:
    index: int
    take_probability: float  # 1 unless optional
    drop_probability: float
    ways: tuple[CompiledWay, ...]
    way_cumulative: np.ndarray | None  # cumulative variant probabilities; None on a plain step

    @property
    def max_loops(self) -> int:
        """The most events a journey can emit on the step (the largest of its variants')."""
        return max(way.max_loops for way in self.ways)

    @property
    def type_code(self) -> int:
        """A plain step's event type code (a step with variants has one per variant: see ``ways``)."""
        if self.way_cumulative is not None:
            raise AttributeError("a step with variants has one type code per variant")
        return self.ways[0].type_code


@dataclass(frozen=True)
class CompiledIncident:
    probability: float
    type_code: int
    starts_ms: int | None
    ends_ms: int | None
    daily_start_ms: int | None  # milliseconds after local midnight
    daily_end_ms: int | None


@dataclass(frozen=True)
class CompiledSurge:
    multiplier: float
    starts_ms: int | None
    ends_ms: int | None
    daily_start_ms: int | None  # milliseconds after local midnight
    daily_end_ms: int | None


@dataclass(frozen=True)
class CompiledJourney:
    spec: JourneySpec
    steps: tuple[CompiledStep, ...]
    type_names: tuple[str, ...]  # event type per type code
    type_step: np.ndarray  # step index per type code
    type_variant: np.ndarray  # variant index per type code, -1 on a plain step
    type_is_error: np.ndarray
    type_carries: dict[str, np.ndarray]  # per attribute (location, segment, revenue): bool per type code
    max_duration_ms: int
    max_ms_after_step: tuple[int, ...]  # the longest a journey can go on after each step (loops included)
    location_cumulative: np.ndarray | None
    segment_cumulative: np.ndarray | None
    host_cumulative: np.ndarray | None
    hour_shares: np.ndarray  # 24, sums to 1
    weekday_factors: np.ndarray  # 7, mean 1
    surges: tuple[CompiledSurge, ...] = ()

    @property
    def timezone(self) -> ZoneInfo:
        return _zone(self.spec.timezone)

    def starts_per_block(self, block: int) -> float:
        """Expected journey starts in the 15-minute block that begins at ``block * BLOCK_MS``."""
        local = datetime.fromtimestamp(block * BLOCK_MS / 1000, UTC).astimezone(self.timezone)
        per_hour = self.spec.journeys_per_day * self.weekday_factors[local.weekday()] * self.hour_shares[local.hour]
        return float(per_hour) / BLOCKS_PER_HOUR

    def surge_pieces(self, block: int) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """Where surges change the start rate inside ``block``: (piece starts, piece ends, multipliers),
        in milliseconds from the block's start; None when no surge touches the block."""
        if not self.surges:
            return None
        block_ms = block * BLOCK_MS
        local = (block_ms + _utc_offset_ms(self.spec.timezone, block_ms // MS_PER_HOUR)) % DAY_MS
        windows = []
        for surge in self.surges:
            if surge.starts_ms is not None:
                spans = [(surge.starts_ms - block_ms, surge.ends_ms - block_ms)]
            else:  # the daily window on the local days around the block's start
                lo, hi = surge.daily_start_ms, surge.daily_end_ms
                if hi < lo:
                    hi += DAY_MS
                spans = [(lo + day - local, hi + day - local) for day in (-DAY_MS, 0, DAY_MS)]
            for lo, hi in spans:
                if lo < BLOCK_MS and hi > 0:
                    windows.append((max(lo, 0), min(hi, BLOCK_MS), surge.multiplier))
        if not windows:
            return None
        edges = np.unique([0, BLOCK_MS] + [edge for lo, hi, _ in windows for edge in (lo, hi)]).astype(np.int64)
        multipliers = np.ones(edges.size - 1)
        for lo, hi, multiplier in windows:  # overlapping surges multiply
            multipliers[(edges[:-1] >= lo) & (edges[1:] <= hi)] *= multiplier
        return edges[:-1], edges[1:], multipliers

    def expected_starts(self, block: int) -> float:
        """Expected journey starts in ``block``, surges included."""
        pieces = self.surge_pieces(block)
        base = self.starts_per_block(block)
        if pieces is None:
            return base
        lows, highs, multipliers = pieces
        return base * float(((highs - lows) * multipliers).sum()) / BLOCK_MS

    def local_ms_of_day(self, ts_ms: np.ndarray) -> np.ndarray:
        """Milliseconds since local midnight for each UTC timestamp (DST-aware, per UTC hour)."""
        hours = ts_ms // MS_PER_HOUR
        unique_hours, inverse = np.unique(hours, return_inverse=True)
        offsets = np.array([_utc_offset_ms(self.spec.timezone, int(h)) for h in unique_hours], dtype=np.int64)
        return (ts_ms + offsets[inverse]) % (24 * MS_PER_HOUR)


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@lru_cache(maxsize=65536)
def _utc_offset_ms(zone: str, utc_hour: int) -> int:
    moment = datetime.fromtimestamp(utc_hour * 3600, UTC).astimezone(_zone(zone))
    return int(moment.utcoffset().total_seconds() * 1000)


def _cumulative(weights) -> np.ndarray | None:
    if not weights:
        return None
    values = np.asarray(weights, dtype=np.float64)
    cumulative = np.cumsum(values / values.sum())
    cumulative[-1] = 1.0  # guard against rounding leaving a gap at the top
    return cumulative


def _hours_ms(hours: float) -> int:
    return round(hours * MS_PER_HOUR)


def _epoch_ms(moment: datetime | None) -> int | None:
    return None if moment is None else round(moment.timestamp() * 1000)


def _compile_way(way: Variant, variant: int | None, errors, incidents, type_code: int, codes) -> CompiledWay:
    """``codes(error_name)`` gives the type code of ``<event type>.<error name>``."""
    compiled_incidents = tuple(
        CompiledIncident(
            probability=incident.pct / 100,
            type_code=codes(incident.error_name),
            starts_ms=_epoch_ms(incident.starts_at),
            ends_ms=_epoch_ms(incident.ends_at),
            daily_start_ms=None if incident.daily_start_hour is None else _hours_ms(incident.daily_start_hour),
            daily_end_ms=None if incident.daily_end_hour is None else _hours_ms(incident.daily_end_hour),
        )
        for incident in incidents
    )
    lognormal = way.delay_shape == "lognormal" and way.min_delay_hours > 0
    ceiling = delay_ceiling_hours(way.min_delay_hours, way.max_delay_hours, way.delay_shape)
    return CompiledWay(
        variant=variant,
        min_delay_ms=_hours_ms(way.min_delay_hours),
        max_delay_ms=_hours_ms(way.max_delay_hours),
        lognormal=lognormal_parameters(way.min_delay_hours, way.max_delay_hours) if lognormal else None,
        ceiling_ms=math.ceil(ceiling * MS_PER_HOUR) if lognormal else _hours_ms(way.max_delay_hours),
        max_loops=way.max_loops,
        error_cumulative=np.cumsum([error.pct / 100 for error in errors]),
        error_type_codes=tuple(codes(error.name) for error in errors),
        type_code=type_code,
        incidents=compiled_incidents,
        ends_journey=way.ends_journey,
    )


def _compile_surges(spec: JourneySpec) -> tuple[CompiledSurge, ...]:
    return tuple(
        CompiledSurge(
            multiplier=float(surge.multiplier),
            starts_ms=_epoch_ms(surge.starts_at),
            ends_ms=_epoch_ms(surge.ends_at),
            daily_start_ms=None if surge.daily_start_hour is None else _hours_ms(surge.daily_start_hour),
            daily_end_ms=None if surge.daily_end_hour is None else _hours_ms(surge.daily_end_hour),
        )
        for surge in spec.surges
    )


def _way_cumulative(step: Step) -> np.ndarray | None:
    return _cumulative([variant.weight for variant in step.variants]) if step.variants else None


def compile_journey(spec: JourneySpec, *, validated: bool = False) -> CompiledJourney:
    """The journey ready to simulate; ``validated``: the caller has just checked ``spec`` against the
    current ceilings (as reading a journey file does), so it is not checked twice."""
    if not validated:
        ensure_valid(spec)
    # Type codes: every way's own event type in step order (a plain step's code is its index when no
    # step has variants), then error types as they are met.
    ways = [(index, variant, way) for index, step in enumerate(spec.steps) for variant, way in _ways(step)]
    type_names = [way.event_type for _, _, way in ways]
    type_step = [index for index, _, _ in ways]
    type_variant = [-1 if variant is None else variant for _, variant, _ in ways]
    type_is_error = [False] * len(ways)
    carriers = [way for _, _, way in ways]

    def codes_for(index: int, variant: int | None, way: Variant):
        def type_code(error_name: str) -> int:
            name = f"{way.event_type}.{error_name}"
            if name not in type_names:
                type_names.append(name)
                type_step.append(index)
                type_variant.append(-1 if variant is None else variant)
                type_is_error.append(True)
                carriers.append(way)  # an error event is the way's event: it carries the way's attributes
            return type_names.index(name)

        return type_code

    steps = []
    for index, step in enumerate(spec.steps):
        compiled_ways = []
        for variant, way in _ways(step):
            incidents = [i for i in spec.incidents if i.step == index and i.variant == variant]
            code = type_names.index(way.event_type)
            errors = spec.errors_of_way(index, variant)
            compiled_ways.append(_compile_way(way, variant, errors, incidents, code, codes_for(index, variant, way)))
        steps.append(
            CompiledStep(
                index=index,
                take_probability=1.0 if step.optional_pct is None else step.optional_pct / 100,
                drop_probability=step.drop_off_pct / 100,
                ways=tuple(compiled_ways),
                way_cumulative=_way_cumulative(step),
            )
        )
    longest = [max(way.ceiling_ms * way.max_loops for way in step.ways) for step in steps]
    after_step = tuple(sum(longest[index + 1 :]) for index in range(len(steps)))
    hour = np.asarray(spec.hour_weights, dtype=np.float64)
    weekday = np.asarray(spec.weekday_weights, dtype=np.float64)
    return CompiledJourney(
        spec=spec,
        steps=tuple(steps),
        type_names=tuple(type_names),
        type_step=np.asarray(type_step, dtype=np.int16),
        type_variant=np.asarray(type_variant, dtype=np.int16),
        type_is_error=np.asarray(type_is_error, dtype=bool),
        type_carries={
            name: np.array([getattr(way, f"carries_{name}") for way in carriers], bool) for name in ATTRIBUTES
        },
        max_duration_ms=after_step[0],
        max_ms_after_step=after_step,
        location_cumulative=_cumulative([w.weight for w in spec.locations]),
        segment_cumulative=_cumulative([w.weight for w in spec.segments]),
        host_cumulative=_cumulative([w.weight for w in spec.hosts]),
        hour_shares=hour / hour.sum(),
        weekday_factors=weekday / weekday.mean(),
        surges=_compile_surges(spec),
    )


def _ways(step: Step) -> list[tuple[int | None, Variant]]:
    if step.variants:
        return list(enumerate(step.variants))
    return [(None, step.ways()[0])]
