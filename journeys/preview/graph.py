"""The preview page's pictures, built on the server: the expected Business Flow as an SVG graph and
the expected events per hour of day as an SVG bar chart.

Every number comes from :func:`journeys.engine.forecast.forecast` (the sample from the generator
itself). The graph reads like Dynatrace's Business Flow app: one node per step, left to right,
wrapping onto a new row after a few nodes so that a 20-step journey stays readable.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

from .. import formatting as fmt
from ..engine.forecast import Forecast, StepForecast
from ..engine.spec import JourneySpec

NODE_W, NODE_H = 150, 104
GAP = 66  # between two nodes of a row: the edge and its drop-off label
MARGIN = 64  # left and right of each row: where the edge that wraps to the next row runs
TOP = 50  # above a node: its loop edge
BOTTOM = 74  # below a node: its error badge, its bypass edge and the edge to the next row
ROW_H = TOP + NODE_H + BOTTOM
MAX_WIDTH = 1360  # six nodes a row; the page scales the picture down on narrower screens
MAX_PER_ROW = (MAX_WIDTH - 2 * MARGIN + GAP) // (NODE_W + GAP)


@dataclass(frozen=True)
class Box:
    row: int
    col: int
    x: float
    y: float

    @property
    def cy(self) -> float:
        return self.y + NODE_H / 2

    @property
    def right(self) -> float:
        return self.x + NODE_W

    @property
    def bottom(self) -> float:
        return self.y + NODE_H


def layout(count: int) -> tuple[list[Box], float, float]:
    """Boxes for ``count`` nodes in balanced rows; the picture's width and height."""
    rows = max(1, math.ceil(count / MAX_PER_ROW))
    per_row = math.ceil(count / rows)
    boxes = [
        Box(i // per_row, i % per_row, MARGIN + (i % per_row) * (NODE_W + GAP), (i // per_row) * ROW_H + TOP)
        for i in range(count)
    ]
    width = 2 * MARGIN + per_row * NODE_W + (per_row - 1) * GAP
    # The last row needs room for a bypass label below its nodes, not for an edge to a next row.
    return boxes, width, rows * ROW_H - BOTTOM + 54


def _text(x: float, y: float, content: str, css: str, anchor: str = "start", title: str = "") -> str:
    text = f'<text x="{x:.1f}" y="{y:.1f}" class="{css}" text-anchor="{anchor}">{escape(content)}</text>'
    # The tooltip sits beside the text, not in it, so that the text reads the same to everyone.
    return f"<g><title>{escape(title)}</title>{text}</g>" if title else text


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _wrap(text: str, first: int, rest: int) -> list[str]:
    """At most two lines, broken between words where one fits; the second is cut short if need be."""
    if len(text) <= first:
        return [text]
    cut = text.rfind(" ", 0, first + 1)
    cut = cut if cut > 0 else first
    return [text[:cut].rstrip(), _clip(text[cut:].strip(), rest)]


def _marker(name: str, css: str, orient: str = "auto") -> str:
    return (
        f'<marker id="{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        f'orient="{orient}"><path d="M0,0 L10,5 L0,10 z" class="{css}"/></marker>'
    )


_DEFS = (
    "<defs>"
    + _marker("arrow", "arrowhead", "auto-start-reverse")
    + _marker("arrow-bypass", "arrowhead bypass")
    + _marker("arrow-loop", "arrowhead loop")
    + "</defs>"
)


def _count_text(x: float, y: float, per_day: float) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" class="node-count">{escape(fmt.count(per_day))}'
        '<tspan class="node-unit"> /day</tspan></text>'
    )


def _edge(a: Box, b: Box) -> str:
    if a.row == b.row:
        return f'<path class="edge" d="M{a.right:.1f},{a.cy:.1f} H{b.x - 2:.1f}" marker-end="url(#arrow)"/>'
    # Wrap: out to the right margin, along under the row, back to the left margin, into the next row.
    under = a.bottom + BOTTOM - 12
    return (
        f'<path class="edge" d="M{a.right:.1f},{a.cy:.1f} H{a.right + 24:.1f} V{under:.1f} '
        f'H{14:.1f} V{b.cy:.1f} H{b.x - 2:.1f}" marker-end="url(#arrow)"/>'
    )


def _drop_label(b: Box, step: StepForecast, volume: float) -> str:
    """Journeys that drop off at a step leave between the previous node and this one."""
    gap_left = b.x - GAP if b.col else 14
    mid = (gap_left + b.x) / 2
    dropped = step.share_dropping * volume
    reaching = step.share_reaching * step.share_taking
    of_arriving = step.share_dropping / reaching if reaching else 0.0
    title = (
        f"{fmt.count(dropped)} journeys/day ({fmt.pct(step.share_dropping)} of starts) drop off before '{step.name}'"
    )
    return (
        f'<g class="drop" data-step="{step.index}" data-dropping-per-day="{dropped!r}">'
        + _text(mid, b.cy - 22, f"▼ {fmt.pct(of_arriving)}", "drop-pct", "middle", title)
        + _text(mid, b.cy - 8, f"{fmt.count(dropped)}/day", "drop-count", "middle", title)
        + "</g>"
    )


def _bypass(box: Box, step: StepForecast, volume: float) -> str:
    skip_share = 1 - step.share_taking
    skipping = step.share_reaching * skip_share * volume
    by = box.bottom + 32
    x1, x2 = box.x - 18, box.right + 18
    path = (
        f"M{x1:.1f},{box.cy:.1f} C{x1 + 8:.1f},{by:.1f} {x1 + 8:.1f},{by:.1f} {box.x + 16:.1f},{by:.1f} "
        f"H{box.right - 16:.1f} C{x2 - 8:.1f},{by:.1f} {x2 - 8:.1f},{by:.1f} {x2:.1f},{box.cy + 6:.1f}"
    )
    label = f"skip {fmt.pct(skip_share)} · {fmt.count(skipping)}/day"
    return (
        f'<g class="bypass" data-step="{step.index}" data-skip-share="{skip_share!r}" '
        f'data-skipping-per-day="{skipping!r}">'
        f'<path d="{path}" marker-end="url(#arrow-bypass)"/>'
        + _text(box.x + NODE_W / 2, by + 15, label, "bypass-label", "middle", f"Journeys that skip '{step.name}'")
        + "</g>"
    )


def _loop(box: Box, step: StepForecast, max_loops: int) -> str:
    x1, x2 = box.x + NODE_W * 0.64, box.x + NODE_W * 0.36
    path = (
        f"M{x1:.1f},{box.y:.1f} C{x1 + 6:.1f},{box.y - 36:.1f} {x2 - 6:.1f},{box.y - 36:.1f} {x2:.1f},{box.y - 2:.1f}"
    )
    label = f"↻ ×{step.mean_repetitions:.1f} avg · max {max_loops}"
    title = f"'{step.name}' repeats 1 to {max_loops} times: {step.mean_repetitions:.2f} events on average"
    return (
        f'<g class="loop" data-step="{step.index}" data-repetitions="{step.mean_repetitions!r}">'
        f'<path d="{path}" marker-end="url(#arrow-loop)"/>'
        + _text(x1 + 10, box.y - 18, label, "loop-label", "start", title)
        + "</g>"
    )


def _error_badge(box: Box, spec: JourneySpec, fc: Forecast, index: int) -> str:
    step = fc.steps[index]
    per_day = step.errors_per_day
    lines = [
        f"{rule.name}: {fmt.count(fc.errors_per_type.get(f'{step.event_type}.{rule.name}', 0.0))}/day"
        f" ({fmt.pct(rule.pct / 100)} of those performing it)"
        for rule in spec.errors_on(index)
    ]
    label = f"⚠ {fmt.count(per_day)} errors/day"
    width = 26 + 6.4 * len(label)
    x = box.x + (NODE_W - width) / 2
    return (
        f'<g class="error-badge" data-step="{index}" data-errors-per-day="{per_day!r}">'
        f"<title>{escape(chr(10).join(lines))}</title>"
        f'<rect x="{x:.1f}" y="{box.bottom - 6:.1f}" width="{width:.1f}" height="19" rx="9.5"/>'
        + _text(box.x + NODE_W / 2, box.bottom + 7.5, label, "error-label", "middle")
        + "</g>"
    )


def _node(box: Box, spec: JourneySpec, step: StepForecast, volume: float) -> str:
    source = spec.steps[step.index]
    per_day = step.share_with_event * volume
    css = "node optional" if source.is_optional else "node"
    title = (
        f"{step.name} ({step.event_type})\n{fmt.count(step.journeys_per_day)} journeys/day reach it, "
        f"{fmt.count(per_day)} take it ({fmt.pct(step.share_with_event)} of starts)"
    )
    tag = " · optional" if source.is_optional else (" · decision" if source.is_decision else "")
    name = _wrap(step.name, 16, 20)
    return (
        f'<g class="flow-node" data-step="{step.index}" data-journeys-per-day="{per_day!r}" '
        f'data-share="{step.share_with_event!r}"><title>{escape(title)}</title>'
        f'<rect class="{css}" x="{box.x:.1f}" y="{box.y:.1f}" width="{NODE_W}" height="{NODE_H}" rx="8"/>'
        f'<circle class="node-number" cx="{box.x + 15:.1f}" cy="{box.y + 16:.1f}" r="9"/>'
        + _text(box.x + 15, box.y + 20, str(step.index + 1), "node-number-text", "middle")
        + "".join(
            _text(box.x + (30 if n == 0 else 10), box.y + 21 + 15 * n, line, "node-name") for n, line in enumerate(name)
        )
        + _text(box.x + 10, box.y + 24 + 15 * len(name), _clip(step.event_type + tag, 24), "node-type")
        + _count_text(box.x + 10, box.y + 79, per_day)
        + _text(box.x + 10, box.y + 95, f"{fmt.pct(step.share_with_event)} of starts", "node-share")
        + "</g>"
    )


def _end_node(box: Box, fc: Forecast) -> str:
    return (
        f'<g class="flow-end" data-completed-per-day="{fc.completed_per_day!r}" data-share="{fc.completion_share!r}">'
        f'<rect class="node end" x="{box.x:.1f}" y="{box.y:.1f}" width="{NODE_W}" height="{NODE_H}" rx="8"/>'
        + _text(box.x + 12, box.y + 22, "✓ Completed", "node-name end")
        + _count_text(box.x + 12, box.y + 79, fc.completed_per_day)
        + _text(box.x + 12, box.y + 95, f"{fmt.pct(fc.completion_share)} of starts", "node-share")
        + "</g>"
    )


def flow_svg(spec: JourneySpec, fc: Forecast) -> str:
    """The expected Business Flow: nodes, edges, drop-offs, bypasses, loops and error badges."""
    volume = fc.journeys_per_day
    boxes, width, height = layout(len(fc.steps) + 1)
    first = boxes[0]
    parts = [_DEFS, f'<circle class="start" cx="{first.x - 40:.1f}" cy="{first.cy:.1f}" r="6"/>']
    parts.append(
        f'<path class="edge" d="M{first.x - 34:.1f},{first.cy:.1f} H{first.x - 2:.1f}" marker-end="url(#arrow)"/>'
    )
    parts += [_edge(boxes[i - 1], boxes[i]) for i in range(1, len(boxes))]
    for step, box in zip(fc.steps, boxes, strict=False):
        source = spec.steps[step.index]
        if step.index and step.share_dropping > 0:
            parts.append(_drop_label(box, step, volume))
        if source.is_optional and step.index:
            parts.append(_bypass(box, step, volume))
        if source.max_loops > 1:
            parts.append(_loop(box, step, source.max_loops))
        parts.append(_node(box, spec, step, volume))
        if step.share_erroring > 0:
            parts.append(_error_badge(box, spec, fc, step.index))
    parts.append(_end_node(boxes[-1], fc))
    return (
        f'<svg class="flow" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" role="img" '
        f'aria-label="Expected business flow of {escape(spec.name)}">' + "".join(parts) + "</svg>"
    )


def hours_svg(per_hour: tuple[float, ...], *, timezone: str) -> str:
    """Expected events in each local hour of the day, as bars with a light grid."""
    width, height, left, right, top, bottom = 560, 220, 52, 8, 12, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max(per_hour) or 1.0
    slot = plot_w / len(per_hour)
    parts = []
    for fraction in (0.0, 0.5, 1.0):
        y = top + plot_h * (1 - fraction)
        parts.append(f'<line class="grid" x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(_text(left - 6, y + 4, fmt.count(peak * fraction), "axis", "end"))
    for hour, value in enumerate(per_hour):
        bar_h = plot_h * value / peak
        x = left + hour * slot + 1.5
        title = f"{hour:02d}:00–{hour + 1:02d}:00 {timezone}: {fmt.count(value)} events"
        parts.append(
            f'<rect class="bar" data-hour="{hour}" data-events="{value!r}" x="{x:.1f}" y="{top + plot_h - bar_h:.1f}" '
            f'width="{slot - 3:.1f}" height="{bar_h:.1f}"><title>{escape(title)}</title></rect>'
        )
        if hour % 3 == 0:
            parts.append(_text(x + (slot - 3) / 2, height - 10, f"{hour:02d}", "axis", "middle"))
    return (
        f'<svg class="hours" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="Expected events per hour of the day ({escape(timezone)})">' + "".join(parts) + "</svg>"
    )
