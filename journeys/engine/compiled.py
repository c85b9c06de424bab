"""A journey specification turned into the numbers the generator needs, computed once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np

from .spec import JourneySpec, ensure_valid

MS_PER_HOUR = 3_600_000
BLOCK_MS = 15 * 60 * 1000  # starts are drawn in 15-minute blocks: every UTC offset in use is a multiple of it
BLOCKS_PER_HOUR = MS_PER_HOUR // BLOCK_MS


@dataclass(frozen=True)
class CompiledStep:
    index: int
    take_probability: float  # 1 unless optional
    drop_probability: float
    min_delay_ms: int
    max_delay_ms: int
    max_loops: int
    error_cumulative: np.ndarray  # cumulative probabilities of the step's errors, in order
    error_type_codes: tuple[int, ...]
    type_code: int
    incidents: tuple[CompiledIncident, ...]


@dataclass(frozen=True)
class CompiledIncident:
    probability: float
    type_code: int
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
    type_is_error: np.ndarray
    max_duration_ms: int
    location_cumulative: np.ndarray | None
    segment_cumulative: np.ndarray | None
    host_cumulative: np.ndarray | None
    hour_shares: np.ndarray  # 24, sums to 1
    weekday_factors: np.ndarray  # 7, mean 1

    @property
    def timezone(self) -> ZoneInfo:
        return _zone(self.spec.timezone)

    def starts_per_block(self, block: int) -> float:
        """Expected journey starts in the 15-minute block that begins at ``block * BLOCK_MS``."""
        local = datetime.fromtimestamp(block * BLOCK_MS / 1000, UTC).astimezone(self.timezone)
        per_hour = self.spec.journeys_per_day * self.weekday_factors[local.weekday()] * self.hour_shares[local.hour]
        return float(per_hour) / BLOCKS_PER_HOUR

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


def compile_journey(spec: JourneySpec) -> CompiledJourney:
    ensure_valid(spec)
    type_names = [step.event_type for step in spec.steps]
    type_step = list(range(len(spec.steps)))
    type_is_error = [False] * len(spec.steps)

    def type_code(step_index: int, error_name: str) -> int:
        name = f"{spec.steps[step_index].event_type}.{error_name}"
        if name not in type_names:
            type_names.append(name)
            type_step.append(step_index)
            type_is_error.append(True)
        return type_names.index(name)

    steps = []
    for index, step in enumerate(spec.steps):
        errors = spec.errors_on(index)
        incidents = tuple(
            CompiledIncident(
                probability=incident.pct / 100,
                type_code=type_code(index, incident.error_name),
                starts_ms=_epoch_ms(incident.starts_at),
                ends_ms=_epoch_ms(incident.ends_at),
                daily_start_ms=None if incident.daily_start_hour is None else _hours_ms(incident.daily_start_hour),
                daily_end_ms=None if incident.daily_end_hour is None else _hours_ms(incident.daily_end_hour),
            )
            for incident in spec.incidents
            if incident.step == index
        )
        steps.append(
            CompiledStep(
                index=index,
                take_probability=1.0 if step.optional_pct is None else step.optional_pct / 100,
                drop_probability=step.drop_off_pct / 100,
                min_delay_ms=_hours_ms(step.min_delay_hours),
                max_delay_ms=_hours_ms(step.max_delay_hours),
                max_loops=step.max_loops,
                error_cumulative=np.cumsum([error.pct / 100 for error in errors]),
                error_type_codes=tuple(type_code(index, error.name) for error in errors),
                type_code=index,
                incidents=incidents,
            )
        )
    hour = np.asarray(spec.hour_weights, dtype=np.float64)
    weekday = np.asarray(spec.weekday_weights, dtype=np.float64)
    return CompiledJourney(
        spec=spec,
        steps=tuple(steps),
        type_names=tuple(type_names),
        type_step=np.asarray(type_step, dtype=np.int16),
        type_is_error=np.asarray(type_is_error, dtype=bool),
        max_duration_ms=sum(s.max_delay_ms * s.max_loops for s in steps[1:]),
        location_cumulative=_cumulative([w.weight for w in spec.locations]),
        segment_cumulative=_cumulative([w.weight for w in spec.segments]),
        host_cumulative=_cumulative([w.weight for w in spec.hosts]),
        hour_shares=hour / hour.sum(),
        weekday_factors=weekday / weekday.mean(),
    )
