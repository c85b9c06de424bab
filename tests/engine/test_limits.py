"""The ceilings every journey stays within, and the names it may use (journeys/engine/limits.py)."""

import math
from dataclasses import replace

import pytest

from journeys.engine.limits import Limits, limit_problems, longest_journey_hours
from journeys.engine.spec import ErrorRule, Incident, JourneySpec, Step, Surge, Variant, Weighted, validate

START = Step("Apply", "loan.applied")


def journey(*steps: Step, **fields) -> JourneySpec:
    return JourneySpec(name="Loans", event_provider="acme.loans", correlation_field="loan.id", steps=steps, **fields)


def problems(spec: JourneySpec, limits: Limits | None = None) -> list[str]:
    return [str(problem) for problem in validate(spec, limits)]


def test_it_accepts_the_largest_volume_and_refuses_one_more():
    spec = journey(START, Step("Decide", "loan.decided"), journeys_per_day=1_000_000)
    assert problems(spec) == []
    assert problems(replace(spec, journeys_per_day=1_000_001)) == [
        "journeys_per_day: must be at most 1,000,000 journeys per day"
    ]


@pytest.mark.parametrize("volume", [1e12, 1e308, math.inf, math.nan])
def test_it_refuses_volumes_far_beyond_the_ceiling_or_not_numbers(volume):
    assert problems(journey(START, Step("Decide", "loan.decided"), journeys_per_day=volume))


def test_it_counts_each_day_a_journey_can_last_against_the_volume_ceiling():
    spec = journey(START, Step("Decide", "loan.decided", max_delay_hours=96), journeys_per_day=250_000)
    assert problems(spec) == []
    assert problems(replace(spec, journeys_per_day=250_001)) == [
        "journeys_per_day: must be at most 250,000 journeys per day here: a journey can last 4.0 days, and each day "
        "counts against the ceiling of 1,000,000 journeys per day"
    ]


def test_it_counts_surges_at_their_peak_since_overlapping_surges_multiply():
    surges = (Surge(4, daily_start_hour=9, daily_end_hour=10), Surge(2.5, daily_start_hour=9, daily_end_hour=12))
    spec = journey(START, Step("Decide", "loan.decided"), journeys_per_day=100_000, surges=surges)
    assert problems(spec) == []
    assert problems(replace(spec, journeys_per_day=100_001)) == [
        "journeys_per_day: must be at most 100,000 journeys per day here: its surges can multiply it by 10 against "
        "the ceiling of 1,000,000 journeys per day"
    ]


@pytest.mark.parametrize("delay", [168.5, 1e308])
def test_it_refuses_a_delay_above_the_ceiling_naming_it(delay):
    spec = journey(START, Step("Decide", "loan.decided", max_delay_hours=delay), journeys_per_day=1)
    assert "steps[1].max_delay_hours: must be at most 168 hours" in problems(spec)


@pytest.mark.parametrize("delay", [math.inf, math.nan])
def test_it_refuses_delays_that_are_not_numbers(delay):
    spec = journey(START, Step("Decide", "loan.decided", max_delay_hours=delay))
    assert "steps[1].max_delay_hours: must be a number of hours, 0 or more" in problems(spec)


def test_it_bounds_the_longest_journey_lognormal_tails_included():
    # 5th and 95th percentiles of 1 h and 168 h (both within the delay ceiling): the capped tail is about
    # 4,200 hours, and a journey lasts as long as its longest possible wait.
    lognormal = Step("Decide", "loan.decided", min_delay_hours=1, max_delay_hours=168, delay_shape="lognormal")
    spec = journey(START, lognormal, journeys_per_day=1)
    assert longest_journey_hours(spec) > 4_000
    (problem,) = problems(spec)
    assert problem.startswith("steps: a journey may last at most 2,160 hours") and "lognormal" in problem
    assert problems(spec, Limits(journey_hours=10_000)) == []


def test_it_bounds_a_lognormal_whose_tail_would_overflow():
    lognormal = Step("Decide", "loan.decided", min_delay_hours=5e-324, max_delay_hours=168, delay_shape="lognormal")
    (problem,) = problems(journey(START, lognormal, journeys_per_day=1))
    assert problem.startswith("steps: a journey may last at most 2,160 hours")


def test_it_bounds_loops_and_steps_counting_variants_as_steps():
    assert problems(journey(START, Step("Poll", "loan.polled", max_loops=101))) == [
        "steps[1].max_loops: must be at most 100 loops"
    ]
    many = tuple(Step(f"Step {i}", f"step.{i}") for i in range(96))
    variants = tuple(Variant(f"Way {i}", f"way.{i}") for i in range(4))
    spec = journey(START, *many, Step("Pay", "", variants=variants))
    assert problems(spec) == ["steps: a journey may have at most 100 steps (variants count as steps)"]
    assert problems(replace(spec, steps=spec.steps[:-2] + spec.steps[-1:])) == []


def test_it_bounds_variants_delays_and_loops_by_their_own_paths():
    variants = (Variant("Card", "pay.card", max_delay_hours=200), Variant("Cash", "pay.cash", max_loops=500))
    assert problems(journey(START, Step("Pay", "", variants=variants), journeys_per_day=1)) == [
        "steps[1].variants[0].max_delay_hours: must be at most 168 hours",
        "steps[1].variants[1].max_loops: must be at most 100 loops",
    ]


def test_it_bounds_every_list():
    locations = tuple(Weighted(f"City {i}", 1) for i in range(1_001))
    spec = journey(START, Step("Decide", "loan.decided"), locations=locations)
    assert problems(spec) == ["locations: may have at most 1,000 entries (this one has 1,001)"]
    assert problems(spec, Limits(list_items=2_000)) == []


@pytest.mark.parametrize(
    ("event_type", "allowed"),
    [
        ("loan.approved", True),
        ("loan_approved-2", True),
        ("loan/approved", False),
        ("loan?x=1", False),
        ("prêt.accordé", False),
        ("loan#1", False),
    ],
)
def test_it_keeps_event_types_and_error_names_to_a_safe_set(event_type, allowed):
    spec = journey(
        START,
        Step("Decide", event_type, is_decision=True),
        errors=(ErrorRule(event_type, 1, 5),),
        incidents=(Incident(1, event_type, 5, daily_start_hour=1, daily_end_hour=2),),
    )
    found = problems(spec)
    if allowed:
        assert found == []
    else:
        safe = "may use only letters A-Z and a-z, digits, '.', '_' and '-'"
        assert found == [
            f"{path}: {safe}" for path in ("steps[1].event_type", "errors[0].name", "incidents[0].error_name")
        ]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "x" * 201, "name: must be at most 200 characters (this one has 201)"),
        ("name", "Loans \ud800", "name: holds \\ud800, a lone surrogate that is not a character"),
        ("event_provider", "acme\x00", "event_provider: holds the control character \\u0000"),
        ("correlation_field", "l" * 101, "correlation_field: must be at most 100 characters (this one has 101)"),
    ],
)
def test_it_refuses_text_that_cannot_be_stored(field, value, message):
    spec = replace(journey(START, Step("Decide", "loan.decided")), **{field: value})
    assert message in problems(spec)


def test_it_refuses_weights_so_large_their_sum_is_not_finite():
    spec = journey(START, Step("Decide", "loan.decided"), hour_weights=(1e308,) * 24)
    assert problems(spec) == [f"hour_weights[{h}]: must be at most 1,000,000 (weights are relative)" for h in range(24)]


def test_it_reads_the_ceilings_from_the_limits_it_is_given():
    spec = journey(START, Step("Decide", "loan.decided"), journeys_per_day=50)
    assert limit_problems(spec, Limits(journeys_per_day=10)) == [
        ("journeys_per_day", "must be at most 10 journeys per day")
    ]
