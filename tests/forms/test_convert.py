from pathlib import Path

import pytest

from journeys.engine.jsonformat import loads
from journeys.forms.convert import JourneyEditor, as_text, blank_values, suggest_event_type, values_from_spec

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "journeys" / "examples").glob("*.json"))
RETAIL = loads((EXAMPLES[0].parent / "retail-order-delivery.json").read_text())


def checked(values) -> JourneyEditor:
    editor = JourneyEditor(values, bound=True)
    editor.spec()
    return editor


def errors_of(form, field: str) -> list[str]:
    return list(form.errors.get(field, []))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.stem)
def test_it_turns_a_journey_into_forms_and_back_unchanged(path):
    spec = loads(path.read_text())
    assert JourneyEditor(values_from_spec(spec), bound=True).spec() == spec


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Place order", "place.order"), ("  Item picked!  ", "item.picked"), ("Add to-cart", "add.to.cart"), ("", "")],
)
def test_it_suggests_an_event_type_from_a_name(name, expected):
    assert suggest_event_type(name) == expected


def test_it_writes_numbers_as_people_type_them():
    written = [as_text(600.0), as_text(0.25), as_text(1e6), as_text(None), as_text(3)]
    assert written == ["600", "0.25", "1000000", "", "3"]


def test_it_puts_engine_errors_next_to_their_inputs():
    values = values_from_spec(RETAIL)
    values.rows["steps"][3]["min_delay_hours"] = "5"
    values.rows["hosts"][1]["value"] = "host-1"
    values.rows["attributes"] = [{"key": "event.kind", "value": "x"}]
    values.basics.update({f"weekday_{day}": "0" for day in range(7)})
    editor = checked(values)
    steps, hosts, attributes = (editor.formsets[name].forms for name in ("steps", "hosts", "attributes"))
    assert errors_of(steps[3], "min_delay_hours") == ["Must not be above the max delay."]
    assert errors_of(hosts[1], "value") == ["Must be a Dynatrace host id (HOST-...)."]
    assert errors_of(attributes[0], "key") == ["'event.kind' is reserved by the event format."]
    assert editor.section_errors["weekdays"] == ["At least one weight must be above zero."]
    assert editor.spec() is None


def test_it_reports_journey_wide_problems_in_their_section():
    values = values_from_spec(RETAIL)
    values.rows["locations"] = []
    values.basics["segment_field"] = ""
    editor = checked(values)
    assert editor.section_errors["locations"] == ["Steps carry a location but no locations are listed."]
    assert editor.section_errors["segments"] == ["Steps carry a segment but no segment field and values are set."]
    assert [problem.anchor for problem in editor.problems()] == ["section-locations", "section-segments"]


def test_it_keeps_one_message_per_input():
    values = values_from_spec(RETAIL)
    values.rows["steps"][2]["max_loops"] = "many"
    values.rows["steps"][4]["name"] = ""
    values.rows["steps"][4]["event_type"] = ""
    editor = checked(values)
    steps = editor.formsets["steps"].forms
    assert errors_of(steps[2], "max_loops") == ["Enter a whole number."]
    assert errors_of(steps[4], "name") == ["This field is required."]
    assert errors_of(steps[4], "event_type") == []  # the type would come from the missing name


def test_it_ignores_what_the_first_step_cannot_have():
    values = values_from_spec(RETAIL)
    values.rows["steps"][0].update(drop_off_pct="50", optional_pct="10", max_loops="4", min_delay_hours="2")
    spec = JourneyEditor(values, bound=True).spec()
    first = spec.steps[0]
    assert (first.drop_off_pct, first.optional_pct, first.max_loops, first.min_delay_hours) == (0.0, None, 1, 0.0)


def test_it_starts_a_new_journey_with_two_empty_steps_and_a_daytime_curve():
    values = blank_values(seed=7)
    assert [row["key"] for row in values.rows["steps"]] == ["s1", "s2"]
    assert values.basics["seed"] == "7" and values.basics["hour_11"] == "10" and values.basics["hour_2"] == "1"
    problems = checked(values).problems()
    anchors = {problem.anchor for problem in problems}
    assert anchors == {"id_name", "id_event_provider", "id_steps-0-name", "id_steps-1-name"}


def test_it_puts_an_error_from_saving_next_to_the_input_its_path_names():
    from journeys.engine.spec import SpecError

    editor = checked(values_from_spec(RETAIL))
    assert editor.spec() is not None

    editor.add_errors([SpecError("journeys_per_day", "Acme allows at most 500 journeys per day per journey")])

    assert editor.spec() is None
    assert errors_of(editor.basics, "journeys_per_day") == ["Acme allows at most 500 journeys per day per journey."]
    assert any("500 journeys per day" in problem.message for problem in editor.problems())
