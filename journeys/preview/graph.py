"""The preview page's pictures, built on the server: the expected Business Flow as an SVG graph and
the expected events per hour of day as an SVG bar chart.

Every number comes from :func:`journeys.engine.forecast.forecast` (the sample from the generator
itself). The graph reads like Dynatrace's Business Flow app: one node per step, left to right,
wrapping onto a new row after a few nodes so that a 20-step journey stays readable. A step with
variants is a taller node (a stage) holding its variants one under the other, side by side as
parallel ways through the step, each with its journeys per day and share; a variant that ends the
journey is drawn as an end box. A row is as tall as its tallest node.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

from .. import formatting as fmt
from ..engine.forecast import Forecast, StepForecast, SurgeForecast, VariantForecast
from ..engine.spec import JourneySpec, Step

NODE_W, NODE_H = 150, 118
GAP = 66  # between two nodes of a row: the edge and its drop-off label
MARGIN = 64  # left and right of each row: where the edge that wraps to the next row runs
TOP = 50  # above a node: its loop edge
BOTTOM = 74  # below a node: its error badge, its bypass edge and the edge to the next row
ROW_H = TOP + NODE_H + BOTTOM
MAX_WIDTH = 1360  # six nodes a row; the page scales the picture down on narrower screens
MAX_PER_ROW = (MAX_WIDTH - 2 * MARGIN + GAP) // (NODE_W + GAP)
BYPASS_LANDING = 12  # where a bypass that wraps lands on the next row's first node, from its left
TAG_W = 62  # the "optional" or "decision" tag on a node's top edge
PAD = 10  # inside a node, left and right of its text
NAME_LINES, TYPE_LINES = 2, 2  # at most; longer text is shortened and the node's <title> holds it whole
VARIANT_H, VARIANT_GAP, VARIANT_INSET = 90, 6, 6  # a variant's box inside its stage, and the space around it
STAGE_HEAD, STAGE_LINE = 28, 14  # the stage's number and name (one line; a second one adds STAGE_LINE)

# Font sizes in px (static/css/app.css draws them; nothing below 11 px, so the graph stays readable
# when a narrow screen shows it at its own size) and an upper estimate of a character's width in em:
# system sans-serif averages about 0.55 em (bold 0.6), a monospace font is 0.6 em exactly.
FONTS = {
    "node-name": (13, 0.62),
    "node-number-text": (11, 0.62),
    "node-type": (11, 0.6),
    "node-share": (11, 0.56),
    "node-count": (21, 0.62),
    "node-unit": (11, 0.56),
    "drop-pct": (11, 0.6),
    "drop-count": (11, 0.56),
    "bypass-label": (11, 0.58),
    "loop-label": (11, 0.58),
    "error-label": (11, 0.6),
    "node-tag-text": (11, 0.58),
    "stage-name": (12, 0.62),
    "variant-name": (12, 0.62),
    "variant-count": (15, 0.62),
    "variant-flag": (11, 0.58),
}


def text_width(text: str, css: str) -> float:
    """An upper estimate of ``text``'s width in px when drawn with the class ``css``."""
    size, em = FONTS[css]
    return len(text) * size * em


def _fits(text: str, css: str, room: float) -> int:
    """How many leading characters of ``text`` fit in ``room`` px."""
    size, em = FONTS[css]
    return max(1, int(room // (size * em)))


@dataclass(frozen=True)
class Box:
    row: int
    col: int
    x: float
    y: float
    h: float = NODE_H
    row_bottom: float = 0.0  # the bottom of the row's tallest node: edges to the next row run under it

    @property
    def cy(self) -> float:
        """Where edges meet the node: the same height on every node of a row, whatever its height."""
        return self.y + NODE_H / 2

    @property
    def right(self) -> float:
        return self.x + NODE_W

    @property
    def bottom(self) -> float:
        return self.y + self.h


def stage_name(name: str) -> list[str]:
    """A stage's name on at most two lines, the first beside its number circle."""
    room = NODE_W - 2 * PAD
    return wrap(name, [_fits(name, "stage-name", room - 20), _fits(name, "stage-name", room)])


def stage_head(step: Step) -> float:
    """The height of a stage's head: its number and name, above its variants."""
    return STAGE_HEAD + STAGE_LINE * (len(stage_name(step.name)) - 1)


def node_height(step: Step) -> float:
    """A plain step's node, or a stage tall enough for its variants one under the other."""
    count = len(step.variants)
    body = count * VARIANT_H + (count - 1) * VARIANT_GAP + VARIANT_INSET
    return stage_head(step) + body if count else NODE_H


def layout(count: int, heights: list[float] | None = None) -> tuple[list[Box], float, float]:
    """Boxes for ``count`` nodes (of ``heights``, NODE_H by default) in balanced rows; the picture's width
    and height."""
    heights = list(heights or []) + [NODE_H] * (count - len(heights or []))
    rows = max(1, math.ceil(count / MAX_PER_ROW))
    per_row = math.ceil(count / rows)
    boxes, top = [], 0.0
    for row in range(rows):
        tallest = max(heights[row * per_row : (row + 1) * per_row], default=NODE_H)
        for i in range(row * per_row, min(count, (row + 1) * per_row)):
            x = MARGIN + (i % per_row) * (NODE_W + GAP)
            boxes.append(Box(row, i % per_row, x, top + TOP, heights[i], top + TOP + tallest))
        top += TOP + tallest + BOTTOM
    width = 2 * MARGIN + per_row * NODE_W + (per_row - 1) * GAP
    # The last row needs room for a bypass label below its nodes, not for an edge to a next row.
    return boxes, width, top - BOTTOM + 54


def _text(x: float, y: float, content: str, css: str, anchor: str = "start", title: str = "") -> str:
    text = f'<text x="{x:.1f}" y="{y:.1f}" class="{css}" text-anchor="{anchor}">{escape(content)}</text>'
    # The tooltip sits beside the text, not in it, so that the text reads the same to everyone.
    return f"<g><title>{escape(title)}</title>{text}</g>" if title else text


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def wrap(text: str, widths: list[int], breaks: str = " ") -> list[str]:
    """``text`` on as many lines as ``widths`` gives (each line's width in characters), broken after one
    of ``breaks`` where that fits and anywhere in a long unbroken word; the last line is shortened
    with "…" when the text does not fit."""
    lines: list[str] = []
    rest = text.strip()
    for number, width in enumerate(widths):
        if len(rest) <= width:
            return [*lines, rest] if rest else lines
        if number == len(widths) - 1:
            return [*lines, _clip(rest, width)]
        cut = max(rest.rfind(mark, 0, width + (mark == " ")) for mark in breaks)
        cut = cut + 1 if cut > 0 else width  # keep a dot or dash at the end of its line; a space goes
        lines.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return lines


@dataclass(frozen=True)
class NodeText:
    """What a step's node says, line by line, fitted to the node: the layout's one word on text."""

    name: tuple[str, ...]
    event_type: tuple[str, ...]

    @classmethod
    def fit(cls, name: str, event_type: str) -> NodeText:
        room = NODE_W - 2 * PAD
        name_widths = [_fits(name, "node-name", room - 20), _fits(name, "node-name", room)]  # the number circle
        type_widths = [_fits(event_type, "node-type", room)] * TYPE_LINES
        return cls(tuple(wrap(name, name_widths[:NAME_LINES])), tuple(wrap(event_type, type_widths, " ._-:/")))

    @property
    def shortened(self) -> bool:
        return any(line.endswith("…") for line in self.name + self.event_type)


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


def _count_text(x: float, y: float, per_day: float, css: str = "node-count") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" class="{css}">{escape(fmt.count(per_day))}'
        '<tspan class="node-unit"> /day</tspan></text>'
    )


def _edge(a: Box, b: Box) -> str:
    if a.row == b.row:
        return f'<path class="edge" d="M{a.right:.1f},{a.cy:.1f} H{b.x - 2:.1f}" marker-end="url(#arrow)"/>'
    # Wrap: out to the right margin, along under the row, back to the left margin, into the next row.
    under = a.row_bottom + BOTTOM - 12
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


def _bypass_path(box: Box, after: Box) -> str:
    """From the edge into the optional step, under it, to the step after it (``after``): into its left
    side when it is on the same row, down onto its top when it starts the next row."""
    by = box.bottom + 32
    x1 = box.x - 18
    start = f"M{x1:.1f},{box.cy:.1f} C{x1 + 8:.1f},{by:.1f} {x1 + 8:.1f},{by:.1f} {box.x + 16:.1f},{by:.1f} "
    if after.row == box.row:
        ny = after.cy + 26
        curve = f"C{after.x - 12:.1f},{by:.1f} {after.x - 18:.1f},{ny:.1f} {after.x - 2:.1f},{ny:.1f}"
        return start + f"H{box.right + 8:.1f} {curve}"
    lane = after.y - 46  # between the edge that wraps and the next row's loops and their labels
    down = box.right + 12  # in the margin, clear of the label under the node
    land = after.x + BYPASS_LANDING  # left of the next node's loop and its label
    return (
        start
        + f"H{down - 12:.1f} Q{down:.1f},{by:.1f} {down:.1f},{by + 12:.1f} V{lane - 12:.1f} "
        + f"Q{down:.1f},{lane:.1f} {down - 12:.1f},{lane:.1f} H{land + 10:.1f} "
        + f"Q{land:.1f},{lane:.1f} {land:.1f},{lane + 10:.1f} V{after.y - 2:.1f}"
    )


def _bypass(box: Box, after: Box, step: StepForecast, volume: float) -> str:
    skip_share = 1 - step.share_taking
    skipping = step.share_reaching * skip_share * volume
    by = box.bottom + 32
    label = f"skip {fmt.pct(skip_share)} · {fmt.count(skipping)}/day"
    return (
        f'<g class="bypass" data-step="{step.index}" data-skip-share="{skip_share!r}" '
        f'data-skipping-per-day="{skipping!r}">'
        f'<path d="{_bypass_path(box, after)}" marker-end="url(#arrow-bypass)"/>'
        + _text(box.x + NODE_W / 2, by + 15, label, "bypass-label", "middle", f"Journeys that skip '{step.name}'")
        + "</g>"
    )


def _loop(box: Box, step: StepForecast, max_loops: int) -> str:
    # Over the left of the node's top, between where a bypass lands and the optional or decision tag;
    # the label above it ends at the node's right.
    x1, x2 = box.x + NODE_W * 0.44, box.x + NODE_W * 0.18
    path = (
        f"M{x1:.1f},{box.y:.1f} C{x1 + 6:.1f},{box.y - 30:.1f} {x2 - 6:.1f},{box.y - 30:.1f} {x2:.1f},{box.y - 2:.1f}"
    )
    label = f"↻ ×{step.mean_repetitions:.1f} avg · max {max_loops}"
    title = f"'{step.name}' repeats 1 to {max_loops} times: {step.mean_repetitions:.2f} events on average"
    return (
        f'<g class="loop" data-step="{step.index}" data-repetitions="{step.mean_repetitions!r}">'
        f'<path d="{path}" marker-end="url(#arrow-loop)"/>'
        + _text(box.right - 4, box.y - 30, label, "loop-label", "end", title)
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
    width = 16 + text_width(label, "error-label")
    x = box.x + (NODE_W - width) / 2
    return (
        f'<g class="error-badge" data-step="{index}" data-errors-per-day="{per_day!r}">'
        f"<title>{escape(chr(10).join(lines))}</title>"
        f'<rect x="{x:.1f}" y="{box.bottom + 2:.1f}" width="{width:.1f}" height="19" rx="9.5"/>'
        + _text(box.x + NODE_W / 2, box.bottom + 15.5, label, "error-label", "middle")
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
    # What kind of step it is sits on the node's top edge, so the event type keeps its room.
    tag = "optional" if source.is_optional else ("decision" if source.is_decision else "")
    text = NodeText.fit(step.name, step.event_type)
    type_top = box.y + 21 + 15 * len(text.name)
    return (
        f'<g class="flow-node" data-step="{step.index}" data-journeys-per-day="{per_day!r}" '
        f'data-share="{step.share_with_event!r}"><title>{escape(title)}</title>'
        f'<rect class="{css}" x="{box.x:.1f}" y="{box.y:.1f}" width="{NODE_W}" height="{NODE_H}" rx="8"/>'
        f'<circle class="node-number" cx="{box.x + 15:.1f}" cy="{box.y + 16:.1f}" r="9"/>'
        + _text(box.x + 15, box.y + 20, str(step.index + 1), "node-number-text", "middle")
        + "".join(
            _text(box.x + (PAD + 20 if n == 0 else PAD), box.y + 21 + 15 * n, line, "node-name")
            for n, line in enumerate(text.name)
        )
        + "".join(
            _text(box.x + PAD, type_top + 2 + 13 * n, line, "node-type") for n, line in enumerate(text.event_type)
        )
        + _count_text(box.x + PAD, box.bottom - 25, per_day)
        + _text(box.x + PAD, box.bottom - 9, f"{fmt.pct(step.share_with_event)} of starts", "node-share")
        + (_tag(box, tag) if tag else "")
        + "</g>"
    )


def _variant_flags(variant: VariantForecast, spec_variant) -> str:
    """The variant's last line: whether it ends the journey, loops, fails, decides."""
    if variant.ends_journey:
        return "■ ends the journey"
    flags = []
    if spec_variant.max_loops > 1:
        flags.append(f"↻ ×{variant.mean_repetitions:.1f}")
    if variant.errors_per_day > 0:
        flags.append(f"⚠ {fmt.count(variant.errors_per_day)}/day")
    if spec_variant.is_decision:
        flags.append("decision")
    return " · ".join(flags)


def _variant_node(x: float, y: float, step: StepForecast, variant: VariantForecast, spec_step: Step, volume: float):
    source = spec_step.variants[variant.index]
    width = NODE_W - 2 * VARIANT_INSET
    room = width - 2 * PAD
    css = "flow-variant flow-end-state" if variant.ends_journey else "flow-variant"
    lines = [
        f"{step.name} · {variant.name} ({variant.event_type})",
        f"{fmt.count(variant.journeys_per_day)} journeys/day take it: {fmt.pct(variant.share_of_step)} of those "
        f"performing the step, {fmt.pct(variant.share_taking)} of starts",
    ]
    if variant.errors_per_day > 0:
        lines.append(f"{fmt.count(variant.errors_per_day)} errors/day")
    if variant.ends_journey:
        lines.append(f"Ends the journey: {fmt.count(variant.share_ending * volume)} journeys/day end here")
    flags = _variant_flags(variant, source)
    flag_css = "variant-flag failing" if variant.errors_per_day > 0 and not variant.ends_journey else "variant-flag"
    return (
        f'<g class="{css}" data-step="{step.index}" data-variant="{variant.index}" '
        f'data-journeys-per-day="{variant.journeys_per_day!r}" data-share="{variant.share_of_step!r}">'
        f"<title>{escape(chr(10).join(lines))}</title>"
        f'<rect class="node variant{" end-state" if variant.ends_journey else ""}" x="{x:.1f}" y="{y:.1f}" '
        f'width="{width}" height="{VARIANT_H}" rx="6"/>'
        + _text(x + PAD, y + 17, _clip(variant.name, _fits(variant.name, "variant-name", room)), "variant-name")
        + _text(x + PAD, y + 32, _clip(variant.event_type, _fits(variant.event_type, "node-type", room)), "node-type")
        + _count_text(x + PAD, y + 53, variant.journeys_per_day, "variant-count")
        + _text(x + PAD, y + 68, f"{fmt.pct(variant.share_of_step)} of the step", "node-share")
        + (_text(x + PAD, y + 83, _clip(flags, _fits(flags, "variant-flag", room)), flag_css) if flags else "")
        + "</g>"
    )


def _stage(box: Box, spec: JourneySpec, step: StepForecast, volume: float) -> str:
    """A step with variants: its number and name over its variants, one under the other."""
    source = spec.steps[step.index]
    per_day = step.share_with_event * volume
    css = "node stage optional" if source.is_optional else "node stage"
    title = (
        f"{step.name}: {len(source.variants)} variants\n{fmt.count(step.journeys_per_day)} journeys/day reach it, "
        f"{fmt.count(per_day)} take it ({fmt.pct(step.share_with_event)} of starts)"
    )
    parts = [
        f'<g class="flow-stage" data-step="{step.index}" data-journeys-per-day="{per_day!r}" '
        f'data-share="{step.share_with_event!r}"><title>{escape(title)}</title>',
        f'<rect class="{css}" x="{box.x:.1f}" y="{box.y:.1f}" width="{NODE_W}" height="{box.h:.1f}" rx="8"/>',
        f'<circle class="node-number" cx="{box.x + 15:.1f}" cy="{box.y + 15:.1f}" r="9"/>',
        _text(box.x + 15, box.y + 19, str(step.index + 1), "node-number-text", "middle"),
        *(
            _text(box.x + (PAD + 20 if n == 0 else PAD), box.y + 19 + STAGE_LINE * n, line, "stage-name")
            for n, line in enumerate(stage_name(step.name))
        ),
        "</g>",
    ]
    for variant in step.variants:
        y = box.y + stage_head(source) + variant.index * (VARIANT_H + VARIANT_GAP)
        parts.append(_variant_node(box.x + VARIANT_INSET, y, step, variant, source, volume))
    if source.is_optional:
        parts.append(_tag(box, "optional"))
    return "".join(parts)


def _tag(box: Box, tag: str) -> str:
    width = TAG_W
    return (
        f'<g class="node-tag {tag}"><rect x="{box.right - width - 6:.1f}" y="{box.y - 8:.1f}" '
        f'width="{width}" height="16" rx="8"/>'
        + _text(box.right - width / 2 - 6, box.y + 4, tag, "node-tag-text", "middle")
        + "</g>"
    )


def _end_node(box: Box, fc: Forecast) -> str:
    return (
        f'<g class="flow-end" data-completed-per-day="{fc.completed_per_day!r}" data-share="{fc.completion_share!r}">'
        f'<rect class="node end" x="{box.x:.1f}" y="{box.y:.1f}" width="{NODE_W}" height="{NODE_H}" rx="8"/>'
        + _text(box.x + 12, box.y + 22, "✓ Completed", "node-name end")
        + _count_text(box.x + 12, box.bottom - 25, fc.completed_per_day)
        + _text(box.x + 12, box.bottom - 9, f"{fmt.pct(fc.completion_share)} of starts", "node-share")
        + "</g>"
    )


def flow_svg(spec: JourneySpec, fc: Forecast) -> str:
    """The expected Business Flow: nodes, edges, drop-offs, bypasses, loops and error badges."""
    volume = fc.journeys_per_day
    boxes, width, height = layout(len(fc.steps) + 1, [node_height(step) for step in spec.steps])
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
            parts.append(_bypass(box, boxes[step.index + 1], step, volume))
        if source.variants:  # loops and errors are each variant's, inside its box
            parts.append(_stage(box, spec, step, volume))
            continue
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


def _surge_bands(surges, left: float, top: float, slot: float, plot_h: float) -> list[str]:
    """A shaded band behind the hours of each daily surge (wrapping past midnight), its multiplier atop."""
    parts = []
    for surge in surges:
        if surge.daily_start_hour is None:
            continue
        start, end = surge.daily_start_hour, surge.daily_end_hour
        spans = [(start, end)] if start < end else [(start, 24.0), (0.0, end)]
        title = f"Surge: starts ×{surge.multiplier:g} every day {start:g}h–{end:g}h"
        parts.append(f'<g class="surge" data-multiplier="{surge.multiplier!r}"><title>{escape(title)}</title>')
        for a, b in spans:
            if b <= a:
                continue
            x, w = left + a * slot, (b - a) * slot
            parts.append(f'<rect class="surge-band" x="{x:.1f}" y="{top:.1f}" width="{w:.1f}" height="{plot_h:.1f}"/>')
        label_x = left + (spans[0][0] + (spans[0][1] - spans[0][0]) / 2) * slot
        parts.append(_text(label_x, top + 11, f"×{surge.multiplier:g}", "surge-label", "middle"))
        parts.append("</g>")
    return parts


def hours_svg(per_hour: tuple[float, ...], *, timezone: str, surges: tuple[SurgeForecast, ...] = ()) -> str:
    """Expected events in each local hour of the day, as bars with a light grid; daily surges shaded."""
    width, height, left, right, top, bottom = 560, 220, 52, 8, 12, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max(per_hour) or 1.0
    slot = plot_w / len(per_hour)
    parts = _surge_bands(surges, left, top, slot, plot_h)
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
