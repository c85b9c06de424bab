"""Over many journeys, what the generator emits matches the forecast within sampling error.

Each test follows a cohort: every journey that starts on one day, generated to its very end. Shares
are compared with a tolerance of five standard errors of the observed mean (so a correct generator
fails about once in two million runs, and a wrong rule of a percent or more fails every time).
"""

from dataclasses import replace
from datetime import timedelta

import numpy as np
import pytest

from journeys.engine.compiled import compile_journey
from journeys.engine.forecast import forecast
from journeys.engine.generator import generate_columns

from .helpers import DAY, HOUR_MS, example, journey_keys

pytestmark = pytest.mark.slow
SIGMAS = 5


class Cohort:
    """The events of every journey started on DAY, with per-journey views."""

    def __init__(self, spec, journeys_per_day: int):
        self.spec = replace(spec, journeys_per_day=journeys_per_day)
        self.compiled = compile_journey(self.spec)
        end = DAY + timedelta(days=1, milliseconds=self.compiled.max_duration_ms + 1)
        cols = [c for c in generate_columns(self.compiled, DAY, end, DAY)]
        ts = np.concatenate([c.ts_ms for c in cols])
        keep = np.concatenate([c.journey_start_ms for c in cols]) < (DAY + timedelta(days=1)).timestamp() * 1000
        self.ts = ts[keep]
        self.type_code = np.concatenate([c.type_code for c in cols])[keep]
        self.journey = journey_keys(np.concatenate([c.correlation for c in cols])[keep])
        self.location = np.concatenate([c.location for c in cols])[keep]
        self.segment = np.concatenate([c.segment for c in cols])[keep]
        self.revenue = np.concatenate([c.revenue_cents for c in cols])[keep]
        self.n = int(self.journey.max()) + 1
        self.forecast = forecast(self.spec)

    def per_journey(self, mask: np.ndarray) -> np.ndarray:
        """How many events matching ``mask`` each journey has."""
        return np.bincount(self.journey[mask], minlength=self.n)

    def codes_of_step(self, step: int) -> np.ndarray:
        return np.isin(self.type_code, np.flatnonzero(self.compiled.type_step == step))

    def first_per_journey(self, values: np.ndarray) -> np.ndarray:
        first = np.full(self.n, -1, np.int64)
        order = np.argsort(self.ts, kind="stable")[::-1]
        first[self.journey[order]] = values[order]
        return first


def assert_share(observed_hits: np.ndarray, expected: float):
    """``observed_hits`` is a 0/1 (or count) per journey; its mean must match ``expected``."""
    mean, sd = observed_hits.mean(), observed_hits.std(ddof=1) / np.sqrt(observed_hits.size)
    tolerance = SIGMAS * max(sd, np.sqrt(max(expected * (1 - expected), 1e-12) / observed_hits.size))
    assert abs(mean - expected) <= tolerance, f"observed {mean:.5f}, forecast {expected:.5f}, tolerance {tolerance:.5f}"


@pytest.fixture(scope="module")
def retail():
    return Cohort(example("retail-order-delivery"), journeys_per_day=120_000)


def test_it_starts_the_forecast_number_of_journeys(retail):
    expected = retail.forecast.journeys_per_day
    assert abs(retail.n - expected) <= SIGMAS * np.sqrt(expected)  # Poisson


def test_it_matches_each_steps_share_with_an_event(retail):
    for step in retail.forecast.steps:
        hits = retail.per_journey(retail.codes_of_step(step.index)) > 0
        assert_share(hits.astype(float), step.share_with_event)


def test_it_matches_events_per_journey_of_every_type_loops_and_errors_included(retail):
    per_day = retail.forecast.journeys_per_day
    for code, name in enumerate(retail.compiled.type_names):
        counts = retail.per_journey(retail.type_code == code).astype(float)
        expected = retail.forecast.events_per_type.get(name, 0.0) / per_day
        sd = counts.std(ddof=1) / np.sqrt(retail.n)
        assert abs(counts.mean() - expected) <= SIGMAS * sd + 1e-9, name


def test_it_loops_uniformly_between_one_and_max_loops(retail):
    picked = retail.compiled.type_names.index("item.picked")
    counts = retail.per_journey(retail.type_code == picked)
    performing = counts[counts > 0]
    assert set(np.unique(performing)) == {1, 2, 3}
    for repetitions in (1, 2, 3):
        assert_share((performing == repetitions).astype(float), 1 / 3)


def test_it_fails_the_error_share_of_journeys_on_the_error_step(retail):
    outage = retail.compiled.type_names.index("order.shipped.system.outage")
    failed = retail.per_journey(retail.type_code == outage) > 0
    assert_share(failed.astype(float), retail.forecast.steps[4].share_erroring)


def test_it_completes_the_forecast_share(retail):
    last = retail.compiled.type_names.index("order.received")
    completed = retail.per_journey(retail.type_code == last) > 0
    assert_share(completed.astype(float), retail.forecast.completion_share)


def test_it_spreads_locations_and_segments_by_weight(retail):
    spec = retail.spec
    for values, weighted in ((retail.location, spec.locations), (retail.segment, spec.segments)):
        chosen = retail.first_per_journey(values.astype(np.int64))
        total = sum(w.weight for w in weighted)
        for index, item in enumerate(weighted):
            assert_share((chosen == index).astype(float), item.weight / total)


def test_it_draws_revenue_uniformly_in_range(retail):
    revenue = retail.spec.revenue
    values = retail.first_per_journey(retail.revenue) / 100
    assert values.min() >= revenue.min_value and values.max() <= revenue.max_value
    assert values.min() == revenue.min_value and values.max() == revenue.max_value  # both ends reachable
    sd = (revenue.max_value - revenue.min_value) / np.sqrt(12)
    assert abs(values.mean() - (revenue.min_value + revenue.max_value) / 2) <= SIGMAS * sd / np.sqrt(values.size)
    per_day = values.sum() * retail.forecast.journeys_per_day / retail.n
    assert per_day == pytest.approx(retail.forecast.revenue_per_day, rel=0.01)


def test_it_takes_the_forecast_time_to_complete_a_flow(retail):
    last = retail.compiled.type_names.index("order.received")
    completed = retail.per_journey(retail.type_code == last) > 0
    first = np.full(retail.n, np.iinfo(np.int64).max)
    final = np.zeros(retail.n, np.int64)
    np.minimum.at(first, retail.journey, retail.ts)
    np.maximum.at(final, retail.journey, retail.ts)
    hours = (final - first)[completed] / HOUR_MS
    sd = hours.std(ddof=1) / np.sqrt(hours.size)
    assert abs(hours.mean() - retail.forecast.mean_flow_duration_hours) <= SIGMAS * sd


def test_it_follows_the_forecast_events_per_local_hour_of_day():
    spec = replace(example("travel-booking"), timezone="America/New_York", journeys_per_day=40_000)
    fc = forecast(spec)
    week = [c.ts_ms for c in generate_columns(spec, DAY, DAY + timedelta(days=7), DAY - timedelta(days=3))]
    ts = np.concatenate(week)
    local_hour = ((ts - 5 * HOUR_MS) // HOUR_MS) % 24  # New York is on UTC-5 throughout this November week
    observed = np.bincount(local_hour, minlength=24) / 7
    expected = np.array(fc.events_per_hour_of_day)
    # Events come in clusters of one journey's events, so the variance is at most E x events per journey.
    tolerance = SIGMAS * np.sqrt(expected * fc.events_per_journey / 7)
    assert (np.abs(observed - expected) <= tolerance).all(), list(zip(observed.round(), expected.round(), strict=True))
