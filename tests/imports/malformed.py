"""Malformed journey files, each with where its error must point: shared by the engine, page and command tests."""

from __future__ import annotations

import json
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "journeys" / "examples"
RETAIL_JS = (EXAMPLES / "retail-order-delivery.config.js").read_text()
RETAIL_JSON = json.loads((EXAMPLES / "retail-order-delivery.json").read_text())


def js(old: str, new: str) -> str:
    assert old in RETAIL_JS, old
    return RETAIL_JS.replace(old, new, 1)


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def document(**changes) -> str:
    return json.dumps({**RETAIL_JSON, **changes})


def with_steps(*steps: dict) -> str:
    """The retail journey with other steps (and none of its errors or incidents, which name its steps)."""
    return document(steps=list(steps), errors=[], incidents=[])


def step(index: int, **changes) -> dict:
    return {"name": f"Step {index}", "event_type": f"step.{index}", **changes}


def workflow(config_input) -> str:
    return json.dumps(
        {"title": "Business Data Generator", "tasks": {"config": {"action": "js", "input": config_input}}}
    )


_DEEP_JS = js("const TIMES_OF_DAY = [", "const TIMES_OF_DAY = " + "[" * 1000 + "]" * 1000 + ", [")
_DIGITS = "1" + "0" * 5000
_CUT = RETAIL_JS[: RETAIL_JS.index("  // [0-based step index")]

# (id, text, a piece of text the error must hold: where it is, and what)
CASES: list[tuple[str, str, str]] = [
    ("configjs-nested-1000-deep", _DEEP_JS, f"line {line_of(_DEEP_JS, 'const TIMES_OF_DAY')}: a value is nested"),
    ("json-nested-100000-deep", '{"a": ' + "[" * 100_000 + "]" * 100_000 + "}", "line 1: the values are nested"),
    ("json-integer-5000-digits", document(seed=0).replace('"seed": 0', f'"seed": {_DIGITS}'), "line 1: the number"),
    (
        "json-float-infinite",
        document(journeys_per_day=0).replace('"journeys_per_day": 0', '"journeys_per_day": 1e999'),
        "is too large",
    ),
    (
        "json-nan",
        document(journeys_per_day=0).replace('"journeys_per_day": 0', '"journeys_per_day": NaN'),
        "NaN is not a number JSON allows",
    ),
    (
        "configjs-integer-5000-digits",
        js('"order.packed", 1, 1, 2', f'"order.packed", {_DIGITS}, 1, 2'),
        f"line {line_of(RETAIL_JS, 'order.packed')}: the number",
    ),
    (
        "configjs-huge-hex",
        js("const OPTIONAL_STEP = [5, 40]", "const OPTIONAL_STEP = [5, 0x" + "f" * 300 + "]"),
        f"line {line_of(RETAIL_JS, 'const OPTIONAL_STEP')}: the number 0x",
    ),
    (
        "configjs-hex-beyond-a-double",
        js("const OPTIONAL_STEP = [5, 40]", "const OPTIONAL_STEP = [5, 0x" + "f" * 257 + "]"),
        "is too large",
    ),
    ("workflow-input-null", workflow(None), "tasks: no Business Data Generator config task"),
    ("workflow-input-list", workflow([RETAIL_JS]), "tasks: no Business Data Generator config task"),
    (
        "json-lone-surrogate-name",
        document(name="Orders").replace('"Orders"', '"Orders \\ud800"'),
        "name: the text holds \\ud800",
    ),
    ("json-lone-surrogate-key", document().replace('"name":', '"\\udfff": 1, "name":'), "a key holds \\udfff"),
    ("json-nul-in-value", document(name="Orders").replace('"Orders"', '"Or\\u0000ders"'), "name: the text holds"),
    (
        "configjs-lone-surrogate-name",
        js('"[RETAIL] eCommerce order delivery"', '"Orders \\ud800"'),
        f"line {line_of(RETAIL_JS, 'const FLOW_NAME')}: a string holds \\ud800",
    ),
    ("json-101-steps", with_steps(*(step(i) for i in range(101))), "steps: a journey may have at most 100 steps"),
    (
        "configjs-101-steps",
        js(
            '["Place order", "place.order"],',
            '["Place order", "place.order"],' + "".join(f'["S{i}", "s.{i}", 0, 0, 0, false, 1],' for i in range(100)),
        ),
        "a journey may have at most 100 steps",
    ),
    (
        "json-event-type-with-slash",
        with_steps(step(0), step(1, event_type="loan/approved", decision=True)),
        "steps[1].event_type: may use only letters",
    ),
    (
        "configjs-event-type-with-slash",
        js('"order.packed"', '"order/packed"'),
        f"line {line_of(RETAIL_JS, 'order.packed')} (PROCESS_STEPS[3][1]): may use only letters",
    ),
    (
        "json-error-name-with-space-and-slash",
        document(errors=[{"step": "item.picked", "name": "a/b", "pct": 1}]),
        "errors[0].name: may use only letters",
    ),
    ("configjs-cut-before-optional-step", _CUT, "OPTIONAL_STEP, LOCATIONS_WITH_PERCENTAGE"),
    ("configjs-cut-inside-a-value", RETAIL_JS[: RETAIL_JS.index('["Order packed"')], "the file ends inside a value"),
    ("configjs-lacking-example-dashboard", js("const EXAMPLE_DASHBOARD = true", ""), "EXAMPLE_DASHBOARD: is missing"),
    ("json-volume-above-ceiling", document(journeys_per_day=1e12), "journeys_per_day: must be at most 1,000,000"),
    (
        "json-delay-1e308",
        with_steps(step(0), step(1, max_delay_hours=1e308)),
        "steps[1].max_delay_hours: must be at most 168 hours",
    ),
    (
        "json-loops-above-ceiling",
        with_steps(step(0), step(1, max_loops=101)),
        "steps[1].max_loops: must be at most 100 loops",
    ),
    ("json-name-too-long", document(name="x" * 201), "name: must be at most 200 characters"),
    ("json-weight-huge", document(hour_weights=[1e300] * 24), "hour_weights[0]: must be at most 1,000,000"),
]
