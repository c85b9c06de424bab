"""The forecast against numbers worked out by hand on small journeys."""

import json
import time
from datetime import UTC, datetime

import pytest

from journeys.engine.forecast import forecast
from journeys.engine.limits import Limits
from journeys.engine.spec import ErrorRule, Incident, JourneySpec, Revenue, Step, validate

# Some cases check the arithmetic of long delays and many loops, which an installation may allow.
RAISED = Limits(delay_hours=1_000, journey_hours=10_000, loops=1_000)


def journey(*steps: Step, **fields) -> JourneySpec:
    spec = JourneySpec(name="Orders", event_provider="acme.shop", correlation_field="order.id", steps=steps, **fields)
    assert validate(spec, RAISED) == []
    return spec


def at_hour(hour: int) -> tuple[float, ...]:
    return tuple(1.0 if h == hour else 0.0 for h in range(24))


START = Step("Place order", "order.placed")


def test_it_counts_the_daily_volume_whatever_the_weekday_weights():
    spec = journey(START, Step("Pay", "order.paid"), journeys_per_day=700, weekday_weights=(1, 2, 3, 4, 5, 6, 7))

    result = forecast(spec)

    assert result.journeys_per_day == 700
    assert sum(result.starts_per_hour_of_day) == pytest.approx(700)
    assert result.events_per_day == pytest.approx(1400)


def test_it_drops_exactly_the_drop_off_share():
    spec = journey(
        START, Step("Pay", "order.paid", drop_off_pct=25), Step("Ship", "order.shipped"), journeys_per_day=1000
    )

    result = forecast(spec)

    assert [s.share_reaching for s in result.steps] == pytest.approx([1, 1, 0.75])
    assert [s.share_dropping for s in result.steps] == pytest.approx([0, 0.25, 0])
    assert [s.journeys_per_day for s in result.steps] == pytest.approx([1000, 1000, 750])
    assert result.completion_share == pytest.approx(0.75)
    assert result.completed_per_day == pytest.approx(750)
    assert result.events_per_journey == pytest.approx(2.5)


def test_it_never_drops_at_zero_percent():
    spec = journey(START, Step("Pay", "order.paid", drop_off_pct=0), Step("Ship", "order.shipped"))

    result = forecast(spec)

    assert result.completion_share == 1
    assert [s.share_dropping for s in result.steps] == [0, 0, 0]


def test_it_always_drops_at_one_hundred_percent():
    spec = journey(
        START, Step("Pay", "order.paid", drop_off_pct=100), Step("Ship", "order.shipped"), journeys_per_day=10
    )

    result = forecast(spec)

    assert result.steps[1].share_dropping == 1
    assert result.steps[1].share_with_event == 0
    assert result.steps[2].share_reaching == 0
    assert result.completion_share == 0
    assert result.events_per_day == 10
    assert result.mean_flow_duration_hours is None


def test_it_lets_journeys_skip_an_optional_step():
    spec = journey(
        START,
        Step("Gift wrap", "gift.wrapped", optional_pct=40, drop_off_pct=50),
        Step("Ship", "order.shipped"),
        journeys_per_day=100,
    )

    result = forecast(spec)

    wrap = result.steps[1]
    assert wrap.share_taking == pytest.approx(0.4)
    assert wrap.share_dropping == pytest.approx(0.2)  # 0.4 take it, half of them drop off
    assert wrap.share_with_event == pytest.approx(0.2)
    # Skipping is not dropping: 0.6 skip and 0.2 take it and stay.
    assert result.steps[2].share_reaching == pytest.approx(0.8)
    assert result.steps[0].share_taking == 1
    assert result.steps[2].share_taking == 1
    assert result.events_per_type == pytest.approx({"order.placed": 100, "gift.wrapped": 20, "order.shipped": 80})


def test_it_counts_loop_repetitions():
    spec = journey(START, Step("Pick item", "item.picked", max_loops=4, drop_off_pct=20), journeys_per_day=100)

    result = forecast(spec)

    pick = result.steps[1]
    assert pick.mean_repetitions == 2.5
    assert pick.events_per_journey == pytest.approx(0.8 * 2.5)
    assert pick.events_per_day == pytest.approx(200)
    assert result.steps[0].mean_repetitions == 1


def test_it_ends_journeys_that_fail_on_the_last_step():
    spec = journey(
        START,
        Step("Pay", "order.paid", drop_off_pct=20, max_loops=3),
        errors=(ErrorRule("timeout", 1, 10), ErrorRule("declined", 1, 20)),
        journeys_per_day=1000,
    )

    result = forecast(spec)

    pay = result.steps[1]
    assert pay.share_erroring == pytest.approx(0.8 * 0.3)
    assert pay.errors_per_day == pytest.approx(240)
    # A failure emits its one event; the others loop twice on average.
    assert pay.events_per_journey == pytest.approx(0.8 * (0.3 + 0.7 * 2))
    assert result.completion_share == pytest.approx(0.8 * 0.7)
    assert result.errors_per_type == pytest.approx({"order.paid.timeout": 80, "order.paid.declined": 160})
    assert result.errors_per_day == pytest.approx(240)
    assert result.events_per_type == pytest.approx(
        {"order.placed": 1000, "order.paid": 800 * 0.7 * 2, "order.paid.timeout": 80, "order.paid.declined": 160}
    )


def test_it_fails_journeys_on_the_first_step():
    spec = journey(START, Step("Pay", "order.paid"), errors=(ErrorRule("rejected", 0, 30),), journeys_per_day=100)

    result = forecast(spec)

    assert result.steps[0].share_with_event == 1
    assert result.steps[0].events_per_journey == 1  # the failure replaces the step's event
    assert result.steps[1].share_reaching == pytest.approx(0.7)
    assert result.completion_share == pytest.approx(0.7)
    assert result.events_per_type == pytest.approx({"order.placed": 70, "order.placed.rejected": 30, "order.paid": 70})


def test_it_counts_revenue_once_per_journey():
    spec = journey(
        START,
        Step("Add insurance", "insurance.added", optional_pct=50, carries_revenue=True),
        Step("Pay", "order.paid", drop_off_pct=20, carries_revenue=True),
        revenue=Revenue("order.value", 100, 2000),
        journeys_per_day=1000,
    )

    result = forecast(spec)

    # Half carry revenue on the optional step; of the other half, 0.8 pay.
    assert result.revenue_share == pytest.approx(0.5 + 0.5 * 0.8)
    assert result.revenue_per_day == pytest.approx(1000 * 0.9 * 1050)


def test_it_counts_revenue_of_journeys_that_fail_on_a_revenue_step():
    spec = journey(
        START,
        Step("Pay", "order.paid", drop_off_pct=50, carries_revenue=True),
        errors=(ErrorRule("declined", 1, 40),),
        revenue=Revenue("order.value", 10.5, 20.5),
        journeys_per_day=10,
    )

    result = forecast(spec)

    assert result.revenue_share == pytest.approx(0.5)
    assert result.revenue_per_day == pytest.approx(10 * 0.5 * 15.5)


def test_it_has_no_revenue_without_a_revenue_field():
    result = forecast(journey(START, Step("Pay", "order.paid")))

    assert result.revenue_share == 0
    assert result.revenue_per_day == 0


def _duration_journey() -> JourneySpec:
    return journey(
        START,
        Step("Pick", "item.picked", min_delay_hours=1, max_delay_hours=3, max_loops=3),
        Step("Gift wrap", "gift.wrapped", optional_pct=50, drop_off_pct=20, min_delay_hours=2, max_delay_hours=4),
        errors=(ErrorRule("torn", 2, 25),),
    )


def test_it_averages_the_duration_of_completed_journeys():
    result = forecast(_duration_journey())

    # Picking: 2 repetitions on average, each 2 hours after the event before.
    # Gift wrap, given the journey completed: taken with 0.5*0.8*0.75 / (0.3 + 0.5) = 0.375, 3 hours.
    assert result.mean_flow_duration_hours == pytest.approx(2 * 2 + 0.375 * 3)


def test_it_averages_the_duration_of_all_journeys():
    result = forecast(_duration_journey())

    # Gift wrap is performed by 0.5 * 0.8 = 0.4 of the journeys, failing or not, 3 hours later.
    assert result.mean_duration_all_hours == pytest.approx(2 * 2 + 0.4 * 3)


def test_it_sums_the_hourly_profile_to_the_events_per_day():
    spec = journey(
        START,
        Step("Pick", "item.picked", drop_off_pct=5, min_delay_hours=0.1, max_delay_hours=0.2, max_loops=3),
        Step("Ship", "order.shipped", optional_pct=40, min_delay_hours=5, max_delay_hours=50),
        Step("Deliver", "order.delivered", min_delay_hours=200, max_delay_hours=200.3, max_loops=7),
        errors=(ErrorRule("lost", 3, 10),),
        hour_weights=tuple(float(h % 5) for h in range(24)),
        weekday_weights=(1, 1, 1, 1, 2, 3, 0),
        timezone="America/New_York",
        journeys_per_day=12345,
    )

    result = forecast(spec)

    assert sum(result.events_per_hour_of_day) == pytest.approx(result.events_per_day)
    assert sum(result.events_per_hour_utc) == pytest.approx(result.events_per_day)
    assert min(result.events_per_hour_of_day) >= 0


def test_it_puts_events_without_delays_in_the_start_hours():
    weights = tuple(float(h) for h in range(24))
    spec = journey(START, Step("Pay", "order.paid", max_loops=3), hour_weights=weights, journeys_per_day=276)

    result = forecast(spec)

    assert result.starts_per_hour_of_day == pytest.approx([float(h) for h in range(24)])
    assert result.events_per_hour_of_day == pytest.approx([3.0 * h for h in range(24)], abs=1e-9)


@pytest.mark.parametrize(
    ("delay", "next_hour_share"),
    [(0.5, 0.5), (0.01, 0.01), (1.0, 1.0), (168.25, 0.25)],
)
def test_it_moves_events_by_a_fixed_delay(delay, next_hour_share):
    spec = journey(
        START, Step("Pay", "order.paid", min_delay_hours=delay, max_delay_hours=delay), hour_weights=at_hour(10)
    )

    result = forecast(spec)
    paid = [e - s for e, s in zip(result.events_per_hour_of_day, result.starts_per_hour_of_day, strict=True)]

    assert paid[10] == pytest.approx(600 * (1 - next_hour_share), abs=1e-9)
    assert paid[11] == pytest.approx(600 * next_hour_share, abs=1e-9)


def test_it_spreads_a_uniform_delay_exactly():
    spec = journey(START, Step("Pay", "order.paid", min_delay_hours=0, max_delay_hours=2), hour_weights=at_hour(10))

    result = forecast(spec)

    # A start uniform in the hour plus U[0, 2] has a trapezoid density: a quarter, a half, a quarter.
    assert result.events_per_hour_of_day[10:13] == pytest.approx([600 * 1.25, 300, 150])
    assert sum(result.events_per_hour_of_day[13:]) == pytest.approx(0, abs=1e-9)


def test_it_chains_delays():
    spec = journey(
        START,
        Step("Pay", "order.paid", max_delay_hours=1),
        Step("Ship", "order.shipped", max_delay_hours=1),
        hour_weights=at_hour(10),
    )

    shipped = [e - 600 * (s == 10) for s, e in enumerate(forecast(spec).events_per_hour_of_day)]

    # Paid: the start plus U[0, 1] lands half in hour 10, half in 11. Shipped: a sum of three
    # uniform hours (Irwin-Hall): 1/6, 2/3 and 1/6 in hours 10, 11 and 12. The minute grid widens
    # the spread of chained delays a little, moving about 1/40,000 of the journeys to a next hour.
    assert shipped[10:13] == pytest.approx([300 + 100, 300 + 400, 100], abs=600 / 20_000)


def test_it_wraps_events_past_midnight():
    spec = journey(START, Step("Pay", "order.paid", min_delay_hours=2, max_delay_hours=2), hour_weights=at_hour(23))

    result = forecast(spec)

    assert result.events_per_hour_of_day[23] == pytest.approx(600)
    assert result.events_per_hour_of_day[1] == pytest.approx(600)


def test_it_reads_hours_in_the_journeys_timezone():
    steps = (START, Step("Pay", "order.paid", min_delay_hours=1, max_delay_hours=1))
    in_tokyo = forecast(journey(*steps, hour_weights=at_hour(10), timezone="Asia/Tokyo"))
    in_utc = forecast(journey(*steps, hour_weights=at_hour(10)))

    assert in_tokyo.events_per_hour_of_day == pytest.approx(in_utc.events_per_hour_of_day)
    assert in_tokyo.utc_offset_hours == 9
    assert in_tokyo.starts_per_hour_utc[1] == pytest.approx(600)
    assert in_tokyo.events_per_hour_utc[1:3] == pytest.approx([600, 600])
    assert in_utc.events_per_hour_utc == pytest.approx(in_utc.events_per_hour_of_day)


def test_it_uses_the_standard_offset_and_half_hour_zones():
    summer_time = forecast(journey(START, Step("Pay", "order.paid"), timezone="Australia/Sydney"))
    half_hour = forecast(journey(START, Step("Pay", "order.paid"), hour_weights=at_hour(10), timezone="Asia/Kolkata"))

    assert summer_time.utc_offset_hours == 10
    assert half_hour.utc_offset_hours == 5.5
    assert half_hour.starts_per_hour_utc[4:6] == pytest.approx([300, 300])


def test_it_keeps_long_loops_cheap_and_exact():
    spec = journey(START, Step("Poll", "status.polled", min_delay_hours=0.1, max_delay_hours=0.3, max_loops=1000))

    result = forecast(spec)

    assert result.steps[1].mean_repetitions == 500.5
    assert result.events_per_day == pytest.approx(600 * 501.5)
    assert sum(result.events_per_hour_of_day) == pytest.approx(result.events_per_day)
    assert result.mean_flow_duration_hours == pytest.approx(0.2 * 500.5)


def test_it_lists_incidents_apart_from_the_numbers():
    incident = Incident(
        step=1,
        error_name="outage",
        pct=100,
        starts_at=datetime(2026, 3, 1, 10, tzinfo=UTC),
        ends_at=datetime(2026, 3, 1, 12, tzinfo=UTC),
    )
    spec = journey(START, Step("Pay", "order.paid"), incidents=(incident,))

    result = forecast(spec)

    assert result.errors_per_day == 0
    assert result.completion_share == 1
    [listed] = result.incidents
    assert listed.event_type == "order.paid.outage"
    assert listed.starts_at == "2026-03-01T10:00:00+00:00"
    assert any("Incidents" in note for note in result.notes)


def test_it_serialises_to_plain_json():
    spec = journey(START, Step("Pay", "order.paid", drop_off_pct=100), errors=(ErrorRule("declined", 1, 5),))

    data = forecast(spec).to_dict()

    assert json.loads(json.dumps(data)) == data
    assert data["mean_flow_duration_hours"] is None
    assert len(data["events_per_hour_of_day"]) == 24
    assert data["steps"][1]["event_type"] == "order.paid"


def test_it_forecasts_a_long_journey_quickly():
    steps = [START] + [
        Step(f"Step {i}", f"step.{i}", drop_off_pct=3, min_delay_hours=0.1 * i, max_delay_hours=i, max_loops=1 + i % 4)
        for i in range(1, 20)
    ]
    spec = journey(*steps, errors=(ErrorRule("failed", 7, 5), ErrorRule("failed", 19, 5)))

    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        forecast(spec)
        best = min(best, time.perf_counter() - started)

    assert best < 0.05


@pytest.mark.parametrize(
    ("zone", "noted"),
    [("UTC", False), ("Asia/Tokyo", False), ("Europe/London", True), ("Australia/Sydney", True)],
)
def test_it_notes_the_standard_offset_only_for_a_zone_that_changes_its_clocks(zone, noted):
    result = forecast(journey(Step("Order", "order.placed"), Step("Pay", "order.paid"), timezone=zone))

    dst = [note for note in result.notes if "daylight saving" in note]
    assert bool(dst) is noted
    if noted:  # the events follow the local clock; only the forecast's UTC hours use the standard offset
        assert dst == [
            f"The events follow {zone}'s clock, daylight saving time included; the forecast's UTC hours use its "
            "standard offset, so in summer time they are an hour off."
        ]
