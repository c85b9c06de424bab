"""Event logs: whole journeys as cases, the same events the generator sends, in XES, OCEL 2.0 and CSV.

The readers here are small and schema-free (the standard library's XML and CSV parsers, orjson):
they check the bytes this project writes. Reading the logs back with process-mining tools (pm4py,
rustxes) is in test_eventlog_pm4py.py.
"""

import csv
import gzip
import io
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import timedelta

import orjson
import pytest

from journeys.engine.compiled import BLOCK_MS, compile_journey
from journeys.engine.eventlog import expected_events, log_chunks
from journeys.engine.eventlog.cases import activity_names, carried_by_type, case_batches
from journeys.engine.eventlog.values import xml_attr
from journeys.engine.forecast import forecast
from journeys.engine.generator import generate_dicts
from journeys.engine.spec import ErrorRule, Step, Weighted

from .helpers import DAY, HOUR_MS, branching_journey, epoch_ms, example, journey, journeys_of

XES = "{http://www.xes-standard.org/}"


def shop(**fields):
    fields.setdefault("journeys_per_day", 3000)
    return journey(
        Step("Order placed", "order.placed", carries_location=True),
        Step("Payment", "payment.done", drop_off_pct=10, min_delay_hours=0.1, max_delay_hours=1, carries_revenue=True),
        Step("Gift wrap", "gift.wrapped", optional_pct=30, min_delay_hours=0.1, max_delay_hours=0.5),
        Step("Packed", "order.packed", drop_off_pct=5, min_delay_hours=0.2, max_delay_hours=1, max_loops=3),
        Step("Shipped", "order.shipped", min_delay_hours=1, max_delay_hours=4, carries_segment=True),
        errors=(ErrorRule("declined", 1, 8), ErrorRule("lost", 4, 3)),
        locations=(Weighted("Berlin", 2), Weighted('Rock & "Roll" <City>', 1)),
        segment_field="customer.tier",
        segments=(Weighted("gold", 1), Weighted("basic, plain", 3)),
        revenue=replace(example("retail-order-delivery").revenue, min_value=5.5, max_value=99.25),
        hosts=(Weighted("HOST-0000000000000001", 1), Weighted("HOST-0000000000000002", 1)),
        **fields,
    )


def generated_cases(spec, start, end) -> dict[str, list[dict]]:
    """What generate_events sends for the journeys starting in [start, end): every event, to the last."""
    horizon = end + timedelta(milliseconds=compile_journey(spec).max_duration_ms + 1)
    cases = journeys_of(list(generate_dicts(spec, start, horizon, start)), spec.correlation_field)
    lo, hi = start.timestamp() * 1000, end.timestamp() * 1000
    return {cid: events for cid, events in cases.items() if lo <= epoch_ms(events[0]) < hi}


def log_bytes(spec, start, end, log_format, **options) -> bytes:
    return b"".join(log_chunks(spec, start, end, log_format, **options))


def xes_cases(data: bytes) -> dict[str, tuple[dict, list[dict]]]:
    """Each trace's attributes and its events' attributes, in file order, with the standard library's parser."""
    cases = {}
    for trace in ET.fromstring(data).iter(f"{XES}trace"):
        attributes = {a.get("key"): a.get("value") for a in trace if a.tag != f"{XES}event"}
        events = [{a.get("key"): a.get("value") for a in event} for event in trace.iter(f"{XES}event")]
        cases[attributes["concept:name"]] = (attributes, events)
    return cases


def test_it_names_activities_after_steps_and_errors_after_their_step_and_error():
    compiled = compile_journey(shop())

    names = dict(zip(compiled.type_names, activity_names(compiled), strict=True))

    assert names["order.placed"] == "Order placed"
    assert names["order.packed"] == "Packed"
    assert names["payment.done.declined"] == "Payment (declined)"
    assert names["order.shipped.lost"] == "Shipped (lost)"


def test_it_groups_whole_journeys_that_start_in_the_window_including_events_after_its_end():
    spec = shop()
    start, end = DAY + timedelta(hours=5), DAY + timedelta(hours=6, minutes=7)
    expected = generated_cases(spec, start, end)

    cases = {}
    for batch in case_batches(spec, start, end):
        bounds = batch.case_starts.tolist()
        for index, case_id in enumerate(batch.case_ids):
            cases[case_id] = batch.event_ids[bounds[index] : bounds[index + 1]]

    assert cases == {cid: [e["event.id"] for e in events] for cid, events in expected.items()}
    last_events = [epoch_ms(events[-1]) for events in expected.values()]
    assert max(last_events) > end.timestamp() * 1000  # later steps after the window are there


def test_it_writes_xes_whose_traces_are_the_generated_journeys_event_for_event():
    spec = shop()
    start, end = DAY, DAY + timedelta(hours=2)
    expected = generated_cases(spec, start, end)

    cases = xes_cases(log_bytes(spec, start, end, "xes"))

    assert list(cases) == list(expected)  # in order of the journeys' starts
    names = dict(zip(compile_journey(spec).type_names, activity_names(compile_journey(spec)), strict=True))
    for cid, (attributes, events) in cases.items():
        sent = expected[cid]
        assert [e["event.id"] for e in events] == [e["event.id"] for e in sent]
        assert [e["event.type"] for e in events] == [e["event.type"] for e in sent]
        assert [e["concept:name"] for e in events] == [names[e["event.type"]] for e in sent]
        assert [e["time:timestamp"] for e in events] == [e["timestamp"] for e in sent]
        assert [e["org:resource"] for e in events] == [e["dt.entity.host"] for e in sent]
        assert {e["lifecycle:transition"] for e in events} == {"complete"}
        assert attributes["location"] == sent[0]["location"]  # the first step carries it
        for event in sent:
            if "order.value" in event:
                assert float(attributes["order.value"]) == event["order.value"]
            if "customer.tier" in event:
                assert attributes["customer.tier"] == event["customer.tier"]


def test_it_declares_the_xes_extensions_and_escapes_user_text():
    data = log_bytes(replace(shop(), name='A <"B"> & C'), DAY, DAY + timedelta(hours=1), "xes")

    root = ET.fromstring(data)
    prefixes = {e.get("prefix"): e.get("uri") for e in root.iter(f"{XES}extension")}
    assert prefixes == {
        "concept": "http://www.xes-standard.org/concept.xesext",
        "time": "http://www.xes-standard.org/time.xesext",
        "lifecycle": "http://www.xes-standard.org/lifecycle.xesext",
        "org": "http://www.xes-standard.org/org.xesext",
    }
    assert root.get("xes.version") == "1849-2016"
    log_name = next(a.get("value") for a in root if a.get("key") == "concept:name")
    assert log_name == 'A <"B"> & C'
    assert 'Rock & "Roll" <City>' in {t[0].get("location") for t in xes_cases(data).values()}


def test_it_drops_characters_xml_cannot_hold():
    assert xml_attr("a\x01b\tc") == "ab&#9;c"


def test_it_writes_csv_rows_per_event_in_case_order():
    spec = shop()
    start, end = DAY, DAY + timedelta(hours=2)
    expected = generated_cases(spec, start, end)

    rows = list(csv.DictReader(io.StringIO(log_bytes(spec, start, end, "csv").decode(), newline="")))

    assert list(rows[0])[:6] == ["case_id", "activity", "timestamp", "event_type", "event_id", "resource"]
    assert list(rows[0])[6:] == ["location", "customer.tier", "order.value"]
    assert [r["event_id"] for r in rows] == [e["event.id"] for events in expected.values() for e in events]
    assert [r["case_id"] for r in rows] == [cid for cid, events in expected.items() for _ in events]
    assert [r["timestamp"] for r in rows] == [e["timestamp"] for events in expected.values() for e in events]
    assert {r["customer.tier"] for r in rows} == {"gold", "basic, plain"}  # quoted where it holds a comma
    assert all(r["activity"] for r in rows)


def test_it_writes_ocel_with_journeys_hosts_and_locations_as_objects():
    spec = shop()
    start, end = DAY, DAY + timedelta(hours=2)
    expected = generated_cases(spec, start, end)

    log = orjson.loads(log_bytes(spec, start, end, "ocel"))

    assert {t["name"] for t in log["objectTypes"]} == {"order.id", "dt.entity.host", "location"}
    assert {t["name"] for t in log["eventTypes"]} == set(activity_names(compile_journey(spec)))
    journeys = [o for o in log["objects"] if o["type"] == "order.id"]
    assert [o["id"] for o in journeys] == list(expected)
    assert [e["id"] for e in log["events"]] == [e["event.id"] for events in expected.values() for e in events]
    by_id = {e["event.id"]: (cid, e) for cid, events in expected.items() for e in events}
    for event in log["events"]:
        cid, sent = by_id[event["id"]]
        links = {r["qualifier"]: r["objectId"] for r in event["relationships"]}
        assert links["journey"] == cid
        assert links["host"] == sent["dt.entity.host"]
        assert links.get("location") == (f"location:{sent['location']}" if "location" in sent else None)
        assert event["time"] == sent["timestamp"]


def test_it_is_deterministic_and_gzips_to_the_same_bytes():
    spec = shop()
    start, end = DAY, DAY + timedelta(hours=1)
    for log_format in ("xes", "ocel", "csv"):
        plain = log_bytes(spec, start, end, log_format)
        assert plain == log_bytes(shop(), start, end, log_format)
        packed = log_bytes(spec, start, end, log_format, compress=True)
        assert packed == log_bytes(shop(), start, end, log_format, compress=True)
        assert gzip.decompress(packed) == plain
    assert log_bytes(shop(seed=1), start, end, "csv") != log_bytes(shop(seed=2), start, end, "csv")


def test_it_streams_one_block_of_starts_at_a_time():
    spec = shop(journeys_per_day=20_000)
    chunks = log_chunks(spec, DAY, DAY + timedelta(hours=6), "csv")

    sizes = [len(chunk) for chunk in chunks]

    assert len(sizes) == 1 + 6 * HOUR_MS // BLOCK_MS  # the header, then one chunk per block
    assert max(sizes) < 2 * sum(sizes) / len(sizes)


def test_it_writes_well_formed_empty_logs():
    spec = shop(journeys_per_day=0)
    assert xes_cases(log_bytes(spec, DAY, DAY + timedelta(hours=1), "xes")) == {}
    assert orjson.loads(log_bytes(spec, DAY, DAY + timedelta(hours=1), "ocel"))["events"] == []
    assert log_bytes(spec, DAY, DAY + timedelta(hours=1), "csv").count(b"\r\n") == 1


def test_it_refuses_an_unknown_format():
    with pytest.raises(ValueError, match="xes, ocel, csv"):
        log_chunks(shop(), DAY, DAY + timedelta(hours=1), "bpmn")


def test_it_expects_as_many_events_as_the_forecast_gives_for_the_window():
    spec = shop(journeys_per_day=4800)
    per_journey = forecast(spec).events_per_journey

    assert expected_events(spec, DAY, DAY + timedelta(hours=2)) == pytest.approx(400 * per_journey)
    assert expected_events(spec, DAY, DAY + timedelta(minutes=5)) == pytest.approx(4800 / 288 * per_journey)


def test_it_cuts_a_busy_block_into_batches_of_whole_cases(monkeypatch):
    spec = shop(journeys_per_day=50_000)
    start, end = DAY, DAY + timedelta(minutes=30)
    whole = [b.case_ids for b in case_batches(spec, start, end)]
    monkeypatch.setattr("journeys.engine.eventlog.cases.CASE_BATCH_EVENTS", 100)

    batches = list(case_batches(spec, start, end))

    assert len(batches) > 10 * len(whole)
    assert [cid for b in batches for cid in b.case_ids] == [cid for ids in whole for cid in ids]
    assert all(len(b) < 100 + 20 for b in batches)  # a journey here has at most 7 events
    assert all(b.events.seq[0] == 0 and b.case_starts[-1] == len(b) for b in batches)


def test_it_names_a_variants_events_and_errors_after_the_variant():
    compiled = compile_journey(branching_journey())

    names = dict(zip(compiled.type_names, activity_names(compiled), strict=True))

    assert names == {
        "loan.applied.online": "Online",
        "loan.applied.branch": "Branch",
        "loan.checked": "Check",
        "loan.approved": "Approved",
        "loan.referred": "Referred",
        "loan.rejected": "Rejected",
        "loan.paid": "Payout",
        "loan.approved.timeout": "Approved (timeout)",
        "loan.rejected.fraud": "Rejected (fraud)",
    }
    assert carried_by_type(compiled, "location") == compiled.type_carries["location"].tolist()
    assert carried_by_type(compiled, "revenue") == compiled.type_carries["revenue"].tolist()


def test_it_qualifies_a_variant_named_like_another_way_by_its_step():
    spec = branching_journey()
    renamed = replace(spec.steps[2].variants[1], name="Check")
    spec = replace(
        spec,
        steps=(
            *spec.steps[:2],
            replace(spec.steps[2], variants=(spec.steps[2].variants[0], renamed, spec.steps[2].variants[2])),
            spec.steps[3],
        ),
    )

    names = activity_names(compile_journey(spec))

    assert "Check" in names and "Decision: Check" in names


def test_it_writes_a_branching_journeys_cases_event_for_event():
    spec = branching_journey()
    start, end = DAY + timedelta(hours=8), DAY + timedelta(hours=12)
    expected = generated_cases(spec, start, end)
    compiled = compile_journey(spec)
    names = dict(zip(compiled.type_names, activity_names(compiled), strict=True))

    cases = xes_cases(log_bytes(spec, start, end, "xes"))
    rows = list(csv.DictReader(io.StringIO(log_bytes(spec, start, end, "csv").decode(), newline="")))

    assert list(cases) == list(expected)
    for cid, (_, events) in cases.items():
        assert [(e["event.id"], e["concept:name"]) for e in events] == [
            (e["event.id"], names[e["event.type"]]) for e in expected[cid]
        ]
    assert [r["event_id"] for r in rows] == [e["event.id"] for events in expected.values() for e in events]
    assert {"Rejected", "Approved (timeout)", "Rejected (fraud)"} <= {r["activity"] for r in rows}


def test_it_writes_a_journey_without_hosts_locations_segments_or_revenue():
    spec = journey(Step("A", "a"), Step("B", "b", max_delay_hours=1))
    start, end = DAY, DAY + timedelta(hours=1)
    expected = generated_cases(spec, start, end)

    ocel = orjson.loads(log_bytes(spec, start, end, "ocel"))
    rows = list(csv.DictReader(io.StringIO(log_bytes(spec, start, end, "csv").decode(), newline="")))
    traces = xes_cases(log_bytes(spec, start, end, "xes"))

    assert [o["id"] for o in ocel["objects"]] == list(expected)
    assert all([r["qualifier"] for r in e["relationships"]] == ["journey"] for e in ocel["events"])
    assert list(rows[0]) == ["case_id", "activity", "timestamp", "event_type", "event_id", "resource"]
    assert {r["resource"] for r in rows} == {""}
    assert all(set(attributes) == {"concept:name"} for attributes, _ in traces.values())
    assert sum(len(events) for _, events in traces.values()) == len(rows) == len(ocel["events"])
