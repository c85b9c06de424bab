"""Event logs read back by process-mining tools: pm4py's own parsers, and rustxes as a second XES reader.

pm4py reads XES with rustxes when it is installed, so the XES tests ask pm4py for its own lxml
parser ("iterparse") and read the file with rustxes separately: two independent readers. OCEL is
read with pm4py's OCEL 2.0 JSON importer (its standard variant) and with rustxes's. No installed
package ships the OCEL 2.0 JSON schema, so the file is not validated against it here.

The large-log tests compare what pm4py discovers with the journey's design: the directly-follows
graph has exactly the connections of the journey's Business Flow (journeys/assets/bizflow.py), and
the share of cases ending at each activity matches the expectation computed from the journey's
probabilities within five standard errors.
"""

import math
from datetime import timedelta

import pandas as pd
import pm4py
import pytest
import rustxes
from pm4py.objects.ocel.importer.jsonocel import importer as ocel_importer

from journeys.assets.bizflow import node_error_types, node_links, nodes
from journeys.engine.compiled import compile_journey
from journeys.engine.eventlog import log_chunks
from journeys.engine.eventlog.cases import activity_names
from journeys.engine.forecast import forecast

from .helpers import DAY, branching_journey
from .test_eventlog import generated_cases, shop

STANDARD_ERRORS = 5


def write(tmp_path, spec, start, end, log_format, name):
    path = tmp_path / name
    with path.open("wb") as out:
        for chunk in log_chunks(spec, start, end, log_format):
            out.write(chunk)
    return str(path)


def read_xes(path) -> pd.DataFrame:
    return pm4py.read_xes(path, variant="iterparse", return_legacy_log_object=False)


def as_rows(frame, case, event_id, activity, timestamp) -> dict[str, list[tuple]]:
    """Per case, its events as (event id, activity, epoch ms) in the order the reader gives them."""
    millis = pd.to_datetime(frame[timestamp], utc=True).dt.as_unit("ms").astype("int64").tolist()
    rows: dict[str, list[tuple]] = {}
    for cid, eid, name, ms in zip(frame[case], frame[event_id], frame[activity], millis, strict=True):
        rows.setdefault(cid, []).append((eid, name, ms))
    return rows


def expected_rows(spec, start, end) -> dict[str, list[tuple]]:
    compiled = compile_journey(spec)
    names = dict(zip(compiled.type_names, activity_names(compiled), strict=True))
    return {
        cid: [(e["event.id"], names[e["event.type"]], round(pd.Timestamp(e["timestamp"]).value / 1e6)) for e in events]
        for cid, events in generated_cases(spec, start, end).items()
    }


def test_it_reads_back_xes_with_pm4py_as_the_generated_cases(tmp_path):
    spec = shop()
    start, end = DAY, DAY + timedelta(hours=3)
    log = read_xes(write(tmp_path, spec, start, end, "xes", "log.xes"))

    rows = as_rows(log, "case:concept:name", "event.id", "concept:name", "time:timestamp")

    assert rows == expected_rows(spec, start, end)
    assert all([ms for _, _, ms in events] == sorted(ms for _, _, ms in events) for events in rows.values())
    assert set(log["org:resource"]) == {"HOST-0000000000000001", "HOST-0000000000000002"}
    assert set(log["lifecycle:transition"]) == {"complete"}
    assert {"case:location", "case:customer.tier", "case:order.value"} <= set(log.columns)


def test_it_reads_back_xes_with_rustxes_with_the_same_cases_and_events(tmp_path):
    spec = shop()
    start, end = DAY, DAY + timedelta(hours=3)
    events, _log_attributes = rustxes.import_xes(write(tmp_path, spec, start, end, "xes", "log.xes"))
    frame = events.to_pandas()

    rows = as_rows(frame, "case:concept:name", "event.id", "concept:name", "time:timestamp")

    expected = expected_rows(spec, start, end)
    assert len(rows) == len(expected)
    assert len(frame) == sum(len(e) for e in expected.values())
    assert rows == expected


def test_it_reads_back_csv_with_pm4py_as_the_generated_cases(tmp_path):
    spec = shop()
    start, end = DAY, DAY + timedelta(hours=3)
    frame = pd.read_csv(write(tmp_path, spec, start, end, "csv", "log.csv"), dtype=str, keep_default_na=False)
    frame = pm4py.format_dataframe(frame, case_id="case_id", activity_key="activity", timestamp_key="timestamp")

    rows = as_rows(frame, "case:concept:name", "event_id", "concept:name", "time:timestamp")

    assert rows == expected_rows(spec, start, end)


def test_it_reads_back_ocel_with_pm4py_and_rustxes_as_the_generated_cases(tmp_path):
    spec = shop()
    start, end = DAY, DAY + timedelta(hours=3)
    path = write(tmp_path, spec, start, end, "ocel", "log.jsonocel")
    expected = expected_rows(spec, start, end)

    ocel = ocel_importer.apply(path, variant=ocel_importer.Variants.OCEL20_STANDARD)

    journeys = ocel.relations[ocel.relations["ocel:type"] == "order.id"]
    rows = as_rows(journeys, "ocel:oid", "ocel:eid", "ocel:activity", "ocel:timestamp")
    assert {cid: sorted(events) for cid, events in rows.items()} == {c: sorted(e) for c, e in expected.items()}
    assert set(ocel.objects["ocel:type"]) == {"order.id", "dt.entity.host", "location"}
    hosts = ocel.relations[ocel.relations["ocel:type"] == "dt.entity.host"]
    assert len(hosts) == len(ocel.events) == sum(len(e) for e in expected.values())
    assert len(ocel.o2o) == len(expected)  # each journey is located in its location

    independent = rustxes.import_ocel_json(path)
    assert len(independent["events"]) == len(ocel.events)
    assert len(independent["objects"]) == len(ocel.objects)


def node_activities(spec) -> tuple[list[str], list[list[str]]]:
    """Per Business Flow node: its activity, and the activities of its error types."""
    compiled = compile_journey(spec)
    by_type = dict(zip(compiled.type_names, activity_names(compiled), strict=True))
    own = [by_type[node.way.event_type] for node in nodes(spec)]
    return own, [[by_type[t] for t in types] for types in node_error_types(spec)]


def allowed_edges(spec) -> set[tuple[str, str]]:
    """The directly-follows connections the journey's Business Flow draws, between activities."""
    own, errors = node_activities(spec)
    edges = set()
    for source, target in node_links(spec):
        edges.add((own[source], own[target]))
        if source != target:  # a repetition of a looping step draws no error
            edges.update((own[source], error) for error in errors[target])
    return edges


def expected_flow(spec) -> tuple[dict[tuple[str, str], float], dict[str, float]]:
    """Per started journey: expected directly-follows counts, and the share of journeys ending at each activity.

    Worked out from the journey's probabilities: for each step, the share that reaches it, takes it
    (optional) and does not drop off; then each way (variant) by weight, its errors, loops and end state.
    """
    own, errors = node_activities(spec)
    ways = []  # per node: (step, share of its step's performers, error shares, loops, ends journey)
    for node, error_names in zip(nodes(spec), errors, strict=True):
        step = spec.steps[node.step]
        weights = [way.weight for way in step.ways()]
        rules = [r for r in spec.errors if r.step == node.step and r.variant == node.variant]
        shares = dict(zip(error_names, [r.pct / 100 for r in rules], strict=True))
        ways.append((node.step, node.way.weight / sum(weights), shares, node.way.max_loops, node.way.ends_journey))

    def take(index):
        step = spec.steps[index]
        return 1.0 if index == 0 or step.optional_pct is None else step.optional_pct / 100

    def drop(index):
        return 0.0 if index == 0 else spec.steps[index].drop_off_pct / 100

    alive, ok, ends, edges = 1.0, [0.0] * len(ways), {}, {}
    for index in range(len(spec.steps)):
        performs = alive * take(index) * (1 - drop(index))
        going_on = 0.0
        for number, (step, share, error_shares, _, ends_journey) in enumerate(ways):
            if step == index:
                ok[number] = performs * share * (1 - sum(error_shares.values()))
                ends.update({name: performs * share * p for name, p in error_shares.items()})
                going_on += 0.0 if ends_journey else ok[number]
        alive = alive * (1 - take(index)) + going_on
    for number, (step, _, _, loops, ends_journey) in enumerate(ways):
        if loops > 1:
            edges[(own[number], own[number])] = ok[number] * (loops - 1) / 2
        if ends_journey:
            ends[own[number]] = ok[number]
            continue
        skipped, stops = 1.0, 0.0
        for target in range(step + 1, len(spec.steps)):
            reached = ok[number] * skipped * take(target) * (1 - drop(target))
            for other, (other_step, share, error_shares, _, _) in enumerate(ways):
                if other_step == target:
                    edges[(own[number], own[other])] = reached * share * (1 - sum(error_shares.values()))
                    edges.update({(own[number], e): reached * share * p for e, p in error_shares.items()})
            stops += skipped * take(target) * drop(target)
            skipped *= 1 - take(target)
        ends[own[number]] = ok[number] * (stops + skipped)
    return edges, ends


@pytest.mark.slow
@pytest.mark.parametrize("make", [shop, branching_journey], ids=["plain", "variants"])
def test_it_discovers_exactly_the_journeys_connections_and_end_shares_from_a_large_log(tmp_path, make):
    spec = make(journeys_per_day=25_000)
    start, end = DAY, DAY + timedelta(days=1)
    log = read_xes(write(tmp_path, spec, start, end, "xes", "large.xes"))
    cases = log["case:concept:name"].nunique()
    edges, end_shares = expected_flow(spec)

    dfg, _starts, ends = pm4py.discover_dfg(log)

    allowed = allowed_edges(spec)
    assert {edge for edge, expected in edges.items() if expected > 0} == allowed  # the test's own arithmetic
    assert set(dfg) <= allowed
    assert {edge for edge in allowed if edges[edge] * cases > 5} <= set(dfg)
    assert cases > 22_000
    assert sum(ends.values()) == cases
    assert sum(end_shares.values()) == pytest.approx(1)
    by_type = dict(zip(compile_journey(spec).type_names, activity_names(compile_journey(spec)), strict=True))
    for outcome in forecast(spec).outcomes:  # the same arithmetic as the preview's, where it names an activity
        if outcome.kind in ("failed", "ended"):
            assert end_shares[by_type[outcome.event_type]] == pytest.approx(outcome.share)
    for activity, share in end_shares.items():
        observed = ends.get(activity, 0) / cases
        tolerance = STANDARD_ERRORS * math.sqrt(share * (1 - share) / cases)
        assert abs(observed - share) <= tolerance, (activity, observed, share)
    for edge, count in dfg.items():  # directly-follows counts too, within five standard errors of a Poisson count
        expected = edges[edge] * cases
        assert abs(count - expected) <= STANDARD_ERRORS * math.sqrt(expected) + 1, (edge, count, expected)
