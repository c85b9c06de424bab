import json
from pathlib import Path

import pytest

from journeys.engine import jsonformat
from journeys.engine.configjs import import_configjs
from journeys.engine.errors import JourneyImportError
from journeys.engine.importing import CONFIGJS_DESCRIPTION, detect_format, import_journey_text, read_journey_text

RETAIL = (Path(__file__).resolve().parents[2] / "journeys" / "examples" / "retail-order-delivery.config.js").read_text()


def workflow(script: str) -> str:
    """A workflow as Dynatrace exports it: the config task, and tasks that read its result."""
    generator = "const PROCESS_STEPS = configBody['PROCESS_STEPS'];"
    tasks = {
        "create_bizflow": {"name": "create_bizflow", "input": {"script": generator}},
        "config": {"name": "config", "action": "dynatrace.automations:run-javascript", "input": {"script": script}},
    }
    return json.dumps({"title": "Business Data Generator", "tasks": tasks}, indent=2)


def errors_of(text: str, **kwargs) -> list[str]:
    with pytest.raises(JourneyImportError) as caught:
        read_journey_text(text, **kwargs)
    return [str(error) for error in caught.value.errors]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (RETAIL, "configjs"),
        ("\ufeff  // a comment first\nconst FLOW_NAME = 'x'", "configjs"),
        (jsonformat.dumps(import_configjs(RETAIL)), "json"),
        ('{"format": "bizflow-studio/journey", oops', "json"),
        (workflow(RETAIL), "workflow"),
    ],
)
def test_it_detects_the_format_from_the_content(text, expected):
    assert detect_format(text) == expected


def test_it_imports_each_format_to_the_same_journey():
    spec = import_configjs(RETAIL)
    assert import_journey_text(RETAIL) == spec
    assert import_journey_text(workflow(RETAIL)) == spec
    assert import_journey_text(jsonformat.dumps(spec)) == spec


def test_it_describes_where_a_config_js_journey_came_from():
    assert read_journey_text(RETAIL).description == CONFIGJS_DESCRIPTION
    json_text = jsonformat.dumps(import_configjs(RETAIL), description="Mine")
    assert read_journey_text(json_text).description == "Mine"


def test_it_overrides_volume_and_seed_in_any_format():
    for text in (RETAIL, jsonformat.dumps(import_configjs(RETAIL))):
        spec = import_journey_text(text, journeys_per_day=1500, seed=7)
        assert (spec.journeys_per_day, spec.seed) == (1500, 7)


def test_it_checks_an_overridden_volume():
    assert errors_of(jsonformat.dumps(import_configjs(RETAIL)), journeys_per_day=-1) == [
        "journeys_per_day: must be a number, 0 or more"
    ]


def test_it_counts_workflow_lines_within_the_config_script():
    script = RETAIL.replace('"Order packed", "order.packed", 1, 1, 2, false, 1]', '"Order packed", "order.packed"]')
    line = script[: script.index('["Order packed"')].count("\n") + 1
    (error,) = errors_of(workflow(script))
    assert error.startswith(f"config task, line {line} (PROCESS_STEPS[3]): expected 7 values")


def test_it_explains_a_workflow_without_a_config_task():
    text = json.dumps({"tasks": {"other": {"input": {"script": "export default async function () {}"}}}})
    assert errors_of(text) == [
        "tasks: no Business Data Generator config task (a script declaring PROCESS_STEPS) in this workflow"
    ]


def test_it_explains_an_empty_file():
    assert errors_of("  \n") == ["the file is empty"]
