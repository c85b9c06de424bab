"""The generator on version 2 journeys: variants, end states, lognormal delays and surges."""

from collections import Counter
from datetime import UTC, datetime, timedelta

import numpy as np

from journeys.engine.compiled import compile_journey
from journeys.engine.generator import generate, generate_dicts
from journeys.engine.spec import Surge

from .helpers import DAY, HOUR_MS, branching_journey, epoch_ms, journeys_of


def test_it_is_deterministic_and_split_invariant_with_every_new_feature():
    spec = branching_journey()
    whole = b"".join(batch.data for batch in generate(spec, DAY, DAY + timedelta(hours=30)))
    split = b"".join(
        batch.data
        for a, b in ((0, 7), (7, 7.25), (7.25, 30))
        for batch in generate(spec, DAY + timedelta(hours=a), DAY + timedelta(hours=b), DAY)
    )
    again = b"".join(batch.data for batch in generate(spec, DAY, DAY + timedelta(hours=30)))
    assert whole == split == again and len(whole) > 100_000


def test_it_takes_one_variant_per_step_and_ends_the_journey_at_an_end_state():
    spec = branching_journey(surges=())
    events = list(generate_dicts(spec, DAY, DAY + timedelta(days=6), DAY))
    journeys = [j for j in journeys_of(events, "loan.id").values() if epoch_ms(j[0]) < epoch_ms(events[0]) + 86_400_000]
    assert len(journeys) > 1000
    decisions = Counter()
    for events_of_one in journeys:
        types = [e["event.type"] for e in events_of_one]
        assert sum(t.startswith("loan.applied.") for t in types) == 1 and types[0].startswith("loan.applied.")
        taken = {t.split(".")[1] for t in types} & {"approved", "referred", "rejected"}
        assert len(taken) <= 1  # never two variants of one step
        decisions.update(taken)
        if "loan.rejected" in types:
            assert types[-1] == "loan.rejected" and "loan.paid" not in types  # an end state: nothing follows
        if "loan.rejected.fraud" in types:
            assert types[-1] == "loan.rejected.fraud"
    assert decisions["approved"] > decisions["referred"] > decisions["rejected"] > 0


def test_it_gives_each_variant_its_own_attributes_and_type_codes():
    spec = branching_journey(surges=())
    compiled = compile_journey(spec)
    assert compiled.type_names[:7] == (
        "loan.applied.online",
        "loan.applied.branch",
        "loan.checked",
        "loan.approved",
        "loan.referred",
        "loan.rejected",
        "loan.paid",
    )
    assert compiled.type_variant.tolist() == [0, 1, -1, 0, 1, 2, -1, 0, 2]
    assert compiled.type_carries["revenue"].tolist() == [False, True, False, True, False, False, False, True, False]
    events = list(generate_dicts(spec, DAY, DAY + timedelta(hours=6)))
    for event in events:
        assert ("loan.amount" in event) == (
            event["event.type"] in ("loan.applied.branch", "loan.approved", "loan.approved.timeout")
        )
        assert ("location" in event) == event["event.type"].startswith("loan.applied.")


def test_it_draws_lognormal_delays_with_a_long_tail_but_never_past_the_cap():
    spec = branching_journey(surges=(), errors=())
    compiled = compile_journey(spec)
    approved = compiled.steps[2].ways[0]
    events = list(generate_dicts(spec, DAY, DAY + timedelta(days=9), DAY))
    waits = []
    for journey in journeys_of(events, "loan.id").values():
        for before, after in zip(journey, journey[1:], strict=False):
            if after["event.type"] == "loan.approved":
                waits.append((epoch_ms(after) - epoch_ms(before)) / HOUR_MS)
    waits = np.array(waits)
    assert waits.size > 10_000
    assert 0.03 < (waits < 0.5).mean() < 0.07 and 0.03 < (waits > 8).mean() < 0.07  # min and max: 5th/95th
    assert waits.max() > 16 and waits.max() * HOUR_MS <= approved.ceiling_ms


def test_it_multiplies_the_start_rate_inside_a_surge_and_stops_it_at_zero():
    busy = Surge(4, daily_start_hour=9.5, daily_end_hour=11)
    quiet = Surge(0, daily_start_hour=22, daily_end_hour=2)  # wraps past midnight
    spec = branching_journey(surges=(busy, quiet), journeys_per_day=20_000)
    starts = [
        datetime.fromisoformat(e["timestamp"])
        for e in generate_dicts(spec, DAY, DAY + timedelta(days=1))
        if e["event.type"].startswith("loan.applied.")
    ]
    per_minute = Counter(s.hour * 60 + s.minute for s in starts)
    normal = sum(per_minute[m] for m in range(3 * 60, 9 * 60 + 30)) / 390
    surged = sum(per_minute[m] for m in range(9 * 60 + 30, 11 * 60)) / 90
    assert 3.6 < surged / normal < 4.4
    assert sum(per_minute[m] for m in range(22 * 60, 24 * 60)) == 0 and per_minute[0] == per_minute[119] == 0
    assert per_minute[120] > 0 and per_minute[21 * 60 + 59] > 0


def test_it_applies_an_absolute_surge_only_inside_its_window():
    window = Surge(
        0, starts_at=datetime(2026, 11, 2, 6, 7, tzinfo=UTC), ends_at=datetime(2026, 11, 2, 6, 53, tzinfo=UTC)
    )
    spec = branching_journey(surges=(window,), journeys_per_day=50_000)
    starts = [
        epoch_ms(e)
        for e in generate_dicts(spec, DAY, DAY + timedelta(hours=8))
        if e["event.type"].startswith("loan.applied.")
    ]
    inside = [s for s in starts if window.starts_at.timestamp() * 1000 <= s < window.ends_at.timestamp() * 1000]
    assert inside == [] and len(starts) > 10_000
    before = [
        s for s in starts if (window.starts_at.timestamp() - 60) * 1000 <= s < window.starts_at.timestamp() * 1000
    ]
    assert len(before) > 10
