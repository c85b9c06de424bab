"""The preview's builders: the flow graph, the hourly chart and the event sample."""

import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from journeys import formatting as fmt
from journeys import preview
from journeys.benchmarks.preview import bench_spec
from journeys.engine.forecast import forecast
from journeys.engine.generator import generate_dicts
from journeys.engine.jsonformat import loads

SVG = "{http://www.w3.org/2000/svg}"
RETAIL = loads((Path(__file__).resolve().parents[1] / "journeys/examples/retail-order-delivery.json").read_text())
NOW = datetime(2026, 3, 4, 15, 20, tzinfo=UTC)


def groups(svg: str, css_class: str) -> list[ET.Element]:
    return [g for g in ET.fromstring(svg).iter(f"{SVG}g") if g.get("class") == css_class]


def texts(element: ET.Element) -> str:
    return " ".join("".join(t.itertext()) for t in element.iter(f"{SVG}text"))


@pytest.mark.parametrize("steps", [2, 3, 6, 7, 12, 20])
def test_it_draws_every_step_inside_the_picture(steps):
    spec = bench_spec(steps)
    svg = preview.flow_svg(spec, forecast(spec))
    root = ET.fromstring(svg)
    _, _, width, height = map(float, root.get("viewBox").split())
    nodes = groups(svg, "flow-node")
    assert [int(n.get("data-step")) for n in nodes] == list(range(steps))
    assert len(groups(svg, "flow-end")) == 1
    for rect in root.iter(f"{SVG}rect"):
        x, y = float(rect.get("x")), float(rect.get("y"))
        assert 0 <= x and x + float(rect.get("width")) <= width and 0 <= y and y + float(rect.get("height")) <= height
    assert width <= preview.graph.MAX_WIDTH


def test_it_writes_the_forecast_on_each_node():
    fc = forecast(RETAIL)
    nodes = groups(preview.flow_svg(RETAIL, fc), "flow-node")
    for node, step in zip(nodes, fc.steps, strict=True):
        per_day = step.share_with_event * fc.journeys_per_day
        assert float(node.get("data-journeys-per-day")) == pytest.approx(per_day)
        assert f"{fmt.count(per_day)} /day" in texts(node)
        assert f"{fmt.pct(step.share_with_event)} of starts" in texts(node)


def test_it_marks_drop_offs_bypasses_loops_and_errors():
    fc = forecast(RETAIL)
    svg = preview.flow_svg(RETAIL, fc)
    drops = {int(g.get("data-step")): g for g in groups(svg, "drop")}
    assert sorted(drops) == [1, 2, 3, 4, 5, 6]  # every step but the first has a drop-off
    assert "▼ 5.0%" in texts(drops[1]) and f"{fmt.count(0.05 * 600)}/day" in texts(drops[1])
    (bypass,) = groups(svg, "bypass")
    reattempt = fc.steps[5]
    assert bypass.get("data-step") == "5" and float(bypass.get("data-skip-share")) == pytest.approx(0.6)
    assert f"skip 60.0% · {fmt.count(reattempt.journeys_per_day * 0.6)}/day" in texts(bypass)
    (loop,) = groups(svg, "loop")
    assert loop.get("data-step") == "2" and "×2.0 avg · max 3" in texts(loop)
    (badge,) = groups(svg, "error-badge")
    assert badge.get("data-step") == "4" and f"{fmt.count(fc.errors_per_day)} errors/day" in texts(badge)
    (end,) = groups(svg, "flow-end")
    assert float(end.get("data-completed-per-day")) == pytest.approx(fc.completed_per_day)


def test_it_escapes_names():
    spec = bench_spec(3)
    spec = replace(spec, name="<b>&", steps=(replace(spec.steps[0], name="A<script>"), *spec.steps[1:]))
    svg = preview.flow_svg(spec, forecast(spec))
    assert "<script>" not in svg and "A&lt;script&gt;" in svg
    ET.fromstring(svg)


def test_it_charts_the_expected_events_per_hour():
    fc = forecast(RETAIL)
    bars = [r for r in ET.fromstring(preview.hours_svg(fc.events_per_hour_of_day, timezone="UTC")).iter(f"{SVG}rect")]
    assert [float(b.get("data-events")) for b in bars] == pytest.approx(list(fc.events_per_hour_of_day))
    tallest = max(range(24), key=lambda hour: fc.events_per_hour_of_day[hour])
    assert float(bars[tallest].get("height")) == max(float(b.get("height")) for b in bars)


def test_it_samples_whole_journeys_exactly_as_the_generator_sends_them():
    fc = forecast(RETAIL)
    sample = preview.sample_journeys(RETAIL, fc, now=NOW)
    assert len(sample.journeys) == 3 and sample.complete and sample.end <= NOW
    assert sample.start.hour == 11  # the retail journey's busiest hour
    everything = list(generate_dicts(RETAIL, sample.start, NOW, sample.start))
    first_three = list(dict.fromkeys(event["order.id"] for event in everything))[:3]
    assert [journey.correlation for journey in sample.journeys] == first_three
    for journey in sample.journeys:
        assert list(journey.events) == [event for event in everything if event["order.id"] == journey.correlation]
        assert journey.events[0]["event.type"] == "place.order"
        assert '"event.provider": "acme.retail"' in journey.pretty


def test_it_samples_long_journeys_whole_at_any_volume():
    spec = bench_spec(20, journeys_per_day=200_000)
    sample = preview.sample_journeys(spec, forecast(spec), now=NOW)
    assert sample.complete and len(sample.journeys) == 3
    longest = max(len(journey.events) for journey in sample.journeys)
    assert longest >= 10  # twenty steps: whole journeys, not the first minutes of them


def test_it_samples_nothing_from_a_journey_that_never_starts():
    spec = bench_spec(3, journeys_per_day=0)
    assert preview.sample_journeys(spec, forecast(spec), now=NOW).journeys == ()


def test_it_headlines_the_kpis():
    fc = forecast(RETAIL)
    kpis = {kpi.key: kpi for kpi in preview.kpis(RETAIL, fc)}
    assert kpis["completion"].value == fmt.pct(fc.completion_share)
    assert kpis["duration"].value == fmt.hours(fc.mean_flow_duration_hours)
    assert kpis["revenue"].label == "Revenue/day" and kpis["revenue"].value == fmt.money(fc.revenue_per_day)
    assert kpis["events"].value == fmt.count(fc.events_per_day)
