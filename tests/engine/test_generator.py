"""The generator against JOURNEY-SEMANTICS.md, rule by rule, with exact (not statistical) checks."""

import hashlib
import json
import subprocess
import sys
import uuid
from datetime import datetime, timedelta

import numpy as np
import pytest

from journeys.engine.generator import generate, generate_columns, generate_dicts
from journeys.engine.spec import ErrorRule, Incident, Revenue, Step, Weighted

from .helpers import DAY, HOUR_MS, epoch_ms, example, journey, journeys_of

A = Step("Place order", "order.placed")
A_WITH_ATTRIBUTES = Step(
    "Place order", "order.placed", carries_location=True, carries_segment=True, carries_revenue=True
)


def day_of(spec, days: int = 1, **kw) -> list[dict]:
    return list(generate_dicts(spec, DAY, DAY + timedelta(days=days), **kw))


def whole_journeys(spec) -> dict[str, list[dict]]:
    """The journeys that start on DAY, each with all its events (the range runs on a day longer)."""
    journeys = journeys_of(day_of(spec, days=2, origin=DAY))
    cutoff = (DAY + timedelta(days=1)).timestamp() * 1000
    return {key: events for key, events in journeys.items() if epoch_ms(events[0]) < cutoff}


def test_it_gives_every_event_the_required_fields():
    spec = example("retail-order-delivery")

    events = day_of(spec)

    assert len(events) > 1000
    for event in events:
        assert {"event.provider", "event.type", "order.id", "timestamp", "dt.entity.host", "event.id"} <= event.keys()
        assert event["event.provider"] == "acme.retail"
        assert event["dt.entity.host"].startswith("HOST-")
        assert uuid.UUID(event["order.id"]).version == 4


def test_it_never_drops_at_zero_percent_and_always_at_one_hundred():
    spec = journey(
        A,
        Step("Pay", "order.paid", drop_off_pct=0),
        Step("Ship", "order.shipped", drop_off_pct=100),
        Step("Done", "order.done"),
    )

    types = {e["event.type"] for e in day_of(spec, origin=DAY)}

    assert types == {"order.placed", "order.paid"}
    counts = {t: sum(1 for e in day_of(spec) if e["event.type"] == t) for t in types}
    assert counts["order.placed"] == counts["order.paid"]  # 0%: not one journey lost


def test_it_skips_an_optional_step_without_letting_time_pass():
    spec = journey(
        A,
        Step("Gift wrap", "order.wrapped", min_delay_hours=1, max_delay_hours=1, optional_pct=50),
        Step("Ship", "order.shipped", min_delay_hours=2, max_delay_hours=2),
    )

    journeys = whole_journeys(spec)
    gaps = {tuple((epoch_ms(e) - epoch_ms(events[0])) // HOUR_MS for e in events[1:]) for events in journeys.values()}

    assert gaps == {(1, 3), (2,)}  # taken: wrap at +1 h, ship at +3 h; skipped: ship at +2 h


def test_it_repeats_a_looping_step_and_counts_the_next_delay_from_the_last_repetition():
    spec = journey(
        A,
        Step("Pick", "item.picked", min_delay_hours=1, max_delay_hours=1, max_loops=3),
        Step("Pack", "order.packed", min_delay_hours=1, max_delay_hours=1),
    )

    journeys = whole_journeys(spec)
    shapes = set()
    for events in journeys.values():
        picks = [e for e in events if e["event.type"] == "item.picked"]
        offsets = [(epoch_ms(e) - epoch_ms(events[0])) // HOUR_MS for e in events[1:]]
        shapes.add((len(picks), tuple(offsets)))

    assert shapes == {(1, (1, 2)), (2, (1, 2, 3)), (3, (1, 2, 3, 4))}


def test_it_ends_a_journey_on_an_error_on_any_step_including_the_first_and_the_last():
    spec = journey(
        Step("Apply", "loan.applied"),
        Step("Check", "loan.checked"),
        Step("Pay out", "loan.paid"),
        errors=(ErrorRule("duplicate", 0, 20), ErrorRule("fraud", 1, 30), ErrorRule("insufficient.funds", 2, 50)),
    )

    journeys = whole_journeys(spec)
    endings = {events[-1]["event.type"] for events in journeys.values()}

    assert endings == {"loan.applied.duplicate", "loan.checked.fraud", "loan.paid.insufficient.funds", "loan.paid"}
    for events in journeys.values():
        errors = [e for e in events if e["event.type"].count(".") > 1]
        assert len(errors) <= 1 and (not errors or errors[0] is events[-1])


def test_it_applies_an_absolute_incident_only_inside_its_window():
    window = (DAY + timedelta(hours=10), DAY + timedelta(hours=12))
    spec = journey(A, Step("Ship", "order.shipped"), incidents=(Incident(1, "system.outage", 100, *window),))

    events = day_of(spec)
    shipped = [e for e in events if e["event.type"].startswith("order.shipped")]
    inside = [e for e in shipped if window[0] <= datetime.fromisoformat(e["timestamp"]) < window[1]]

    assert inside and all(e["event.type"] == "order.shipped.system.outage" for e in inside)
    assert all(e["event.type"] == "order.shipped" for e in shipped if e not in inside)


def test_it_reads_daily_incident_hours_in_the_journeys_timezone():
    spec = journey(
        A,
        Step("Ship", "order.shipped"),
        timezone="Asia/Tokyo",
        incidents=(Incident(1, "outage", 100, daily_start_hour=9, daily_end_hour=10),),
    )

    failed = [e for e in day_of(spec) if e["event.type"] == "order.shipped.outage"]

    assert failed
    assert {datetime.fromisoformat(e["timestamp"]).hour for e in failed} == {0}  # 09:00 Tokyo is 00:00 UTC


def test_it_draws_attributes_once_per_journey_and_puts_them_only_on_the_steps_that_carry_them():
    spec = journey(
        A_WITH_ATTRIBUTES,
        Step("Pick", "item.picked", carries_location=True, max_loops=2),
        Step("Pay", "order.paid", carries_revenue=True),
        locations=(Weighted("Zürich", 1), Weighted("Leeds", 1)),
        segment_field="loyalty",
        segments=(Weighted("gold", 1), Weighted("basic", 3)),
        revenue=Revenue("order.value", 100, 2000),
    )

    for events in journeys_of(day_of(spec, origin=DAY)).values():
        by_type = {e["event.type"]: e for e in events}
        assert len({e["location"] for e in events if "location" in e}) == 1
        assert "loyalty" not in by_type.get("item.picked", {}) and "order.value" not in by_type.get("item.picked", {})
        values = {e["order.value"] for e in events if "order.value" in e}
        assert len(values) == 1 and all(isinstance(v, int) and 100 <= v <= 2000 for v in values)
        assert by_type["order.placed"]["location"] in {"Zürich", "Leeds"}


def test_it_writes_fractional_revenue_with_two_decimals():
    spec = journey(
        Step("Place order", "order.placed", carries_revenue=True),
        Step("Pay", "order.paid"),
        revenue=Revenue("order.value", 0.5, 9.99),
    )

    values = [e["order.value"] for e in day_of(spec) if "order.value" in e]

    assert values and all(0.5 <= v <= 9.99 and round(v, 2) == v for v in values)
    assert any(not float(v).is_integer() for v in values)


def test_it_escapes_text_so_every_line_is_ascii_json():
    spec = journey(
        Step("Place order", "order.placed", carries_location=True),
        Step("Pay", "order.paid"),
        locations=(Weighted('Zürich "HQ"', 1),),
        extra_attributes=(("app.version", "1.2 ✓"),),
    )

    batch = next(generate(spec, DAY, DAY + timedelta(days=1)))

    assert batch.data.isascii()
    first = json.loads(batch.line(0))
    assert first["location"] == 'Zürich "HQ"' and first["app.version"] == "1.2 ✓"


def test_it_gives_every_event_a_unique_deterministic_id():
    spec = example("retail-order-delivery", journeys_per_day=20_000)

    ids = [e["event.id"] for e in day_of(spec)]

    assert len(ids) == len(set(ids))
    assert ids == [e["event.id"] for e in day_of(spec)]


def test_it_writes_epoch_milliseconds_when_asked():
    spec = example("retail-order-delivery")

    rfc = day_of(spec)
    epoch = day_of(spec, timestamp_format="epoch_ms")

    assert [epoch_ms(e) for e in rfc] == [e["timestamp"] for e in epoch]


def test_it_emits_only_events_inside_the_range_of_journeys_started_after_the_origin():
    spec = example("retail-order-delivery", journeys_per_day=5000)
    start, end, origin = DAY + timedelta(hours=3), DAY + timedelta(hours=9), DAY + timedelta(hours=1)

    columns = list(generate_columns(spec, start, end, origin))
    ts = np.concatenate([c.ts_ms for c in columns])
    starts = np.concatenate([c.journey_start_ms for c in columns])

    assert ts.min() >= start.timestamp() * 1000 and ts.max() < end.timestamp() * 1000
    assert starts.min() >= origin.timestamp() * 1000
    assert (np.diff(ts) >= 0).all()


def test_it_produces_the_same_stream_however_the_range_is_split():
    spec = example("retail-order-delivery", journeys_per_day=50_000)
    origin, a, c = DAY - timedelta(days=1), DAY, DAY + timedelta(hours=6)
    whole = b"".join(b.data for b in generate(spec, a, c, origin))
    rng = np.random.default_rng(7)
    for _ in range(5):
        b = a + timedelta(milliseconds=int(rng.integers(1, 6 * HOUR_MS)))
        parts = b"".join(x.data for x in generate(spec, a, b, origin)) + b"".join(
            x.data for x in generate(spec, b, c, origin)
        )
        assert parts == whole


def test_it_produces_the_same_bytes_in_another_process():
    spec_path = "retail-order-delivery"
    code = (
        "import hashlib,sys; from datetime import datetime, timedelta, UTC;"
        "from tests.engine.helpers import example, DAY; from journeys.engine.generator import generate;"
        f"spec = example('{spec_path}', journeys_per_day=30000); h = hashlib.sha256();"
        "[h.update(b.data) for b in generate(spec, DAY, DAY + timedelta(hours=12))];"
        "print(h.hexdigest())"
    )
    here = hashlib.sha256()
    for batch in generate(example(spec_path, journeys_per_day=30000), DAY, DAY + timedelta(hours=12)):
        here.update(batch.data)

    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert other.stdout.strip() == here.hexdigest()


def test_it_changes_the_stream_with_the_seed():
    first = day_of(example("retail-order-delivery", seed=1))
    second = day_of(example("retail-order-delivery", seed=2))

    assert {e["order.id"] for e in first}.isdisjoint({e["order.id"] for e in second})


def test_it_keeps_memory_flat_however_long_the_range():
    import tracemalloc

    spec = example("retail-order-delivery", journeys_per_day=20_000)

    def peak(days: int) -> int:
        tracemalloc.start()
        for _ in generate(spec, DAY, DAY + timedelta(days=days)):
            pass
        result = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return result

    one_day, eight_days = peak(1), peak(8)

    assert eight_days < one_day * 1.5  # eight times the events, not eight times the memory


def test_it_refuses_naive_datetimes():
    with pytest.raises(ValueError, match="timezone"):
        next(generate(example("retail-order-delivery"), datetime(2026, 1, 1), datetime(2026, 1, 2)))


def test_it_lays_out_batches_that_sinks_can_cut_and_join():
    batch = next(generate(example("retail-order-delivery", journeys_per_day=50_000), DAY, DAY + timedelta(hours=1)))

    assert json.loads(batch.json_array()) == batch.to_dicts()
    cuts = batch.cut_points(4096)
    pieces = [batch.slice(a, b) for a, b in zip(cuts, cuts[1:], strict=False)]
    assert all(p.nbytes <= 4096 for p in pieces)
    assert type(batch).concat(pieces).data == batch.data
    assert [batch.line(i) for i in range(len(batch))] == batch.lines()


def test_it_starts_journeys_at_the_daily_volume_on_average():
    spec = journey(A, Step("Pay", "order.paid"), journeys_per_day=3000, weekday_weights=(1, 1, 1, 1, 1, 2, 2))

    starts = sum(1 for e in day_of(spec, days=14) if e["event.type"] == "order.placed")

    # 14 days at weekday factors 7/9 (x10 days) and 14/9 (x4 days): 42,000 expected; Poisson sd ~205.
    assert abs(starts - 42_000) < 5 * 205


def test_it_regroups_batches_into_larger_runs_without_changing_the_stream():
    from journeys.engine.encode import regroup

    batches = list(generate(example("retail-order-delivery", journeys_per_day=200_000), DAY, DAY + timedelta(hours=3)))
    grouped = list(regroup(batches, 40_000))

    assert b"".join(b.data for b in grouped) == b"".join(b.data for b in batches)
    assert all(len(b) <= 40_000 for b in grouped) and len(grouped) < len(batches)
    assert list(regroup(batches, None)) == batches


def test_it_gives_the_first_journeys_whole_exactly_as_the_stream_sends_them():
    from journeys.engine.compiled import compile_journey
    from journeys.engine.generator import first_journeys

    spec = example("retail-order-delivery", journeys_per_day=200_000)
    start = DAY + timedelta(hours=10, minutes=7)

    sample = first_journeys(spec, start, 3)

    horizon = start + timedelta(milliseconds=compile_journey(spec).max_duration_ms + 15 * 60 * 1000)
    streamed = journeys_of(list(generate_dicts(spec, start, horizon, start)))
    first_three = list(streamed)[:3]  # a journey's first event is its start: stream order is start order
    assert [events[0]["order.id"] for events in sample] == first_three
    assert sample == [streamed[key] for key in first_three]
    assert all(epoch_ms(events[0]) >= start.timestamp() * 1000 for events in sample)
