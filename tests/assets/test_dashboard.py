from dataclasses import replace

import pytest

from journeys.assets import dql
from journeys.assets.bizflow import all_event_types
from journeys.assets.dashboard import GRID_WIDTH, build_dashboard, dashboard_name

from .journeys_for_tests import EXAMPLE_PATHS, bare_journey, emitted, example, small_journey


def _data_tiles(dashboard: dict) -> dict[str, dict]:
    return {t["title"]: t for t in dashboard["tiles"].values() if t["type"] == "data"}


def _journey_fields(spec) -> set[str]:
    fields = {"event.provider", "event.type", "timestamp", spec.correlation_field}
    if spec.revenue:
        fields.add(spec.revenue.field)
    if spec.segment_field:
        fields.add(spec.segment_field)
    return fields | {spec.location_field}


def _types_read(tile_usage: dql.Usage, spec) -> set[str]:
    return tile_usage.strings & set(all_event_types(spec))


@pytest.mark.parametrize("path", EXAMPLE_PATHS, ids=lambda p: p.stem)
def test_it_names_only_the_journeys_provider_event_types_and_fields(path):
    spec = example(path.name)
    sent = emitted(spec)
    tiles = _data_tiles(build_dashboard(spec))
    assert tiles
    for title, tile in tiles.items():
        used = dql.usage(tile["query"])
        assert used.commands[:2] == ["fetch", "filter"] and used.sources == {"bizevents"}, title
        assert f"event.provider == {dql.string(spec.event_provider)}" in tile["query"], title
        assert used.strings <= {spec.event_provider, *all_event_types(spec)}, title
        assert used.fields <= _journey_fields(spec), title
        # Every field the tile reads is sent on at least one of the event types it reads.
        read_types = _types_read(used, spec)
        assert read_types, title
        sent_keys = set().union(*(sent[t] for t in read_types if t in sent))
        assert used.fields <= sent_keys, (title, used.fields - sent_keys)


@pytest.mark.parametrize("path", EXAMPLE_PATHS, ids=lambda p: p.stem)
def test_it_lays_every_tile_on_the_grid_without_overlap(path):
    dashboard = build_dashboard(example(path.name))
    assert dashboard["tiles"].keys() == dashboard["layouts"].keys()
    cells = set()
    for layout in dashboard["layouts"].values():
        assert layout["x"] >= 0 and layout["w"] > 0 and layout["x"] + layout["w"] <= GRID_WIDTH
        box = {
            (x, y)
            for x in range(layout["x"], layout["x"] + layout["w"])
            for y in range(layout["y"], layout["y"] + layout["h"])
        }
        assert not cells & box
        cells |= box
    assert dashboard["settings"]["defaultTimeframe"] == {"value": {"from": "now()-24h", "to": "now()"}, "enabled": True}
    assert isinstance(dashboard["version"], int) and dashboard["variables"] == []


def test_it_shows_every_tile_for_a_journey_that_sends_everything():
    tiles = _data_tiles(build_dashboard(small_journey()))
    assert list(tiles) == [
        "Flows started",
        "Flows completed",
        "Conversion %",
        "Order value",
        "Errors",
        "Average flow duration",
        "Events per step",
        "Flows reaching each step",
        "Errors by type",
        "Flows by location",
        "Revenue and completion by loyalty",
    ]
    assert tiles["Events per step"]["visualization"] == "lineChart"
    assert "makeTimeseries" in tiles["Events per step"]["query"]


def test_it_leaves_out_tiles_for_data_the_journey_does_not_send():
    tiles = _data_tiles(build_dashboard(bare_journey()))
    assert list(tiles) == [
        "Flows started",
        "Flows completed",
        "Conversion %",
        "Average flow duration",
        "Events per step",
        "Flows reaching each step",
    ]


def test_it_shows_completion_by_segment_without_revenue_when_there_is_none():
    steps = tuple(replace(step, carries_revenue=False) for step in small_journey().steps)
    spec = small_journey(revenue=None, steps=steps)
    tiles = _data_tiles(build_dashboard(spec))
    assert "Completion by loyalty" in tiles and "Order value" not in tiles
    assert "order.value" not in " ".join(t["query"] for t in tiles.values())


def test_it_counts_headline_flows_on_the_first_and_last_steps():
    tiles = _data_tiles(build_dashboard(small_journey()))
    started, completed = dql.usage(tiles["Flows started"]["query"]), dql.usage(tiles["Flows completed"]["query"])
    assert started.strings == {"acme.retail", "place.order"} and "countDistinct" in started.functions
    assert completed.strings == {"acme.retail", "order.received"} and "order.id" in completed.fields
    assert dql.usage(tiles["Order value"]["query"]).strings == {"acme.retail", "place.order"}
    errors = dql.usage(tiles["Errors"]["query"])
    assert errors.strings == {"acme.retail", "order.received.lost", "order.received.warehouse.fire"}


def test_it_orders_the_funnel_by_step():
    query = _data_tiles(build_dashboard(small_journey()))["Flows reaching each step"]["query"]
    positions = [query.index(f'event.type == "{t}", ') for t in ("place.order", "item.picked", "order.received")]
    assert positions == sorted(positions)
    assert "sort position asc" in query


def test_it_links_the_business_flow_from_the_markdown_tile_when_known():
    url = "https://abc123.apps.dynatrace.com/ui/apps/dynatrace.biz.flow/analyze/vu9U3hXa3q0"
    dashboard = build_dashboard(small_journey(), bizflow_url=url, description="Orders.")
    [note] = [t for t in dashboard["tiles"].values() if t["type"] == "markdown"]
    assert f"]({url})" in note["content"] and "Orders." in note["content"] and "# Order delivery" in note["content"]
    [plain] = [t for t in build_dashboard(small_journey())["tiles"].values() if t["type"] == "markdown"]
    assert "Business Flow" not in plain["content"]


def test_it_quotes_field_names_that_are_not_plain_identifiers():
    spec = small_journey(correlation_field="order-id", segment_field="loyalty tier")
    fields = set().union(*(dql.usage(t["query"]).fields for t in _data_tiles(build_dashboard(spec)).values()))
    assert {"order-id", "loyalty tier"} <= fields
    assert not {"order", "id", "loyalty", "tier"} & fields


def test_it_keeps_the_document_name_within_128_characters():
    assert dashboard_name(small_journey()) == "Order delivery"
    assert len(dashboard_name(small_journey(name="x" * 300))) == 128
