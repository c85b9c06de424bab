"""The journey's dashboard, in the Dashboards app's document format, built from the journey itself.

Every data tile reads ``fetch bizevents`` filtered on the journey's provider and names only the
journey's own event types and fields, and a tile exists only when the journey sends what it needs:
no revenue tile without revenue, no segment or location tile without them, no error tile without
error types. The document goes to the platform Documents API as type ``dashboard``.

Format: https://docs.dynatrace.com/docs/shortlink/document-api (tiles, layouts on a 24-column grid).
Plain Python: no Django import.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from journeys.engine.spec import JourneySpec

from . import dql
from .bizflow import error_event_types, has_revenue, kpi_event_type, node_error_types, nodes

DASHBOARD_VERSION = 15
GRID_WIDTH = 24
DEFAULT_TIMEFRAME = {"from": "now()-24h", "to": "now()"}
QUERY_SETTINGS = {
    "maxResultRecords": 1000,
    "defaultScanLimitGbytes": 500,
    "maxResultMegaBytes": 1,
    "defaultSamplingRatio": 10,
    "enableSampling": False,
}


@dataclass(frozen=True)
class _Tile:
    body: dict[str, Any]
    width: int
    height: int


class _Queries:
    """The DQL of each tile, for one journey. Literals and names go through dql.string / dql.field."""

    def __init__(self, spec: JourneySpec):
        self.spec = spec
        self.provider = dql.string(spec.event_provider)
        self.flow = dql.field(spec.correlation_field)
        self.first_types = list(spec.steps[0].event_types)
        # A flow completes on the last step's own event, or on one of its variants that is not an end state.
        self.last_types = [way.event_type for way in spec.steps[-1].ways() if not way.ends_journey]
        self.first = _is(self.first_types)
        self.last = _is(self.last_types)
        self.step_types = [node.way.event_type for node in nodes(spec)]
        self.error_types = [t for types in error_event_types(spec) for t in types]

    def fetch(self, types: list[str] | None = None) -> str:
        head = f"fetch bizevents\n| filter event.provider == {self.provider}"
        if types is None:
            return head
        if len(types) == 1:
            return f"{head} and event.type == {dql.string(types[0])}"
        return f"{head} and in(event.type, {dql.string_array(types)})"

    def flows_started(self) -> str:
        return f"{self.fetch(self.first_types)}\n| summarize started = countDistinct({self.flow})"

    def flows_completed(self) -> str:
        return f"{self.fetch(self.last_types)}\n| summarize completed = countDistinct({self.flow})"

    def conversion(self) -> str:
        # Of the flows that started in the timeframe, the share that reached the last step.
        return (
            f"{self.fetch(_unique(self.first_types + self.last_types))}\n"
            f"| summarize began = countIf({self.first}), ended = countIf({self.last}), "
            f"by: {{{self.flow}}}\n"
            "| filter began > 0\n"
            "| summarize started = count(), completed = countIf(ended > 0)\n"
            "| fieldsAdd conversion = 100.0 * completed / started\n"
            "| fields conversion"
        )

    def revenue(self) -> str:
        kpi_type = kpi_event_type(self.spec)
        # One revenue value per flow, even when the KPI step loops.
        return (
            f"{self.fetch([kpi_type])}\n| dedup {self.flow}\n"
            f"| summarize revenue = sum({dql.field(self.spec.revenue.field)})"
        )

    def errors(self) -> str:
        return f"{self.fetch(self.error_types)}\n| summarize errors = count()"

    def events_over_time(self) -> str:
        return f"{self.fetch(self.step_types)}\n| makeTimeseries events = count(), by: {{event.type}}"

    def funnel(self) -> str:
        order = ", ".join(
            f"if(event.type == {dql.string(event_type)}, {position})"
            for position, event_type in enumerate(self.step_types, start=1)
        )
        return (
            f"{self.fetch(self.step_types)}\n"
            f"| summarize flows = countDistinct({self.flow}), by: {{event.type}}\n"
            f"| fieldsAdd position = coalesce({order})\n"
            "| sort position asc\n"
            "| fields event.type, flows"
        )

    def errors_by_type(self) -> str:
        return f"{self.fetch(self.error_types)}\n| summarize errors = count(), by: {{event.type}}\n| sort errors desc"

    def by_segment(self) -> str:
        spec = self.spec
        segment = dql.field(spec.segment_field)
        carrying = [node.way.event_type for node in nodes(spec) if node.way.carries_segment]
        types = _unique([*self.first_types, *carrying, *self.last_types])
        per_flow = [
            f"segment = takeAny({segment})",
            f"began = countIf({self.first})",
            f"ended = countIf({self.last})",
        ]
        totals = ["flows = count()", "completed = countIf(ended > 0)"]
        if has_revenue(spec):
            kpi_type = kpi_event_type(spec)
            types = _unique([*types, kpi_type])
            revenue = dql.field(spec.revenue.field)
            per_flow.append(f"flow_revenue = takeAny(if(event.type == {dql.string(kpi_type)}, {revenue}))")
            totals.append("revenue = sum(flow_revenue)")
        return (
            f"{self.fetch(types)}\n"
            f"| summarize {', '.join(per_flow)}, by: {{{self.flow}}}\n"
            "| filter began > 0\n"
            f"| summarize {', '.join(totals)}, by: {{segment}}\n"
            "| fieldsAdd completion = 100.0 * completed / flows\n"
            f"| sort {'revenue' if has_revenue(spec) else 'flows'} desc"
        )

    def by_location(self) -> str:
        carrying = [node.way.event_type for node in nodes(self.spec) if node.way.carries_location]
        location = dql.field(self.spec.location_field)
        return (
            f"{self.fetch(carrying)}\n"
            f"| summarize flows = countDistinct({self.flow}), by: {{{location}}}\n"
            "| sort flows desc"
        )

    def flow_duration(self) -> str:
        # Completed flows that also started in the timeframe: in-flight ones would shorten the average.
        return (
            f"{self.fetch(self.step_types)}\n"
            f"| summarize began = countIf({self.first}), ended = countIf({self.last}), "
            f"first_seen = min(timestamp), last_seen = max(timestamp), by: {{{self.flow}}}\n"
            "| filter began > 0 and ended > 0\n"
            "| fieldsAdd duration = last_seen - first_seen\n"
            "| summarize average_duration = avg(duration)"
        )

    def by_variant(self, step_index: int) -> str:
        """Flows taking each variant of a step with variants (its own event or one of its errors), by the
        variant's event type."""
        step = self.spec.steps[step_index]
        per_node = dict(zip(self.step_types, node_error_types(self.spec), strict=True))
        variant = "null"
        for way in reversed(step.variants):
            taken = _is([way.event_type, *per_node[way.event_type]])
            variant = f"if({taken}, {dql.string(way.event_type)}, else: {variant})"
        types = [t for way in step.variants for t in (way.event_type, *per_node[way.event_type])]
        return (
            f"{self.fetch(types)}\n"
            f"| fieldsAdd variant = {variant}\n"
            f"| summarize flows = countDistinct({self.flow}), by: {{variant}}\n"
            "| sort flows desc"
        )

    def how_flows_end(self) -> str:
        """Flows by the type of their last event: the last step (completed), an end state, an error, or
        the step a flow dropped off after."""
        return (
            f"{self.fetch(self.step_types + self.error_types)}\n"
            "| sort timestamp asc\n"
            f"| summarize last_event = takeLast(event.type), by: {{{self.flow}}}\n"
            "| summarize flows = count(), by: {last_event}\n"
            "| sort flows desc"
        )


def _is(types: list[str]) -> str:
    """A DQL condition: the event's type is one of ``types``."""
    if len(types) == 1:
        return f"event.type == {dql.string(types[0])}"
    return f"in(event.type, {dql.string_array(types)})"


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _data_tile(title: str, query: str, visualization: str, width: int, height: int, **settings: Any) -> _Tile:
    body = {
        "type": "data",
        "title": title,
        "query": query,
        "visualization": visualization,
        "visualizationSettings": settings,
        "querySettings": dict(QUERY_SETTINGS),
    }
    return _Tile(body, width, height)


def _single_value(title: str, query: str, *, width: int) -> _Tile:
    settings = {"singleValue": {"showLabel": True, "label": title, "autoscale": True}}
    return _data_tile(title, query, "singleValue", width, 3, **settings)


def _markdown(spec: JourneySpec, description: str, bizflow_url: str | None) -> _Tile:
    lines = [f"# {spec.name}"]
    if description.strip():
        lines += ["", description.strip()]
    steps = " → ".join(step.name for step in spec.steps)
    lines += [
        "",
        f"Business events from provider `{spec.event_provider}`, one flow per `{spec.correlation_field}`.",
        "",
        f"Steps: {steps}.",
    ]
    if bizflow_url:
        lines += ["", f"[Open the Business Flow]({bizflow_url})"]
    return _Tile({"type": "markdown", "content": "\n".join(lines)}, GRID_WIDTH, 4)


def _headline(spec: JourneySpec, queries: _Queries) -> list[_Tile]:
    kpis = [
        ("Flows started", queries.flows_started()),
        ("Flows completed", queries.flows_completed()),
        ("Conversion %", queries.conversion()),
    ]
    if has_revenue(spec):
        kpis.append((spec.revenue.label or "Revenue", queries.revenue()))
    if queries.error_types:
        kpis.append(("Errors", queries.errors()))
    kpis.append(("Average flow duration", queries.flow_duration()))
    widths = _share(GRID_WIDTH, len(kpis))
    return [_single_value(title, query, width=w) for (title, query), w in zip(kpis, widths, strict=True)]


def _share(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if index < extra else 0) for index in range(parts)]


def _charts(spec: JourneySpec, queries: _Queries) -> list[_Tile]:
    tiles = [
        _data_tile("Events per step", queries.events_over_time(), "lineChart", 14, 8),
        _data_tile("Flows reaching each step", queries.funnel(), "categoricalBarChart", 10, 8),
    ]
    halves = []
    if queries.error_types:
        halves.append(_data_tile("Errors by type", queries.errors_by_type(), "categoricalBarChart", 12, 7))
    for index, step in enumerate(spec.steps):
        if step.variants:
            tiles.append(
                _data_tile(f"Flows by variant: {step.name}", queries.by_variant(index), "categoricalBarChart", 12, 7)
            )
    if any(node.way.ends_journey for node in nodes(spec)) or spec.has_variants:
        tiles.append(_data_tile("How flows end (last event)", queries.how_flows_end(), "categoricalBarChart", 12, 7))
    if any(node.way.carries_location for node in nodes(spec)) and spec.locations:
        title = f"Flows by {spec.location_field}"
        halves.append(_data_tile(title, queries.by_location(), "categoricalBarChart", 12, 7))
    if len(halves) == 1:
        halves[0] = _Tile(halves[0].body, GRID_WIDTH, halves[0].height)
    tiles += halves
    if any(node.way.carries_segment for node in nodes(spec)) and spec.segment_field and spec.segments:
        what = "Revenue and completion" if has_revenue(spec) else "Completion"
        tiles.append(_data_tile(f"{what} by {spec.segment_field}", queries.by_segment(), "table", GRID_WIDTH, 7))
    return tiles


def _layout(tiles: list[_Tile]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Place tiles left to right, starting a new row when the next one does not fit."""
    bodies: dict[str, Any] = {}
    layouts: dict[str, Any] = {}
    x = y = row_height = 0
    for number, tile in enumerate(tiles):
        if x + tile.width > GRID_WIDTH:
            x, y, row_height = 0, y + row_height, 0
        key = str(number)
        bodies[key] = tile.body
        layouts[key] = {"x": x, "y": y, "w": tile.width, "h": tile.height}
        x += tile.width
        row_height = max(row_height, tile.height)
    return bodies, layouts


def build_dashboard(spec: JourneySpec, *, description: str = "", bizflow_url: str | None = None) -> dict[str, Any]:
    """The dashboard document's content for the journey."""
    queries = _Queries(spec)
    tiles = [_markdown(spec, description, bizflow_url), *_headline(spec, queries), *_charts(spec, queries)]
    bodies, layouts = _layout(tiles)
    return {
        "version": DASHBOARD_VERSION,
        "variables": [],
        "tiles": bodies,
        "layouts": layouts,
        "settings": {"defaultTimeframe": {"value": dict(DEFAULT_TIMEFRAME), "enabled": True}},
    }


def dashboard_name(spec: JourneySpec) -> str:
    """The document's name: the journey's, within the Documents API's 128 characters."""
    return spec.name if len(spec.name) <= 128 else spec.name[:127] + "…"
