"""The flow graph's layout: long names and event types fit their nodes or are shortened with the whole text
in a tooltip, no text overlaps another or is crossed by a line, and a bypass rejoins at the next node."""

import re
import xml.etree.ElementTree as ET

import pytest

from journeys import preview
from journeys.engine.forecast import forecast
from journeys.engine.spec import ErrorRule, JourneySpec, Step
from journeys.preview import graph

SVG = "{http://www.w3.org/2000/svg}"
LONG_NAME = "Merchantcontactedbycustomerservicerepresentativeaboutthedispute"
LONG_TYPE = "merchant.contacted.by.customer.service.representative.about.the.dispute"
UNBROKEN_TYPE = "customerdisputeopenedviamobileapplicationchargebackrequest"


def long_spec() -> JourneySpec:
    """Eight steps (two rows): optional steps mid-row, at the end of a row and last; loops; errors."""
    steps = [
        Step("Dispute opened", "dispute.opened"),
        Step(LONG_NAME, LONG_TYPE, drop_off_pct=3, max_loops=3),
        Step("Merchant contacted", "merchant.contacted", drop_off_pct=1, optional_pct=40),
        Step("Evidence uploaded by the cardholder", UNBROKEN_TYPE, drop_off_pct=12.5, max_loops=2),
        Step("Supervisor review of escalated dispute", "supervisor.review.escalated", optional_pct=25),
        Step("Chargeback", "chargeback", drop_off_pct=2, max_loops=4),
        Step("Refund issued to the customer account", "refund_issued_to_customer_account", drop_off_pct=1),
        Step("Satisfaction survey answered", "survey.answered", optional_pct=70),
    ]
    errors = (ErrorRule("timeout", 2, 10.0), ErrorRule("rejected", 4, 5.0))
    return JourneySpec("Disputes", "acme.disputes", "dispute.id", tuple(steps), journeys_per_day=12_345, errors=errors)


@pytest.fixture(scope="module")
def drawn():
    spec = long_spec()
    svg = preview.flow_svg(spec, forecast(spec))
    return spec, ET.fromstring(svg)


def groups(root, css: str):
    return [g for g in root.iter(f"{SVG}g") if (g.get("class") or "").split()[:1] == [css]]


def rect_of(element) -> tuple[float, float, float, float]:
    rect = next(r for r in element.iter(f"{SVG}rect") if "node" in (r.get("class") or ""))
    x, y = float(rect.get("x")), float(rect.get("y"))
    return x, y, x + float(rect.get("width")), y + float(rect.get("height"))


def text_box(text) -> tuple[float, float, float, float]:
    """The text's estimated box (left, top, right, bottom), as the graph estimates widths."""
    css = text.get("class").split()[0]
    size, _ = graph.FONTS[css]
    own = (text.text or "").strip()
    width = graph.text_width(own, css) + sum(graph.text_width(t.text or "", t.get("class")) for t in text)
    x, y = float(text.get("x")), float(text.get("y"))
    anchor = text.get("text-anchor")
    left = x - width / 2 if anchor == "middle" else x - width if anchor == "end" else x
    return left, y - 0.8 * size, left + width, y + 0.25 * size


def overlaps(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def path_points(d: str, samples: int = 24) -> list[tuple[float, float]]:
    """Points along an SVG path of absolute M, H, V, L, C and Q commands (curves sampled)."""
    points: list[tuple[float, float]] = []
    x = y = 0.0
    for command, args in re.findall(r"([MHVLCQ])([^MHVLCQ]*)", d):
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", args)]
        if command in "ML":
            x, y = numbers
            points.append((x, y))
        elif command == "H":
            x = numbers[0]
            points.append((x, y))
        elif command == "V":
            y = numbers[0]
            points.append((x, y))
        else:
            controls = [(x, y)] + list(zip(numbers[::2], numbers[1::2], strict=True))
            for step in range(1, samples + 1):
                t = step / samples
                level = controls
                while len(level) > 1:  # de Casteljau
                    level = [
                        (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)
                        for a, b in zip(level, level[1:], strict=False)
                    ]
                points.append(level[0])
            x, y = controls[-1]
    return points


def segments_cross(points, box) -> bool:
    """Whether the polyline through ``points`` passes through ``box`` (checked at 1 px steps)."""
    for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
        steps = max(1, int(max(abs(x2 - x1), abs(y2 - y1))))
        for i in range(steps + 1):
            px, py = x1 + (x2 - x1) * i / steps, y1 + (y2 - y1) * i / steps
            if box[0] < px < box[2] and box[1] < py < box[3]:
                return True
    return False


def test_it_fits_every_line_of_a_node_inside_the_node(drawn):
    _, root = drawn
    for node in groups(root, "flow-node") + groups(root, "flow-end"):
        left, top, right, bottom = rect_of(node)
        for text in node.iter(f"{SVG}text"):
            if text.get("class") == "node-tag-text":
                continue  # the tag sits on the top edge: checked below
            box = text_box(text)
            assert left < box[0] and box[2] <= right - 4, f"{''.join(text.itertext())!r} overflows its node"
            assert top < box[1] and box[3] < bottom, f"{''.join(text.itertext())!r} leaves its node"
        for tag in groups(node, "node-tag"):
            box = text_box(next(tag.iter(f"{SVG}text")))
            assert left < box[0] and box[2] < right


def test_it_wraps_or_shortens_long_text_and_keeps_the_whole_of_it_in_the_tooltip(drawn):
    spec, root = drawn
    for node, step in zip(groups(root, "flow-node"), spec.steps, strict=True):
        title = node.find(f"{SVG}title").text
        assert step.name in title and step.event_type in title
        names = [t.text for t in node.iter(f"{SVG}text") if t.get("class") == "node-name"]
        types = [t.text for t in node.iter(f"{SVG}text") if t.get("class") == "node-type"]
        assert 1 <= len(names) <= graph.NAME_LINES and 1 <= len(types) <= graph.TYPE_LINES
        shown_name, shown_type = "".join(names), "".join(types)
        if "…" in shown_name:
            assert step.name.replace(" ", "").startswith(shown_name.rstrip("…").replace(" ", ""))
        else:
            assert shown_name.replace(" ", "") == step.name.replace(" ", "")
        if "…" not in shown_type:
            assert shown_type == step.event_type  # wrapped, nothing lost
    by_step = {int(n.get("data-step")): n for n in groups(root, "flow-node")}
    long_types = [t.text for t in by_step[1].iter(f"{SVG}text") if t.get("class") == "node-type"]
    assert long_types[0].endswith(".") and long_types[-1].endswith("…")  # broken after a dot, then shortened
    # An optional step's event type is whole: the tag is on the node's edge, not on the type's line.
    optional_types = [t.text for t in by_step[2].iter(f"{SVG}text") if t.get("class") == "node-type"]
    assert optional_types == ["merchant.contacted"]
    assert [t.text for t in by_step[2].iter(f"{SVG}text") if t.get("class") == "node-tag-text"] == ["optional"]


def test_no_text_overlaps_another_or_is_crossed_by_a_line(drawn):
    spec, root = drawn
    texts = [t for t in root.iter(f"{SVG}text")]
    boxes = [(("".join(t.itertext())), text_box(t)) for t in texts]
    for i, (label_a, a) in enumerate(boxes):
        for label_b, b in boxes[i + 1 :]:
            assert not overlaps(a, b), f"{label_a!r} overlaps {label_b!r}"
    lines = [p for p in root.iter(f"{SVG}path") if p.get("class") == "edge" or p.get("marker-end")]
    assert len(lines) > len(spec.steps)  # the edges between the nodes at least
    for path in lines:
        points = path_points(path.get("d"))
        for label, box in boxes:
            assert not segments_cross(points, box), f"a line crosses {label!r}"


def test_each_bypass_ends_on_the_next_nodes_box(drawn):
    spec, root = drawn
    nodes = {int(n.get("data-step")): rect_of(n) for n in groups(root, "flow-node")}
    nodes[len(spec.steps)] = rect_of(groups(root, "flow-end")[0])
    bypasses = groups(root, "bypass")
    assert sorted(int(b.get("data-step")) for b in bypasses) == [2, 4, 7]
    rows = {round(box[1]) for box in nodes.values()}
    assert len(rows) == 2  # step 5 (index 4) ends the first row: its bypass rejoins on the next row
    for bypass in bypasses:
        index = int(bypass.get("data-step"))
        end_x, end_y = path_points(bypass.find(f"{SVG}path").get("d"))[-1]
        left, top, right, bottom = nodes[index + 1]
        on_left_side = abs(end_x - left) <= 3 and top < end_y < bottom
        on_top = abs(end_y - top) <= 3 and left < end_x < right
        assert on_left_side or on_top, (
            f"the bypass of step {index + 1} ends at ({end_x}, {end_y}), not on the next node"
        )
        assert bypass.find(f"{SVG}path").get("marker-end") == "url(#arrow-bypass)"


def test_its_text_is_never_smaller_than_eleven_pixels():
    assert min(size for size, _ in graph.FONTS.values()) >= 11
    css = open(graph.__file__.replace("journeys/preview/graph.py", "static/css/app.css")).read()
    sizes = [float(px) for px in re.findall(r"svg\.flow[^{]*\{[^}]*font-size: ([\d.]+)px", css)]
    assert sizes and min(sizes) >= 11


@pytest.mark.parametrize("steps", [3, 7, 12, 20])
def test_no_text_overlaps_in_journeys_of_any_length(steps):
    from journeys.benchmarks.preview import bench_spec

    spec = bench_spec(steps)
    test_no_text_overlaps_another_or_is_crossed_by_a_line((spec, ET.fromstring(preview.flow_svg(spec, forecast(spec)))))
