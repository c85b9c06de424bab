"""Delay shapes: how long a journey waits before a step's event, and what that means on average.

Plain Python (``math`` only), shared by the specification, the generator and the forecast.
"""

from __future__ import annotations

import math

DELAY_SHAPES = ("uniform", "lognormal")
# The lognormal shape puts min and max at its 5th and 95th percentiles: z = 1.6448536 either side.
LOGNORMAL_Z95 = 1.6448536
# A lognormal delay has no upper bound, but the generator must know how far back a journey can
# start to still send events in a time range. Delays are capped at the 99.99th percentile (z =
# 3.7190165); one delay in 10,000 sits at the cap, and every mean below accounts for it.
LOGNORMAL_CAP_Z = 3.7190165


def lognormal_parameters(min_hours: float, max_hours: float) -> tuple[float, float]:
    """(mu, sigma) of the log-normal whose 5th and 95th percentiles are ``min_hours`` and ``max_hours``."""
    low, high = math.log(min_hours), math.log(max_hours)
    return (low + high) / 2, (high - low) / (2 * LOGNORMAL_Z95)


def delay_ceiling_hours(min_hours: float, max_hours: float, shape: str = "uniform") -> float:
    """The longest one delay can be: ``max_hours`` when uniform, the capped tail when lognormal."""
    if shape != "lognormal":
        return max_hours
    mu, sigma = lognormal_parameters(min_hours, max_hours)
    return math.exp(mu + sigma * LOGNORMAL_CAP_Z)


def _normal_cdf(z: float) -> float:
    return 0.5 * math.erfc(-z / math.sqrt(2))


def mean_delay_hours(min_hours: float, max_hours: float, shape: str = "uniform") -> float:
    """The mean of one delay: (min + max) / 2 when uniform; for the lognormal, exp(mu + sigma^2 / 2)
    less what the cap at the 99.99th percentile takes off the tail (well under 1 % unless max/min is huge)."""
    if shape != "lognormal":
        return (min_hours + max_hours) / 2
    mu, sigma = lognormal_parameters(min_hours, max_hours)
    below_cap = math.exp(mu + sigma * sigma / 2) * _normal_cdf(LOGNORMAL_CAP_Z - sigma)
    return below_cap + math.exp(mu + sigma * LOGNORMAL_CAP_Z) * (1 - _normal_cdf(LOGNORMAL_CAP_Z))
