import pytest

from journeys.forms.rows import EditorValues, RowAction, apply_row_action


def values_with_steps(*names: str) -> EditorValues:
    data = {"steps-TOTAL_FORMS": str(len(names))}
    for index, name in enumerate(names):
        data.update({f"steps-{index}-key": f"s{index + 1}", f"steps-{index}-name": name})
    return EditorValues.from_data(data)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("add:steps", RowAction("add", "steps")),
        ("remove:errors:2", RowAction("remove", "errors", 2)),
        ("up:steps:3", RowAction("up", "steps", 3)),
        ("down:locations:0", RowAction("down", "locations", 0)),
        ("save", None),
        ("summary", None),
        ("add:steps:1", None),
        ("remove:steps", None),
        ("remove:users:1", None),
        ("up:steps:-1", None),
    ],
)
def test_it_reads_row_actions_from_button_values(text, expected):
    assert RowAction.parse(text) == expected


def test_it_adds_a_step_with_a_fresh_key_and_defaults():
    values = values_with_steps("Place order", "Pay")
    focus = apply_row_action(values, RowAction("add", "steps"))
    assert focus == 2
    new = values.rows["steps"][2]
    assert new["key"] == "s3" and new["name"] == "" and new["max_loops"] == "1"


def test_it_moves_a_step_and_its_key_goes_with_it():
    values = values_with_steps("A", "B", "C")
    assert apply_row_action(values, RowAction("up", "steps", 2)) == 1
    assert [(row["key"], row["name"]) for row in values.rows["steps"]] == [("s1", "A"), ("s3", "C"), ("s2", "B")]
    assert apply_row_action(values, RowAction("up", "steps", 0)) == 0  # already first: stays


def test_it_removes_a_step_with_the_errors_and_incidents_on_it():
    values = values_with_steps("A", "B")
    values.rows["errors"] = [{"step": "s2", "name": "x", "pct": "5"}, {"step": "s1", "name": "y", "pct": "5"}]
    values.rows["incidents"] = [{"step": "s2", "error_name": "z", "pct": "50"}]
    apply_row_action(values, RowAction("remove", "steps", 1))
    assert [row["name"] for row in values.rows["steps"]] == ["A"]
    assert values.rows["errors"] == [{"step": "s1", "name": "y", "pct": "5"}] and values.rows["incidents"] == []


def test_it_ignores_a_stale_row_action():
    values = values_with_steps("A", "B")
    assert apply_row_action(values, RowAction("remove", "steps", 5)) is None
    assert len(values.rows["steps"]) == 2


def test_it_repairs_missing_and_repeated_step_keys():
    values = EditorValues.from_data(
        {"steps-TOTAL_FORMS": "3", "steps-0-key": "s1", "steps-1-key": "s1", "steps-2-key": "<script>"}
    )
    keys = [row["key"] for row in values.rows["steps"]]
    assert keys[0] == "s1" and len(set(keys)) == 3 and all(key.startswith("s") for key in keys)


def test_it_round_trips_values_through_form_data():
    values = values_with_steps("A", "B")
    values.basics["name"] = "Flow"
    values.rows["steps"][1]["carries_location"] = "on"
    again = EditorValues.from_data(values.to_data())
    assert again.basics["name"] == "Flow" and again.rows["steps"] == values.rows["steps"]
