import re
import uuid
from dataclasses import replace

import pytest

from journeys.assets.bizflow import (
    MAX_EXTERNAL_ID_LENGTH,
    REQUIRED_FIELDS,
    SCHEMA_ID,
    all_event_types,
    bizflow_settings_payload,
    build_bizflow,
    check_bizflow_limits,
    external_id,
    nodes,
    step_id,
)
from journeys.engine.compiled import compile_journey
from journeys.engine.spec import ErrorRule, Incident, Step

from .journeys_for_tests import EXAMPLE_PATHS, bare_journey, emitted, example, small_journey

REQUIRED_TYPES = {
    "steps": list,
    "connections": list,
    "kpiLabel": str,
    "analysisType": str,
    "analysisCustomLabel": str,
    "isSmartscapeTopologyEnabled": bool,
    "isDefaultQueryLimitIgnored": bool,
}


def _links(value: dict) -> set[tuple[str, str]]:
    names = {step["id"]: step["events"][0]["name"] for step in value["steps"]}
    return {(names[c["source"]], names[c["target"]]) for c in value["connections"]}


def _events_of(value: dict, event_type: str) -> list[dict]:
    step = next(s for s in value["steps"] if s["events"][0]["name"] == event_type)
    return step["events"]


@pytest.mark.parametrize("path", EXAMPLE_PATHS, ids=lambda p: p.stem)
def test_it_builds_a_valid_object_within_the_app_limits_for_every_example(path):
    spec = example(path.name)
    [item] = bizflow_settings_payload(spec)
    value = item["value"]
    assert item["schemaId"] == SCHEMA_ID and item["scope"] == "environment"
    assert set(REQUIRED_FIELDS) == set(REQUIRED_TYPES)
    for name, kind in REQUIRED_TYPES.items():
        assert type(value[name]) is kind, name
    assert value["analysisType"] in ("fulfillment", "conversion", "other")
    assert value["name"] == spec.name and value["correlationID"] == spec.correlation_field
    assert isinstance(value["version"], int)
    first = len(spec.steps[0].ways())  # every variant of the first step is a way in
    assert [s["isRoot"] for s in value["steps"]] == [True] * first + [False] * (len(nodes(spec)) - first)
    step_ids = {s["id"] for s in value["steps"]}
    for step in value["steps"]:
        for event in step["events"]:
            assert event["id"] == f"provider:{spec.event_provider}-event:{event['name']}"
            assert event["provider"] == spec.event_provider
            assert event["isError"] is (event is not step["events"][0])
    for connection in value["connections"]:
        assert connection["source"] in step_ids and connection["target"] in step_ids
        assert connection["id"] == f"{connection['source']}__{connection['target']}"
    assert check_bizflow_limits(spec) == []


@pytest.mark.parametrize("path", EXAMPLE_PATHS, ids=lambda p: p.stem)
def test_it_lists_every_event_type_the_generator_can_send_once(path):
    spec = example(path.name)
    value = build_bizflow(spec)
    listed = [event["name"] for step in value["steps"] for event in step["events"]]
    assert sorted(listed) == sorted(compile_journey(spec).type_names)
    assert sorted(listed) == sorted(all_event_types(spec))
    assert set(emitted(spec)) <= set(listed)


@pytest.mark.parametrize("path", EXAMPLE_PATHS, ids=lambda p: p.stem)
def test_it_takes_the_kpi_from_the_first_step_carrying_revenue(path):
    spec = example(path.name)
    value = build_bizflow(spec)
    carrying = [node.way.event_type for node in nodes(spec) if node.way.carries_revenue]
    if spec.revenue is None or not carrying:
        assert "kpi" not in value and "kpiEvent" not in value
        return
    assert value["kpi"] == spec.revenue.field
    assert value["kpiEvent"] == {"name": carrying[0], "provider": spec.event_provider}
    assert value["kpiLabel"] == spec.revenue.label
    assert value["kpiCalculation"] in ("sum", "firstEvent", "lastEvent")
    assert value["kpi"] in emitted(spec)[value["kpiEvent"]["name"]]


def test_it_connects_steps_in_order_around_optional_and_back_into_looping_steps():
    value = build_bizflow(small_journey())
    assert _links(value) == {
        ("place.order", "item.picked"),
        ("item.picked", "item.picked"),  # loop
        ("item.picked", "delivery.reattempted"),
        ("item.picked", "order.received"),  # bypass of the optional step
        ("delivery.reattempted", "order.received"),
    }
    sources = [c["source"] for c in value["connections"]]
    positions = {s["id"]: i for i, s in enumerate(value["steps"])}
    assert [positions[s] for s in sources] == sorted(positions[s] for s in sources)


def test_it_bypasses_a_run_of_optional_steps_to_the_next_mandatory_one():
    spec = small_journey()
    steps = list(spec.steps)
    steps[1] = replace(steps[1], optional_pct=50, max_loops=1)
    value = build_bizflow(replace(spec, steps=tuple(steps)))
    assert {
        ("place.order", "item.picked"),
        ("place.order", "delivery.reattempted"),
        ("place.order", "order.received"),
    } <= (_links(value))
    assert ("item.picked", "item.picked") not in _links(value)


def test_it_adds_error_events_on_the_last_step_too():
    value = build_bizflow(small_journey())
    events = _events_of(value, "order.received")
    assert [(e["name"], e["isError"]) for e in events] == [
        ("order.received", False),
        ("order.received.lost", True),
        ("order.received.warehouse.fire", True),  # the incident's error type
    ]


def test_it_lists_an_incident_reusing_an_error_name_once():
    spec = small_journey(incidents=(Incident(3, "lost", 50, daily_start_hour=1, daily_end_hour=2),))
    names = [e["name"] for e in _events_of(build_bizflow(spec), "order.received")]
    assert names == ["order.received", "order.received.lost"]


def test_it_gives_the_same_ids_on_every_build_and_keeps_them_when_a_step_is_renamed():
    spec = small_journey()
    assert build_bizflow(spec) == build_bizflow(spec)
    renamed = replace(spec, steps=(replace(spec.steps[0], name="Order placed"), *spec.steps[1:]))
    ids = [s["id"] for s in build_bizflow(spec)["steps"]]
    assert [s["id"] for s in build_bizflow(renamed)["steps"]] == ids
    assert ids[0] == step_id("acme.retail", "place.order") == str(uuid.UUID(ids[0]))
    assert len(set(ids)) == len(ids)
    assert step_id("acme.other", "place.order") != ids[0]


def test_it_derives_a_stable_external_id_from_the_provider_within_the_length_limit():
    assert external_id("acme.retail") == external_id("acme.retail")
    assert bizflow_settings_payload(small_journey())[0]["externalId"] == external_id("acme.retail")
    assert external_id("acme.retail").startswith("bizflow-studio-bizflow-acme.retail-")
    assert external_id("acme retail") != external_id("acme-retail")
    long = external_id("x" * 500)
    assert len(long) <= MAX_EXTERNAL_ID_LENGTH and long != external_id("x" * 499)
    assert re.fullmatch(r"[A-Za-z0-9.-]+", external_id("ünï côdé/|provider"))
    assert external_id("acme.retail", "dashboard") != external_id("acme.retail")


def test_it_omits_the_kpi_without_revenue_and_leaves_topology_off_without_hosts():
    value = build_bizflow(bare_journey())
    assert {"kpi", "kpiEvent", "kpiUnit", "kpiCalculation"}.isdisjoint(value)
    assert value["kpiLabel"]
    assert value["isSmartscapeTopologyEnabled"] is False
    assert build_bizflow(small_journey())["isSmartscapeTopologyEnabled"] is True


def test_it_counts_revenue_once_per_flow_when_the_kpi_step_loops():
    spec = small_journey()
    assert build_bizflow(spec)["kpiCalculation"] == "sum"
    steps = (
        replace(spec.steps[0], carries_revenue=False),
        replace(spec.steps[1], carries_revenue=True),
        *spec.steps[2:],
    )
    value = build_bizflow(replace(spec, steps=steps))
    assert value["kpiEvent"]["name"] == "item.picked" and value["kpiCalculation"] == "firstEvent"


def test_it_accepts_the_analysis_types_and_refuses_others():
    assert build_bizflow(small_journey(), analysis_type="conversion")["analysisType"] == "conversion"
    assert build_bizflow(small_journey(), analysis_type="other")["analysisCustomLabel"]
    with pytest.raises(ValueError, match="analysis_type"):
        build_bizflow(small_journey(), analysis_type="revenue")


def test_it_reports_too_many_events_on_a_step_by_name():
    errors = tuple(ErrorRule(f"e{i}", 3, 1) for i in range(4))
    problems = check_bizflow_limits(small_journey(errors=errors, incidents=()))
    assert problems == []
    problems = check_bizflow_limits(small_journey(errors=errors))  # plus the incident: 6 events
    assert len(problems) == 1 and "'Order received' has 6 events" in problems[0]


def test_it_reports_too_many_steps():
    steps = tuple(Step(f"Step {i}", f"step.{i}") for i in range(21))
    problems = check_bizflow_limits(bare_journey(steps=steps))
    assert len(problems) == 1 and "21 steps" in problems[0] and "at most 20" in problems[0]
    assert check_bizflow_limits(bare_journey(steps=steps[:20])) == []


def test_it_reports_too_many_branches_after_a_run_of_optional_steps():
    steps = (Step("Start", "start"), *(Step(f"Maybe {i}", f"maybe.{i}", optional_pct=50) for i in range(5)))
    steps += (Step("End", "end"),)
    problems = check_bizflow_limits(bare_journey(steps=steps))
    assert len(problems) == 1 and "'Start' leads on to 6 steps" in problems[0]
    assert check_bizflow_limits(bare_journey(steps=steps[:1] + steps[2:])) == []
