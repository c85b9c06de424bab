"""Simulate every journey that starts in one 15-minute block, vectorised over the block's journeys.

Each block draws from its own random stream, seeded by (journey seed, block number), and the draws
are made in a fixed order. So a block's journeys are the same whichever range asked for them: this is
what makes generation deterministic and split-invariant. A block asked only for the events of a time
window stops once no journey can still send one there: the draws it leaves out come after all those
that shaped the window's events.

At low volume a block holds a handful of journeys, and its cost is the fixed cost of each numpy call
and random draw rather than the arithmetic: hence the single code kept for a whole emission, and the
steps without errors that skip the error bookkeeping.
"""

from __future__ import annotations

import numpy as np

from .columns import EventColumns
from .compiled import BLOCK_MS, MS_PER_HOUR, CompiledIncident, CompiledJourney, CompiledStep, CompiledWay
from .delays import LOGNORMAL_CAP_Z


def block_rng(seed: int, block: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, block])))


def _pick(rng: np.random.Generator, cumulative: np.ndarray | None, n: int) -> np.ndarray:
    if cumulative is None:
        return np.full(n, -1, np.int16)
    return cumulative.searchsorted(rng.random(n), side="right").astype(np.int16)


def _delays(rng: np.random.Generator, way: CompiledWay, n: int) -> np.ndarray:
    if way.lognormal is not None:  # ln(delay) normal, its tail capped at the 99.99th percentile
        mu, sigma = way.lognormal
        z = np.minimum(rng.standard_normal(n), LOGNORMAL_CAP_Z)
        hours = np.exp(mu + sigma * z)
        return np.minimum(np.rint(hours * MS_PER_HOUR).astype(np.int64), way.ceiling_ms)
    if way.min_delay_ms == way.max_delay_ms:
        return np.full(n, way.min_delay_ms, np.int64)
    return rng.integers(way.min_delay_ms, way.max_delay_ms + 1, n, dtype=np.int64)


def _uuids(rng: np.random.Generator, n: int) -> np.ndarray:
    raw = rng.integers(0, 256, (n, 16), dtype=np.uint8)
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40  # version 4
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80  # RFC 4122 variant
    return raw


def _in_window(journey: CompiledJourney, incident: CompiledIncident, ts: np.ndarray) -> np.ndarray:
    if incident.starts_ms is not None:
        return (ts >= incident.starts_ms) & (ts < incident.ends_ms)
    local = journey.local_ms_of_day(ts)
    lo, hi = incident.daily_start_ms, incident.daily_end_ms
    return (local >= lo) & (local < hi) if lo < hi else (local >= lo) | (local < hi)


class _Emitter:
    """Collects events step by step; numbers each journey's events as they come.

    ``keep``: the range of journey numbers whose events are kept (all when None); the others are
    still simulated, so that every draw is made and the kept journeys are the same as in a full block.
    """

    def __init__(self, n: int, keep: tuple[int, int] | None = None):
        self.seq = np.zeros(n, np.int16)
        self.keep = keep
        self.journeys: list[np.ndarray] = []
        self.timestamps: list[np.ndarray] = []
        self.type_codes: list[np.ndarray | int] = []  # one code for a whole emission, or one per event
        self.seqs: list[np.ndarray] = []

    def emit(self, journeys: np.ndarray, ts: np.ndarray, type_codes: np.ndarray | int) -> None:
        if journeys.size == 0:
            return
        seq = self.seq[journeys]
        self.seq[journeys] = seq + 1
        if self.keep is not None:
            kept = (journeys >= self.keep[0]) & (journeys < self.keep[1])
            journeys, ts, seq = journeys[kept], ts[kept], seq[kept]
            if isinstance(type_codes, np.ndarray):
                type_codes = type_codes[kept]
            if journeys.size == 0:
                return
        self.journeys.append(journeys)
        self.timestamps.append(ts)
        self.type_codes.append(type_codes)
        self.seqs.append(seq)

    def sorted_columns(self, window: tuple[int, int] | None = None) -> tuple[np.ndarray, ...] | None:
        """(journey, timestamp, type code, seq) of every kept event (of those in [start, end) with a
        ``window``), sorted by (timestamp, journey, seq); None when there is none."""
        if not self.journeys:
            return None
        ts = np.concatenate(self.timestamps)
        inside = None if window is None else (ts >= window[0]) & (ts < window[1])
        kept = ts.size if inside is None else np.count_nonzero(inside)
        if not kept:
            return None
        j, seq = np.concatenate(self.journeys), np.concatenate(self.seqs)
        codes = _codes_column(self.type_codes, [part.size for part in self.journeys])
        if kept < ts.size:
            j, ts, codes, seq = j[inside], ts[inside], codes[inside], seq[inside]
        order = np.lexsort((seq, j, ts))
        return j[order], ts[order], codes[order], seq[order]


def _codes_column(codes: list[np.ndarray | int], sizes: list[int]) -> np.ndarray:
    """The int16 type code of every event: each part's single code repeated, or the part's own codes."""
    column = np.repeat(np.array([code if isinstance(code, int) else -1 for code in codes], np.int16), sizes)
    first = 0
    for code, size in zip(codes, sizes, strict=True):
        if not isinstance(code, int):
            column[first : first + size] = code
        first += size
    return column


def _kept_journeys(start: np.ndarray, from_ms: int | None, count: int | None) -> tuple[int, int] | None:
    """The numbers of the first ``count`` journeys starting at or after ``from_ms``, and of any that start in
    the same millisecond as the last of them (so the caller can order ties as it likes)."""
    if count is None:
        return None
    low = int(np.searchsorted(start, -(2**62) if from_ms is None else from_ms, side="left"))
    high = min(start.size, low + count)
    if high > low:
        high = int(np.searchsorted(start, start[high - 1], side="right"))
    return low, high


def _run_step(journey, step: CompiledStep, rng, alive, prev, start, emitter: _Emitter) -> None:
    if step.index == 0:
        idx = np.arange(alive.size)
    else:
        idx = alive.nonzero()[0]
        if step.take_probability < 1:
            idx = idx[rng.random(idx.size) < step.take_probability]  # the others skip: no event, no time
        if step.drop_probability > 0:
            going_on = rng.random(idx.size) >= step.drop_probability  # the others drop off here
            alive[idx] = going_on
            idx = idx[going_on]
    if step.way_cumulative is None:
        _run_way(journey, step.ways[0], step.index == 0, rng, idx, alive, prev, start, emitter)
        return
    # One variant per journey, by weight; then each variant's journeys go on as through a plain step.
    which = np.searchsorted(step.way_cumulative, rng.random(idx.size), side="right")
    for number, way in enumerate(step.ways):
        _run_way(journey, way, step.index == 0, rng, idx[which == number], alive, prev, start, emitter)


def _run_way(journey, way: CompiledWay, first: bool, rng, idx, alive, prev, start, emitter: _Emitter) -> None:
    ts = start[idx] if first else prev[idx] + _delays(rng, way, idx.size)
    error_code = _error_codes(journey, way, rng, ts)
    if error_code is not None:
        failed = error_code >= 0
        if failed.any():
            emitter.emit(idx[failed], ts[failed], error_code[failed])
            alive[idx[failed]] = False
            idx, ts = idx[~failed], ts[~failed]
    emitter.emit(idx, ts, way.type_code)
    prev[idx] = ts
    if way.ends_journey:  # an end state: after its events, loops included
        alive[idx] = False
    if way.max_loops > 1:
        repetitions = rng.integers(1, way.max_loops + 1, idx.size)
        for done in range(1, way.max_loops):
            more = repetitions > done
            idx, ts, repetitions = idx[more], ts[more], repetitions[more]
            ts = ts + _delays(rng, way, idx.size)
            emitter.emit(idx, ts, way.type_code)
            prev[idx] = ts


def _error_codes(journey, way: CompiledWay, rng, ts: np.ndarray) -> np.ndarray | None:
    """Each event's error type code (-1: no error); None when the way can fail in no way at all."""
    if not way.error_cumulative.size and not way.incidents:
        return None
    error_code = np.full(ts.size, -1, np.int16)
    if way.error_cumulative.size:
        which = np.searchsorted(way.error_cumulative, rng.random(ts.size), side="right")
        failed = which < way.error_cumulative.size
        error_code[failed] = np.asarray(way.error_type_codes, np.int16)[which[failed]]
    for incident in way.incidents:  # on top of the normal errors, inside its window only
        hit = (rng.random(ts.size) < incident.probability) & _in_window(journey, incident, ts)
        error_code[hit] = incident.type_code
    return error_code


def _start_times(journey: CompiledJourney, rng: np.random.Generator, block: int) -> np.ndarray:
    """Poisson starts in the block, uniform within it, or piecewise uniform where surges change the rate."""
    pieces = journey.surge_pieces(block)
    if pieces is None:
        n = int(rng.poisson(journey.starts_per_block(block)))
        return np.sort(rng.integers(0, BLOCK_MS, n, dtype=np.int64)) + block * BLOCK_MS
    lows, highs, multipliers = pieces
    weights = (highs - lows) * multipliers
    total = float(weights.sum())
    n = int(rng.poisson(journey.starts_per_block(block) * total / BLOCK_MS))
    if n == 0:
        return np.empty(0, np.int64)
    # Inverse of the piecewise-linear cumulative rate: a uniform draw over the total weight.
    position = rng.random(n) * total
    cumulative = np.cumsum(weights)
    piece = np.minimum(np.searchsorted(cumulative, position, side="right"), lows.size - 1)
    before = cumulative[piece] - weights[piece]
    offset = lows[piece] + np.floor((position - before) / multipliers[piece]).astype(np.int64)
    return np.sort(np.clip(offset, lows[piece], highs[piece] - 1)) + block * BLOCK_MS


def simulate_block(
    journey: CompiledJourney,
    block: int,
    *,
    from_ms: int | None = None,
    count: int | None = None,
    window: tuple[int, int] | None = None,
) -> EventColumns:
    """Every event of the journeys starting in ``block``, sorted by (timestamp, journey, seq).

    With ``count``: only the events of the first ``count`` journeys that start at or after ``from_ms``
    (with any starting in the same millisecond as the last of them). They are the very events a full
    block holds, and memory and sorting stay proportional to them, not to the block.
    With ``window`` (start, end): only the events in [start, end), the very ones a full block holds;
    the journeys are simulated only as far as one of them can still send an event there.
    """
    rng = block_rng(journey.spec.seed, block)
    start = _start_times(journey, rng, block)
    n = start.size
    if n == 0:
        return EventColumns.empty()
    correlation, event_base = _uuids(rng, n), _uuids(rng, n)
    location = _pick(rng, journey.location_cumulative, n)
    segment = _pick(rng, journey.segment_cumulative, n)
    host = _pick(rng, journey.host_cumulative, n)
    revenue = _revenue(journey, rng, n)
    alive, prev, emitter = np.ones(n, bool), start.copy(), _Emitter(n, _kept_journeys(start, from_ms, count))
    for step in journey.steps:
        _run_step(journey, step, rng, alive, prev, start, emitter)
        if window is not None and _out_of_reach(journey, step, alive, prev, window):
            break  # the block's later draws could change no event in the window
    events = emitter.sorted_columns(window)
    if events is None:
        return EventColumns.empty()
    j, ts, codes, seq = events
    event_id = event_base[j]
    event_id[:, 14] = (seq >> 8).astype(np.uint8)  # fold the event's position into the journey's id base
    event_id[:, 15] = (seq & 0xFF).astype(np.uint8)
    return EventColumns(
        ts_ms=ts,
        type_code=codes,
        seq=seq,
        is_last=seq == emitter.seq[j] - 1,
        journey_start_ms=start[j],
        correlation=correlation[j],
        event_id=event_id,
        location=location[j],
        segment=segment[j],
        host=host[j],
        revenue_cents=revenue[j],
    )


def _out_of_reach(journey: CompiledJourney, step: CompiledStep, alive, prev, window: tuple[int, int]) -> bool:
    """Whether, after ``step``, every journey still going is past the end of ``window``, or none can reach
    its start even with the longest delays of the steps left.

    The rest of the block then changes no event in the window: every seq there is final, and so is every
    is_last (a journey still going past the window's end already has an event after those in it)."""
    live = prev[alive]
    if not live.size:
        return True
    return live.min() >= window[1] or live.max() < window[0] - journey.max_ms_after_step[step.index]


def _revenue(journey: CompiledJourney, rng: np.random.Generator, n: int) -> np.ndarray:
    revenue = journey.spec.revenue
    if revenue is None:
        return np.full(n, -1, np.int64)
    if revenue.whole_numbers:  # whole-number bounds: whole numbers, both ends included
        return rng.integers(int(revenue.min_value), int(revenue.max_value) + 1, n, dtype=np.int64) * 100
    lo, hi = round(revenue.min_value * 100), round(revenue.max_value * 100)
    return rng.integers(lo, hi + 1, n, dtype=np.int64)
