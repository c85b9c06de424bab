"""The forecast's hour-of-day profile: expected starts and events in each minute of a week.

The profile works on a one-minute grid that wraps around one week: starts repeat weekly, so an
event's offset from its journey's start only matters modulo a week. Each uniform delay places its
mass on the two nearest minutes in proportion to closeness (a triangle weight); a lognormal delay puts
the mass of [m - 1/2, m + 1/2) on minute m. Because starts are uniform within each minute, one delay
then gives exact counts per minute; chaining several delays keeps every mean exact and widens the
spread by at most 1/6 minute² per delay, far below what shows in an hourly count. Steps are chained in
the Fourier domain, so a loop of any length costs a handful of vector operations.
"""

from __future__ import annotations

import math

import numpy as np

from .delays import LOGNORMAL_CAP_Z, lognormal_parameters
from .spec import DAYS_PER_WEEK, HOURS_PER_DAY, JourneySpec, Surge

MINUTES_PER_HOUR = 60
MINUTES_PER_WEEK = DAYS_PER_WEEK * HOURS_PER_DAY * MINUTES_PER_HOUR
# Below this width (in minutes) a delay is a plain shift; dividing by it would only add rounding.
_POINT_WIDTH = 1e-6


def weekly_starts(spec: JourneySpec) -> np.ndarray:
    """Expected starts in each local minute of the week, Monday 00:00 first, daily surges included."""
    days = np.asarray(spec.weekday_weights, dtype=float)
    hours = np.asarray(spec.hour_weights, dtype=float)
    days = days / days.mean() if days.sum() > 0 else np.ones(DAYS_PER_WEEK)
    hours = hours / hours.sum() if hours.sum() > 0 else np.full(HOURS_PER_DAY, 1 / HOURS_PER_DAY)
    per_hour = float(spec.journeys_per_day) * np.outer(days, hours).ravel()
    starts = np.repeat(per_hour / MINUTES_PER_HOUR, MINUTES_PER_HOUR)
    daily = [surge for surge in spec.surges if surge.is_daily]
    if daily:
        starts = starts * np.tile(_daily_surge_factors(daily), DAYS_PER_WEEK)
    return starts


def _daily_surge_factors(surges: list[Surge]) -> np.ndarray:
    """The start-rate factor of each minute of the day: overlapping surges multiply, partly covered
    minutes take the time-weighted mean of their factors."""
    minutes_per_day = HOURS_PER_DAY * MINUTES_PER_HOUR
    factors = np.ones(minutes_per_day)
    edges = np.arange(minutes_per_day + 1, dtype=float)
    for surge in surges:
        lo, hi = surge.daily_start_hour * MINUTES_PER_HOUR, surge.daily_end_hour * MINUTES_PER_HOUR
        spans = [(lo, hi)] if lo < hi else [(lo, minutes_per_day), (0.0, hi)]
        covered = np.zeros(minutes_per_day)
        for a, b in spans:
            covered += np.clip(np.minimum(edges[1:], b) - np.maximum(edges[:-1], a), 0, 1)
        # Within a minute, a covered fraction c has the factor m, the rest keeps what it had.
        factors = factors * (1 + covered * (surge.multiplier - 1))
    return factors


def weekly_events(starts: np.ndarray, laws) -> np.ndarray:
    """Expected events in each local minute of the week, from the starts and where events fall."""
    events = np.fft.irfft(np.fft.rfft(starts) * _event_offsets(laws), n=MINUTES_PER_WEEK)
    return np.maximum(events, 0.0)  # the transform leaves rounding crumbs below zero


def _event_offsets(laws) -> np.ndarray:
    """The spectrum of the expected number of events per journey at each offset from its start.

    ``previous`` is the spectrum of where an alive journey's latest event sits: skipping a step
    keeps it as is, dropping off, failing or ending removes its mass, and performing moves it by delays.
    """
    previous = np.ones(MINUTES_PER_WEEK // 2 + 1, dtype=complex)  # the first event is at the start
    events = np.zeros_like(previous)
    for law in laws:
        after = previous * (1 - law.take)
        for way in law.ways:
            delay = _delay_spectrum(way) if law.delayed or way.loops > 1 else 1.0
            performed = previous * law.performs * way.share * (delay if law.delayed else 1.0)
            if way.loops == 1:
                every_repetition = last_repetition = 1.0
            else:
                # Repetition k (k = 1..L) exists with probability (L-k+1)/L and sits k-1 delays after the first.
                total, moment = _power_sums(delay, way.loops)
                every_repetition = total - moment / way.loops
                last_repetition = total / way.loops
            events += performed * (way.error + (1 - way.error) * every_repetition)
            after = after + performed * way.goes_on * last_repetition
        previous = after
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


def _delay_spectrum(way) -> np.ndarray:
    if way.shape == "lognormal" and way.min_delay > 0:
        return np.fft.rfft(_lognormal_kernel(way.min_delay, way.max_delay))
    return np.fft.rfft(_delay_kernel(way.min_delay * MINUTES_PER_HOUR, way.max_delay * MINUTES_PER_HOUR))


_normal_cdf = np.frompyfunc(lambda z: 0.5 * math.erfc(-z / math.sqrt(2)), 1, 1)


def _lognormal_kernel(min_hours: float, max_hours: float) -> np.ndarray:
    """A capped lognormal delay as mass on the minutes of the week: minute m holds [m - 1/2, m + 1/2)."""
    mu, sigma = lognormal_parameters(min_hours, max_hours)
    cap = math.exp(mu + sigma * LOGNORMAL_CAP_Z) * MINUTES_PER_HOUR
    edges = np.arange(0, math.ceil(cap) + 2) - 0.5
    z = (np.log(np.maximum(edges, 1e-300) / MINUTES_PER_HOUR) - mu) / sigma
    cdf = np.where(edges > 0, _normal_cdf(np.minimum(z, LOGNORMAL_CAP_Z)).astype(float), 0.0)
    cdf[edges >= cap] = 1.0  # the capped tail sits at the cap
    mass = np.diff(cdf)
    return np.bincount(np.arange(mass.size) % MINUTES_PER_WEEK, weights=mass, minlength=MINUTES_PER_WEEK)


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


def hours_of_day(per_minute: np.ndarray) -> tuple[float, ...]:
    per_hour = per_minute.reshape(DAYS_PER_WEEK, HOURS_PER_DAY, MINUTES_PER_HOUR).sum(axis=2)
    return tuple(float(value) for value in per_hour.mean(axis=0))
