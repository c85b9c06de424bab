"""Over many journeys, a branching journey's events match its forecast within sampling error.

The cohort is every journey that starts on one day, each simulated to its end (a journey is whole in
the block it starts in). Tolerances are five standard errors of the observed mean, as in
test_statistics.py: a correct generator fails about once in two million runs, and a rule that is
off by a percent or more fails every time.
"""

from dataclasses import replace

import numpy as np
import pytest

from journeys.engine import limits
from journeys.engine.compiled import BLOCK_MS, compile_journey
from journeys.engine.delays import lognormal_parameters
from journeys.engine.forecast import forecast
from journeys.engine.simulate import simulate_block

from .helpers import DAY, HOUR_MS, branching_journey, journey_keys
from .test_statistics import SIGMAS, assert_share

pytestmark = pytest.mark.slow
JOURNEYS = 150_000


class WholeJourneys:
    """Every event of every journey started on DAY, journeys numbered 0..n-1 in start order."""

    def __init__(self, spec):
        self.spec = spec
        self.compiled = compile_journey(spec)
        first = int(DAY.timestamp() * 1000) // BLOCK_MS
        parts = [simulate_block(self.compiled, block) for block in range(first, first + 96)]
        parts = [p for p in parts if len(p)]
        self.ts = np.concatenate([p.ts_ms for p in parts])
        self.start = np.concatenate([p.journey_start_ms for p in parts])
        self.type_code = np.concatenate([p.type_code for p in parts])
        self.seq = np.concatenate([p.seq for p in parts])
        self.is_last = np.concatenate([p.is_last for p in parts])
        self.journey = journey_keys(np.concatenate([p.correlation for p in parts]))
        self.n = int(self.journey.max()) + 1
        self.forecast = forecast(spec)
        self.last_type = np.full(self.n, -1)
        self.last_type[self.journey[self.is_last]] = self.type_code[self.is_last]
        self.first_ts = np.full(self.n, np.iinfo(np.int64).max)
        self.final_ts = np.zeros(self.n, np.int64)
        np.minimum.at(self.first_ts, self.journey, self.ts)
        np.maximum.at(self.final_ts, self.journey, self.ts)

    def code(self, event_type: str) -> int:
        return self.compiled.type_names.index(event_type)

    def has(self, event_type: str) -> np.ndarray:
        return np.bincount(self.journey[self.type_code == self.code(event_type)], minlength=self.n) > 0

    def waits_before(self, event_type: str) -> np.ndarray:
        """Hours from each journey's previous event to the first event of ``event_type``."""
        order = np.lexsort((self.seq, self.journey))
        codes, ts, seq = self.type_code[order], self.ts[order], self.seq[order]
        hits = np.flatnonzero((codes == self.code(event_type)) & (seq > 0))
        first_of_run = hits[codes[hits - 1] != codes[hits]]  # a loop's repetitions follow its first event
        return (ts[first_of_run] - ts[first_of_run - 1]) / HOUR_MS


@pytest.fixture(scope="module")
def loans():
    # 150,000 journeys in one day of a journey that lasts days is above the volume ceiling a user gets;
    # the statistics need them, so this test raises the ceiling for itself.
    spec = branching_journey()
    original = limits._provider  # the app's settings, when Django is set up
    limits.set_limits_provider(lambda: replace(original(), journeys_per_day=1e9))
    try:
        yield WholeJourneys(
            replace(spec, journeys_per_day=JOURNEYS * spec.journeys_per_day / forecast(spec).journeys_per_day)
        )
    finally:
        limits.set_limits_provider(original)


def test_it_starts_the_forecast_number_of_journeys_surges_included(loans):
    expected = loans.forecast.journeys_per_day
    assert loans.forecast.base_journeys_per_day < expected  # the daily surge adds starts
    assert abs(loans.n - expected) <= SIGMAS * np.sqrt(expected)


def test_it_starts_journeys_at_the_forecast_rate_in_each_hour_surged_or_not(loans):
    hours = (loans.first_ts - int(DAY.timestamp() * 1000)) // HOUR_MS
    counts = np.bincount(hours, minlength=24)
    expected = np.array(loans.forecast.starts_per_hour_of_day)
    assert expected[9] == pytest.approx(3 * expected[8]) and expected[10] == pytest.approx(3 * expected[11])
    assert np.all(np.abs(counts - expected) <= SIGMAS * np.sqrt(expected))


def test_it_takes_each_variant_at_its_weights_share(loans):
    for step in loans.forecast.steps:
        for variant in step.variants:  # its own event or one of its errors
            codes = np.flatnonzero(
                (loans.compiled.type_step == step.index) & (loans.compiled.type_variant == variant.index)
            )
            taking = np.bincount(loans.journey[np.isin(loans.type_code, codes)], minlength=loans.n) > 0
            assert_share(taking.astype(float), variant.share_taking)


def test_it_fails_each_variant_with_its_own_errors(loans):
    for name, share in (("loan.approved.timeout", 0.04), ("loan.rejected.fraud", 0.10)):
        outcome = next(o for o in loans.forecast.outcomes if o.event_type == name)
        assert_share(loans.has(name).astype(float), outcome.share)
        variant = loans.forecast.steps[2].variants[1 if name.startswith("loan.referred") else 0]
        assert outcome.share == pytest.approx(
            (variant.share_taking if "approved" in name else loans.forecast.steps[2].variants[2].share_taking) * share
        )


def test_it_matches_events_per_journey_of_every_type(loans):
    for code, name in enumerate(loans.compiled.type_names):
        counts = np.bincount(loans.journey[loans.type_code == code], minlength=loans.n).astype(float)
        expected = loans.forecast.events_per_type[name] / loans.forecast.journeys_per_day
        sd = counts.std(ddof=1) / np.sqrt(loans.n)
        assert abs(counts.mean() - expected) <= SIGMAS * sd + 1e-9, name


def test_it_ends_every_journey_one_way_at_the_forecast_shares(loans):
    shares = {o.label: o.share for o in loans.forecast.outcomes}
    assert sum(shares.values()) == pytest.approx(1)
    last = loans.last_type
    observed = {
        "ended at Rejected": last == loans.code("loan.rejected"),
        "failed with loan.approved.timeout": last == loans.code("loan.approved.timeout"),
        "failed with loan.rejected.fraud": last == loans.code("loan.rejected.fraud"),
        # Payout is optional with no drop-off, so a journey that went on from Decision completes.
        "completed": np.isin(last, [loans.code(t) for t in ("loan.approved", "loan.referred", "loan.paid")]),
        "dropped before Check": np.isin(last, [loans.code("loan.applied.online"), loans.code("loan.applied.branch")]),
        "dropped before Decision": last == loans.code("loan.checked"),
    }
    assert set(observed) == set(shares)
    assert sum(hits.sum() for hits in observed.values()) == loans.n  # each journey ends exactly one way
    for label, hits in observed.items():
        assert_share(hits.astype(float), shares[label])


@pytest.mark.parametrize(("event_type", "low", "high"), [("loan.approved", 0.5, 8), ("loan.paid", 1, 12)])
def test_it_puts_min_and_max_of_a_lognormal_delay_at_its_5th_and_95th_percentiles(loans, event_type, low, high):
    waits = loans.waits_before(event_type)
    assert waits.size > 20_000
    assert_share((waits < low).astype(float), 0.05)
    assert_share((waits > high).astype(float), 0.05)
    mu, _ = lognormal_parameters(low, high)
    assert_share((waits < np.exp(mu)).astype(float), 0.5)  # the median is the geometric mean of min and max
    variant = (
        next(v for s in loans.forecast.steps for v in s.variants if v.event_type == event_type)
        if (event_type == "loan.approved")
        else None
    )
    if variant is not None:
        sd = waits.std(ddof=1) / np.sqrt(waits.size)
        assert abs(waits.mean() - variant.mean_delay_hours) <= SIGMAS * sd


def test_it_takes_the_forecast_time_to_end_a_journey(loans):
    hours = (loans.final_ts - loans.first_ts) / HOUR_MS
    sd = hours.std(ddof=1) / np.sqrt(loans.n)
    assert abs(hours.mean() - loans.forecast.mean_duration_all_hours) <= SIGMAS * sd
    last = loans.last_type
    completed = np.isin(last, [loans.code(t) for t in ("loan.approved", "loan.referred", "loan.paid")])
    done = hours[completed]
    sd = done.std(ddof=1) / np.sqrt(done.size)
    assert abs(done.mean() - loans.forecast.mean_flow_duration_hours) <= SIGMAS * sd


def test_it_matches_the_hourly_event_profile_with_surges_and_long_tails():
    """Events per hour of a long steady run against the forecast's profile (a week of starts, so every
    hour of the day has journeys from earlier days in flight)."""
    spec = branching_journey(journeys_per_day=20_000)
    compiled = compile_journey(spec)
    fc = forecast(spec)
    first = int(DAY.timestamp() * 1000) // BLOCK_MS
    counts = np.zeros(24)
    measured_from, days = first + 96 * 5, 2  # after five days the journeys in flight are in steady state
    for block in range(first, measured_from + 96 * days):
        ts = simulate_block(compiled, block).ts_ms
        ts = ts[(ts >= measured_from * BLOCK_MS) & (ts < (measured_from + 96 * days) * BLOCK_MS)]
        counts += np.bincount((ts // HOUR_MS) % 24, minlength=24)
    expected = np.array(fc.events_per_hour_of_day) * days
    # Events of one journey are not independent: allow for up to 3 events per journey in the variance.
    assert np.all(np.abs(counts - expected) <= SIGMAS * np.sqrt(3 * expected)), (counts / expected).round(3)
    assert counts[9:11].mean() > 1.5 * counts[6:8].mean()
