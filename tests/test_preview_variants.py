"""The preview of a journey that branches: variants drawn side by side at their step with their journeys
per day and share, end states as end boxes, the table of how journeys end, and surges on the hourly chart."""

import xml.etree.ElementTree as ET

import pytest

from journeys import preview
from journeys.engine.forecast import forecast
from journeys.engine.spec import ErrorRule, JourneySpec, Step, Surge, Variant

from . import test_flow_graph_layout as layout_checks
from .test_flow_graph_layout import SVG, groups, rect_of, text_box


def branching_spec(**changes) -> JourneySpec:
    fields = dict(
        name="Claims",
        event_provider="acme.claims",
        correlation_field="claim.id",
        steps=(
            Step(
                "Claim filed", "", variants=(Variant("Online", "claim.online", 3), Variant("Phone", "claim.phone", 1))
            ),
            Step("Assessed", "claim.assessed", drop_off_pct=4, min_delay_hours=1, max_delay_hours=5, max_loops=2),
            Step(
                "Outcome of the claim after its assessment",
                "",
                drop_off_pct=1,
                optional_pct=95,
                variants=(
                    Variant("Settled automatically", "claim.settled.auto", 60, 0.1, 2, "lognormal", max_loops=2),
                    Variant("Reviewed by hand by a senior adjuster", "claim.reviewed.manually.by.senior", 30, 4, 48),
                    Variant("Rejected", "claim.rejected", 10, 0.5, 3, ends_journey=True),
                ),
            ),
            Step("Paid", "claim.paid", min_delay_hours=2, max_delay_hours=24),
        ),
        errors=(ErrorRule("fraud.flag", 2, 3.0, 1), ErrorRule("bank.error", 3, 2.0)),
        surges=(Surge(3, daily_start_hour=22, daily_end_hour=2),),
        journeys_per_day=5000,
    )
    return JourneySpec(**{**fields, **changes})


@pytest.fixture(scope="module")
def drawn():
    spec = branching_spec()
    fc = forecast(spec)
    return spec, fc, ET.fromstring(preview.flow_svg(spec, fc))


def test_it_draws_each_variant_in_its_step_s_place_with_its_journeys_and_share(drawn):
    spec, fc, root = drawn
    stages = {int(g.get("data-step")): g for g in groups(root, "flow-stage")}
    assert sorted(stages) == [0, 2]
    variants = groups(root, "flow-variant")
    assert [(int(v.get("data-step")), int(v.get("data-variant"))) for v in variants] == [
        (0, 0),
        (0, 1),
        (2, 0),
        (2, 1),
        (2, 2),
    ]
    for element in variants:
        step, number = int(element.get("data-step")), int(element.get("data-variant"))
        expected = fc.steps[step].variants[number]
        assert float(element.get("data-journeys-per-day")) == pytest.approx(expected.journeys_per_day)
        assert float(element.get("data-share")) == pytest.approx(expected.share_of_step)
        stage = rect_of(stages[step])
        box = rect_of(element)
        assert stage[0] < box[0] and box[2] < stage[2] and stage[1] < box[1] and box[3] < stage[3]
    outcome = [rect_of(v) for v in variants if v.get("data-step") == "2"]
    assert len({box[0] for box in outcome}) == 1  # one column: the step's place
    for upper, lower in zip(outcome, outcome[1:], strict=False):
        assert upper[3] < lower[1]  # side by side, never on top of one another
    assert float(variants[2].get("data-share")) == pytest.approx(0.6)


def test_it_draws_an_end_state_as_an_end_box_saying_so(drawn):
    _, fc, root = drawn
    ends = groups(root, "flow-variant")
    end_states = [v for v in ends if "flow-end-state" in v.get("class")]
    assert [v.get("data-variant") for v in end_states] == ["2"]
    rect = next(r for r in end_states[0].iter(f"{SVG}rect"))
    assert "end-state" in rect.get("class")
    assert "■ ends the journey" in "".join(end_states[0].itertext())
    assert "end here" in end_states[0].find(f"{SVG}title").text


def test_it_keeps_every_variant_s_text_inside_its_box_with_the_whole_text_in_its_title(drawn):
    spec, _, root = drawn
    for element in groups(root, "flow-variant"):
        left, top, right, bottom = rect_of(element)
        variant = spec.steps[int(element.get("data-step"))].variants[int(element.get("data-variant"))]
        assert (
            variant.name in element.find(f"{SVG}title").text and variant.event_type in element.find(f"{SVG}title").text
        )
        for text in element.iter(f"{SVG}text"):
            box = text_box(text)
            assert left < box[0] and box[2] <= right - 4, f"{''.join(text.itertext())!r} overflows its box"
            assert top < box[1] and box[3] < bottom, f"{''.join(text.itertext())!r} leaves its box"
    shown = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "variant-name"]
    assert "Reviewed by hand by a senior adjuster" not in shown and any(s.endswith("…") for s in shown)


def test_no_text_overlaps_or_is_crossed_by_a_line_with_variants(drawn):
    spec, _, root = drawn
    layout_checks.test_no_text_overlaps_another_or_is_crossed_by_a_line((spec, root))


def test_no_text_overlaps_when_a_row_of_stages_wraps():
    ways = tuple(Variant(f"Way {n}", f"way{n}", 1, 0.1, 1) for n in range(5))
    steps = [Step("Start", "start")] + [
        Step(f"Stage {i}", "", variants=tuple(Variant(w.name, f"{w.event_type}.s{i}", 1, 0.1, 1) for w in ways))
        if i % 3 == 0
        else Step(
            f"Step {i}", f"step{i}", min_delay_hours=0.1, max_delay_hours=1, optional_pct=50 if i % 4 == 0 else None
        )
        for i in range(1, 11)
    ]
    spec = branching_spec(steps=tuple(steps), errors=())
    root = ET.fromstring(preview.flow_svg(spec, forecast(spec)))
    assert len({rect_of(n)[1] for n in groups(root, "flow-node")}) >= 2  # two rows at least
    layout_checks.test_no_text_overlaps_another_or_is_crossed_by_a_line((spec, root))


def test_it_lists_every_way_a_journey_ends_with_the_forecast_s_shares():
    spec = branching_spec()
    fc = forecast(spec)
    rows = preview.endings(fc)
    assert rows[0].label == "Completed" and rows[0].share == fc.completion_share
    by_label = {row.label: row for row in rows}
    for outcome in fc.outcomes:
        row = by_label[outcome.label[:1].upper() + outcome.label[1:]]
        assert row.share == outcome.share and row.per_day == outcome.per_day
    assert sum(row.share for row in rows) == pytest.approx(1.0, abs=1e-12)
    labels = set(by_label)
    assert {"Ended at Rejected", "Dropped before Assessed", "Failed with claim.paid.bank.error"} <= labels
    assert "Failed with claim.reviewed.manually.by.senior.fraud.flag" in labels
    assert [row.share for row in rows[1:]] == sorted((row.share for row in rows[1:]), reverse=True)


def test_it_shades_daily_surges_on_the_hourly_chart():
    spec = branching_spec()
    fc = forecast(spec)
    root = ET.fromstring(preview.hours_svg(fc.events_per_hour_of_day, timezone="UTC", surges=fc.surges))
    surge = groups(root, "surge")
    assert len(surge) == 1 and float(surge[0].get("data-multiplier")) == 3
    bands = [r for r in surge[0].iter(f"{SVG}rect")]
    assert len(bands) == 2  # 22h to midnight and midnight to 2h
    bars = {int(r.get("data-hour")): r for r in root.iter(f"{SVG}rect") if r.get("class") == "bar"}
    late, early = bands
    assert float(late.get("x")) == pytest.approx(float(bars[22].get("x")) - 1.5)
    assert float(early.get("x")) + float(early.get("width")) == pytest.approx(float(bars[2].get("x")) - 1.5)
    assert "×3" in "".join(surge[0].itertext())
    assert float(bars[23].get("data-events")) > float(bars[21].get("data-events"))  # the surge is in the numbers


def test_it_wraps_a_long_stage_name_above_its_variants_with_the_whole_name_in_the_title(drawn):
    spec, _, root = drawn
    stage = next(g for g in groups(root, "flow-stage") if g.get("data-step") == "2")
    left, top, right, _ = rect_of(stage)
    lines = [t for t in stage.iter(f"{SVG}text") if t.get("class") == "stage-name"]
    assert len(lines) == 2 and lines[-1].text.endswith("…")
    assert spec.steps[2].name in stage.find(f"{SVG}title").text
    first_variant = rect_of(next(v for v in groups(root, "flow-variant") if v.get("data-step") == "2"))
    for text in lines:
        box = text_box(text)
        assert left < box[0] and box[2] <= right - 4 and top < box[1] and box[3] < first_variant[1]
