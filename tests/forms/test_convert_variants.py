"""Variants, end states, delay shapes and surges between the editor's text and the spec, both ways."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from journeys.engine.jsonformat import loads
from journeys.engine.spec import ErrorRule, Incident, JourneySpec, Revenue, Step, Surge, Variant, Weighted
from journeys.forms.convert import JourneyEditor, values_from_spec
from journeys.forms.rows import EditorValues, RowAction, apply_row_action

EXAMPLES = Path(__file__).resolve().parents[2] / "journeys" / "examples"


def branching_spec() -> JourneySpec:
    return JourneySpec(
        name="Orders",
        event_provider="acme.shop",
        correlation_field="order.id",
        timezone="Europe/Paris",
        steps=(
            Step(
                "Entered",
                "",
                variants=(Variant("Web", "entered.web", 3, carries_segment=True), Variant("App", "entered.app", 1)),
            ),
            Step("Checked", "order.checked", min_delay_hours=0.5, max_delay_hours=4, delay_shape="lognormal"),
            Step(
                "Payment",
                "",
                drop_off_pct=5,
                optional_pct=90,
                variants=(
                    Variant("Card", "pay.card", 60, 0, 0.1, max_loops=3, is_decision=True),
                    Variant("Wallet", "pay.wallet", 30, 0.01, 1, "lognormal", carries_revenue=True),
                    Variant("Invoice refused", "pay.refused", 10, 0, 2, ends_journey=True),
                ),
            ),
            Step("Shipped", "order.shipped", min_delay_hours=1, max_delay_hours=2),
        ),
        errors=(ErrorRule("declined", 2, 4.0, 0), ErrorRule("lost", 3, 1.0)),
        incidents=(
            Incident(2, "wallet.down", 30, daily_start_hour=22, daily_end_hour=2, variant=1),
            Incident(
                0,
                "web.slow",
                10,
                starts_at=datetime(2026, 3, 2, 8, tzinfo=UTC),
                ends_at=datetime(2026, 3, 2, 9, tzinfo=UTC),
                variant=0,
            ),
        ),
        segment_field="tier",
        segments=(Weighted("gold", 1.0), Weighted("basic", 3.0)),
        revenue=Revenue("order.value", 10.0, 500.0),
        surges=(
            Surge(3, daily_start_hour=17, daily_end_hour=19),
            Surge(0.2, starts_at=datetime(2026, 3, 3, 12, tzinfo=UTC), ends_at=datetime(2026, 3, 3, 14, tzinfo=UTC)),
        ),
    )


def spec_of(values: EditorValues) -> JourneySpec:
    editor = JourneyEditor(EditorValues.from_data(values.to_data()), bound=True)
    spec = editor.spec()
    assert spec is not None, editor.problems()
    return spec


def test_it_turns_variants_end_states_shapes_and_surges_into_text_and_back_unchanged():
    spec = branching_spec()
    back = spec_of(values_from_spec(spec))
    # Absolute windows come back in the journey's timezone: the same instants.
    assert back.incidents[1].starts_at == spec.incidents[1].starts_at
    assert back.surges[1].ends_at == spec.surges[1].ends_at
    assert back == spec


def test_it_keys_variants_and_points_errors_and_incidents_at_them():
    values = values_from_spec(branching_spec())
    assert [(v["key"], v["step"], v["name"]) for v in values.rows["variants"]] == [
        ("v1", "s1", "Web"),
        ("v2", "s1", "App"),
        ("v3", "s3", "Card"),
        ("v4", "s3", "Wallet"),
        ("v5", "s3", "Invoice refused"),
    ]
    assert [e["step"] for e in values.rows["errors"]] == ["v3", "s4"]
    assert [i["step"] for i in values.rows["incidents"]] == ["v4", "v1"]
    assert values.rows["variants"][4]["ends_journey"] == "on"
    assert values.rows["steps"][1]["delay_shape"] == "lognormal"
    assert values.rows["surges"][0] == {
        "multiplier": "3",
        "window": "daily",
        "daily_start_hour": "17",
        "daily_end_hour": "19",
    }
    assert values.rows["surges"][1]["starts_at"] == "2026-03-03T13:00"  # Paris time


def test_it_suggests_a_variant_type_from_its_step_and_name():
    values = values_from_spec(branching_spec())
    values.rows["variants"][3]["event_type"] = ""
    values.rows["errors"] = []
    values.rows["incidents"] = [values.rows["incidents"][1]]
    assert spec_of(values).steps[2].variants[1].event_type == "payment.wallet"


def test_it_splits_a_step_into_variants_that_keep_its_delay_and_merges_them_back():
    values = values_from_spec(branching_spec())
    apply_row_action(values, RowAction("split", "steps", 3))
    shipped = values.variants_of("s4")
    assert [v["name"] for v in shipped] == ["Option 1", "Option 2"]
    assert shipped[0]["event_type"] == "order.shipped" and shipped[1]["event_type"] == ""
    assert shipped[1]["min_delay_hours"] == "1" and shipped[1]["max_delay_hours"] == "2"
    assert values.rows["errors"][1]["step"] == shipped[0]["key"]  # "lost" moved onto the first variant
    apply_row_action(values, RowAction("merge", "steps", 2))  # Payment: back to Card alone
    assert values.variants_of("s3") == []
    assert values.rows["steps"][2]["event_type"] == "pay.card" and values.rows["steps"][2]["max_loops"] == "3"
    assert values.rows["errors"][0]["step"] == "s3"
    assert [i["step"] for i in values.rows["incidents"]] == ["v1"]  # the one on Wallet went with it


def test_it_moves_a_variant_only_among_its_step_s_variants():
    values = values_from_spec(branching_spec())
    assert apply_row_action(values, RowAction("up", "variants", 2)) == 2  # Card is first of its step already
    assert apply_row_action(values, RowAction("down", "variants", 3)) == 4
    assert [v["name"] for v in values.variants_of("s3")] == ["Card", "Invoice refused", "Wallet"]
    assert spec_of(values).steps[2].variants[1].name == "Invoice refused"


def test_it_adds_at_most_five_variants_and_removing_one_removes_its_errors():
    values = values_from_spec(branching_spec())
    for _ in range(3):
        apply_row_action(values, RowAction("add", "variants", 2))
    assert len(values.variants_of("s3")) == 5
    assert values.variants_of("s3")[3]["name"] == "Option 4"
    apply_row_action(values, RowAction("remove", "variants", 2))  # Card
    assert [e["name"] for e in values.rows["errors"]] == ["lost"]


@pytest.mark.parametrize(
    ("field", "value", "where", "message"),
    [
        ("variants-2-weight", "-1", ("variants", 2, "weight"), "greater than or equal to 0"),
        ("variants-3-min_delay_hours", "2", ("variants", 3, "min_delay_hours"), "Must not be above the max delay"),
        ("variants-0-name", "App", ("variants", 1, "name"), "already a variant of this step"),
        ("errors-0-pct", "120", ("errors", 0, "pct"), "less than or equal to 100"),
        ("surges-0-daily_start_hour", "25", ("surges", 0, "daily_start_hour"), "less than or equal to 24"),
        ("surges-1-window", "daily", ("surges", 1, "daily_start_hour"), "Enter an hour"),
    ],
)
def test_it_puts_each_error_at_its_field(field, value, where, message):
    data = values_from_spec(branching_spec()).to_data()
    data[field] = value
    editor = JourneyEditor(EditorValues.from_data(data), bound=True)
    assert editor.spec() is None
    section, index, name = where
    errors = editor.formsets[section].forms[index].errors
    assert message in " ".join(errors.get(name, [])), errors


def test_it_asks_for_a_variant_when_an_error_names_a_step_that_has_them():
    values = values_from_spec(branching_spec())
    values.rows["errors"][0]["step"] = "s3"  # Payment itself, which has variants: not a choice
    editor = JourneyEditor(EditorValues.from_data(values.to_data()), bound=True)
    assert editor.spec() is None
    assert "Choose one of the journey's steps." in editor.formsets["errors"].forms[0].errors["step"]


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.json")), ids=lambda path: path.stem)
def test_it_gives_every_example_journey_back_unchanged_through_the_editor(path):
    spec = loads(path.read_text())
    assert spec_of(values_from_spec(spec)) == spec
