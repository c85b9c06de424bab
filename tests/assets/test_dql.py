import pytest

from journeys.assets import dql


def test_it_quotes_strings_so_they_cannot_end_early():
    assert dql.string('say "hi" \\ there') == '"say \\"hi\\" \\\\ there"'
    assert dql.usage(f"fetch bizevents | filter event.provider == {dql.string('a" or true or "')}").strings == {
        'a" or true or "'
    }


def test_it_leaves_plain_dotted_names_bare_and_quotes_the_rest():
    assert dql.field("order.id") == "order.id"
    assert dql.field("order-id") == "`order-id`"
    assert dql.field("true") == "`true`"
    assert dql.usage(f"fetch bizevents | fields {dql.field('odd `name`')}").fields == {"odd `name`"}


def test_it_separates_fields_from_functions_parameters_aliases_and_keywords():
    used = dql.usage(
        'fetch bizevents, from: now()-24h\n| filter event.provider == "p" and not isNull(order.id)\n'
        "| summarize n = countDistinct(order.id), by: {location}\n| sort n desc"
    )
    assert used.commands == ["fetch", "filter", "summarize", "sort"]
    assert used.sources == {"bizevents"}
    assert used.strings == {"p"}
    assert used.fields == {"event.provider", "order.id", "location"}
    assert used.defined == {"n"}
    assert {"now", "isNull", "countDistinct"} <= used.functions


def test_it_refuses_text_it_cannot_read():
    with pytest.raises(dql.DqlSyntaxError):
        dql.usage("fetch bizevents | filter x == 'single quotes'")
