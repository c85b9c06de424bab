import zlib
from pathlib import Path

import pytest

from journeys.engine.configjs import import_configjs
from journeys.engine.errors import JourneyImportError
from journeys.engine.spec import ErrorRule, Revenue, Step, Weighted

RETAIL = (Path(__file__).resolve().parents[2] / "journeys" / "examples" / "retail-order-delivery.config.js").read_text()

# The constants the reference always declares, with values that add nothing to a journey.
NEUTRAL = """
const OPTIONAL_STEP = []
const LOCATIONS_WITH_PERCENTAGE = []
const LOCATIONS = []
const SEGMENT = ["", []]
const SEGMENTS = []
const REVENUE = ["claim.value", [], 0, 0, "Revenue"]
const HOST_ENTITY = []
const ERRORS_WITH_PERCENTAGE = []
const TIMES_OF_DAY = [[9, 50], [10, 50]]
const EXAMPLE_DASHBOARD = false
"""

MINIMAL = (
    """
const FLOW_NAME = "Claims"
const EVENT_PROVIDER = "acme.claims"
const CORRELATION_ID = "claim.id"
const PROCESS_STEPS = [
  ["Claim filed", "claim.filed"],
  ["Claim paid", "claim.paid", 2, 24, 48],
]
"""
    + NEUTRAL
)


def retail_with(old: str, new: str) -> str:
    assert old in RETAIL, old
    return RETAIL.replace(old, new, 1)


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def errors_of(text: str, **kwargs) -> list[str]:
    with pytest.raises(JourneyImportError) as caught:
        import_configjs(text, **kwargs)
    return [str(error) for error in caught.value.errors]


def test_it_reads_the_retail_steps_exactly():
    spec = import_configjs(RETAIL)
    assert spec.steps == (
        Step("Place order", "place.order", carries_location=True, carries_segment=True, carries_revenue=True),
        Step("Received in warehouse", "warehouse.received", 5, 0.1, 0.2, carries_location=True),
        Step("Item picked", "item.picked", 1, 0.1, 0.2, max_loops=3, carries_segment=True),
        Step("Order packed", "order.packed", 1, 1, 2),
        Step("Order shipped", "order.shipped", 5, 0.5, 1),
        Step("Delivery re-attempted", "delivery.reattempted", 5, 0.5, 1, optional_pct=40),
        Step("Order received", "order.received", 1, 0.1, 0.2),
    )


def test_it_reads_the_retail_journey_fields_exactly():
    spec = import_configjs(RETAIL)
    assert (spec.name, spec.event_provider, spec.correlation_field) == (
        "[RETAIL] eCommerce order delivery",
        "acme.retail",
        "order.id",
    )
    cities = ["London", "Manchester", "Birmingham", "Newcastle", "Glasgow", "Portsmouth", "Reading", "Leicester"]
    cities += ["Liverpool", "Leeds"]
    assert spec.locations == tuple(
        Weighted(c, w) for c, w in zip(cities, [25, 20, 12, 10, 8, 7, 6, 5, 4, 3], strict=True)
    )
    assert spec.location_field == "location"
    assert spec.segment_field == "loyalty"
    assert spec.segments == (
        Weighted("gold", 60),
        Weighted("silver", 20),
        Weighted("bronze", 10),
        Weighted("basic", 10),
    )
    assert spec.revenue == Revenue("order.value", 100, 2000, "Revenue")
    assert spec.hosts == (Weighted("HOST-218FBE0DE60A5B16", 50), Weighted("HOST-DA9370FA4A602E97", 50))
    assert spec.errors == (ErrorRule("system.outage", 4, 10),)
    assert spec.hour_weights == (1, 1, 1, 1, 2, 3, 3, 4, 6, 9, 9, 10, 10, 9, 9, 6, 4, 3, 3, 2, 1, 1, 1, 1)
    assert spec.incidents == () and spec.extra_attributes == ()


def test_it_defaults_volume_timezone_and_a_seed_from_the_content():
    spec = import_configjs(RETAIL)
    assert spec.journeys_per_day == 600 and spec.timezone == "UTC"
    assert spec.seed == zlib.crc32(RETAIL.encode())
    assert import_configjs(RETAIL) == spec
    assert import_configjs(RETAIL.replace("Leeds", "York")).seed != spec.seed


def test_it_takes_volume_and_seed_as_parameters():
    spec = import_configjs(RETAIL, journeys_per_day=2500, seed=42)
    assert (spec.journeys_per_day, spec.seed) == (2500, 42)


def test_it_reads_a_journey_whose_optional_settings_are_empty():
    spec = import_configjs(MINIMAL)
    assert spec.steps == (Step("Claim filed", "claim.filed"), Step("Claim paid", "claim.paid", 2, 24, 48))
    assert spec.hour_weights[9:11] == (50, 50) and spec.locations == () and spec.segment_field == ""


def test_it_refuses_a_file_cut_short_naming_what_is_missing():
    text = RETAIL[: RETAIL.index("  // [0-based step index")]
    assert errors_of(text) == [
        "OPTIONAL_STEP, LOCATIONS_WITH_PERCENTAGE, LOCATIONS, SEGMENT, SEGMENTS, REVENUE, HOST_ENTITY, "
        "ERRORS_WITH_PERCENTAGE, TIMES_OF_DAY: are missing: the reference config task always declares them "
        f"(the last setting found is on line {line_of(text, 'const PROCESS_STEPS')}: was the file cut short?)"
    ]


def test_it_refuses_a_file_cut_inside_a_value():
    text = RETAIL[: RETAIL.index('["Order packed"')]
    assert errors_of(text) == [
        f"line {line_of(text, '["Item picked"')}: the file ends inside a value (was it cut short?)"
    ]


def test_it_refuses_a_file_lacking_one_constant_the_reference_always_has():
    text = retail_with("const OPTIONAL_STEP = [5, 40]", "")
    assert errors_of(text) == [
        "OPTIONAL_STEP: is missing: the reference config task always declares it "
        f"(the last setting found is on line {line_of(text, 'const TIMES_OF_DAY')}: was the file cut short?)"
    ]


def test_it_tolerates_the_ways_people_write_javascript():
    text = (
        """
    /* Claims journey,
       written by hand */
    let FLOW_NAME = 'Claim\\'s journey';   // single quotes, an escape
    var EVENT_PROVIDER = "acme.claims";
    export const CORRELATION_ID = `claim.id`
    const PROCESS_STEPS = [
      ['Claim filed', 'claim.filed',],
      ['Assessed', 'claim.assessed', 1.5e0, .5, 2, true, 2,],  /* trailing commas */
      ['Claim paid', 'claim.paid', 0, 24, 48, false, 9],
    ];
    const helper = (x) => x * 2   // the user's own code is left alone
    """
        + NEUTRAL
    )
    spec = import_configjs(text)
    assert spec.name == "Claim's journey" and spec.correlation_field == "claim.id"
    assert spec.steps[1] == Step("Assessed", "claim.assessed", 1.5, 0.5, 2, max_loops=2)
    assert spec.steps[2].max_loops == 1  # loops false: the count is not read
    assert all(step.optional_pct is None for step in spec.steps)
    assert spec.hour_weights[9:11] == (50, 50) and sum(spec.hour_weights) == 100


def test_it_never_loops_the_last_step_like_the_reference():
    text = MINIMAL.replace(
        '["Claim paid", "claim.paid", 2, 24, 48]', '["Claim paid", "claim.paid", 2, 24, 48, true, 4]'
    )
    assert import_configjs(text).steps[-1].max_loops == 1


def test_it_names_the_line_of_a_step_with_the_wrong_number_of_values():
    text = retail_with(
        '["Order packed", "order.packed", 1, 1, 2, false, 1]', '["Order packed", "order.packed", 1, 1, 2]'
    )
    line = line_of(text, '["Order packed"')
    assert errors_of(text) == [
        f"line {line} (PROCESS_STEPS[3]): expected 7 values [prettyName, eventType, dropPct, minHours, maxHours, "
        "loops, maxLoops], got 5"
    ]


def test_it_names_the_line_and_position_of_a_wrong_type():
    text = retail_with('"item.picked", 1, 0.1, 0.2, true, 3]', '"item.picked", "1%", 0.1, 0.2, "yes", 3]')
    line = line_of(text, '["Item picked"')
    assert errors_of(text) == [
        f'line {line} (PROCESS_STEPS[2][2]): expected a number, got "1%"',
        f'line {line} (PROCESS_STEPS[2][5]): expected true or false, got "yes"',
    ]


def test_it_names_the_missing_required_constants():
    text = MINIMAL.replace('const FLOW_NAME = "Claims"\n', "").replace('const CORRELATION_ID = "claim.id"\n', "")
    (error,) = errors_of(text)
    assert error.startswith("FLOW_NAME, CORRELATION_ID: are missing: the reference config task always declares them")


@pytest.mark.parametrize(
    ("old", "new", "where", "message"),
    [
        ("const LOCATIONS = [0, 1]", "const LOCATIONS = [0, 7]", "LOCATIONS[1]", "step index 7 is out of range"),
        ("const OPTIONAL_STEP = [5, 40]", "const OPTIONAL_STEP = [9, 40]", "OPTIONAL_STEP[0]", "step index 9 is"),
        ('["system.outage", 4, 10]', '["system.outage", -1, 10]', "ERRORS_WITH_PERCENTAGE[0][1]", "step index -1"),
        (
            'const SEGMENT = ["loyalty", [0, 2]]',
            'const SEGMENT = ["loyalty", [0, 2.5]]',
            "SEGMENT[1][1]",
            "expected a step",
        ),
        ('"order.value", [0], 100', '"order.value", [12], 100', "REVENUE[1][0]", "step index 12 is out of range"),
    ],
)
def test_it_names_the_line_of_a_step_index_out_of_range(old, new, where, message):
    text = retail_with(old, new)
    (error,) = errors_of(text)
    assert error.startswith(f"line {line_of(text, new)} ({where}): {message}")


def test_it_says_how_many_steps_there_are_when_an_index_is_out_of_range():
    (error,) = errors_of(retail_with("const LOCATIONS = [0, 1]", "const LOCATIONS = [0, 7]"))
    assert error.endswith("step index 7 is out of range: PROCESS_STEPS has 7 steps (0 to 6)")


def test_it_refuses_values_that_are_code():
    text = retail_with(
        'const FLOW_NAME = "[RETAIL] eCommerce order delivery"', 'const FLOW_NAME = "[RETAIL] " + region'
    )
    line = line_of(text, "const FLOW_NAME")
    assert errors_of(text) == [
        f"line {line} (FLOW_NAME): must be a plain value (text, numbers, true/false and [...] lists); code is not run"
    ]


def test_it_refuses_a_constant_declared_twice():
    text = MINIMAL + 'const FLOW_NAME = "Claims again"\n'
    assert errors_of(text) == [f"line {line_of(text, 'Claims again')} (FLOW_NAME): is declared twice (also on line 2)"]


def test_it_names_the_line_of_an_unclosed_string():
    text = MINIMAL.replace('"acme.claims"', '"acme.claims')
    assert errors_of(text) == ["line 3: a string is not closed before the end of the line"]


def test_it_explains_a_file_with_no_generator_settings():
    assert errors_of("console.log('hello')") == [
        "no Business Data Generator settings found: expected constants such as const PROCESS_STEPS = [...] "
        "(see the reference generator's config task)"
    ]


def test_it_names_the_line_of_a_bad_hour():
    text = retail_with("[13, 9],", "[11, 9],").replace("[14, 9],", "[24, 9],")
    assert errors_of(text) == [
        f"line {line_of(text, '[11, 9]')} (TIMES_OF_DAY[13][0]): hour 11 is listed twice "
        f"(also on line {line_of(text, '[11, 10]')})",
        f"line {line_of(text, '[24, 9]')} (TIMES_OF_DAY[14][0]): hour 24 is not between 0 and 23",
    ]


def test_it_reports_the_journey_rules_at_the_line_they_come_from():
    text = retail_with('"warehouse.received", 5, 0.1, 0.2', '"warehouse.received", 150, 0.3, 0.2')
    text = text.replace("const OPTIONAL_STEP = [5, 40]", "const OPTIONAL_STEP = [0, 40]")
    text = text.replace('["HOST-DA9370FA4A602E97", 50]', '["DA9370FA4A602E97", 50]')
    step_line = line_of(text, '["Received in warehouse"')
    assert errors_of(text) == [
        f"line {line_of(text, 'const OPTIONAL_STEP')} (OPTIONAL_STEP): the first step cannot be optional",
        f"line {step_line} (PROCESS_STEPS[1][2]): must be a percentage between 0 and 100",
        f"line {step_line} (PROCESS_STEPS[1][3]): must not be above the max delay",
        f"line {line_of(text, '["DA9370FA4A602E97"')} (HOST_ENTITY[1][0]): must be a Dynatrace host id (HOST-...)",
    ]


def test_it_reports_a_missing_list_by_its_constant_name():
    text = retail_with("const LOCATIONS_WITH_PERCENTAGE", "const CITIES")
    (error,) = errors_of(text)
    assert error.startswith("LOCATIONS_WITH_PERCENTAGE: is missing")


def test_it_reports_an_invalid_volume_as_a_parameter():
    assert errors_of(MINIMAL, journeys_per_day=-5) == ["journeys_per_day: must be a number, 0 or more"]


def test_it_does_not_check_step_indexes_against_unreadable_steps():
    text = retail_with("const PROCESS_STEPS = [", "const PROCESS_STEPS = load() || [")
    assert errors_of(text) == [
        f"line {line_of(text, 'const PROCESS_STEPS')} (PROCESS_STEPS): must be a plain value (text, numbers, "
        "true/false and [...] lists); code is not run"
    ]


def test_it_names_a_first_step_without_its_event_type():
    text = retail_with('["Place order", "place.order"]', '["Place order"]')
    assert errors_of(text) == [
        f"line {line_of(text, '["Place order"]')} (PROCESS_STEPS[0]): expected at least 2 values "
        "[prettyName, eventType], got 1"
    ]
