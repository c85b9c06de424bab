"""Version 2 of the journey: variants, end states, delay shapes and surges, in the spec and in files."""

import json
import math
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from journeys.engine import jsonformat
from journeys.engine.delays import delay_ceiling_hours, lognormal_parameters, mean_delay_hours
from journeys.engine.errors import JourneyImportError
from journeys.engine.spec import ErrorRule, Incident, Step, Surge, Variant, validate

from .helpers import branching_journey

V1_JOURNEYS = Path(__file__).parent / "v1_journeys"


def messages(spec) -> list[str]:
    return [str(error) for error in validate(spec)]


def with_decision_step(spec, **changes):
    steps = list(spec.steps)
    steps[2] = replace(steps[2], **changes)
    return replace(spec, steps=tuple(steps))


def test_it_gives_a_plain_step_one_way_and_a_step_with_variants_its_variants():
    spec = branching_journey()
    assert [w.event_type for w in spec.steps[1].ways()] == ["loan.checked"]
    assert spec.steps[1].ways()[0].max_loops == 3 and not spec.steps[1].ways()[0].ends_journey
    assert spec.steps[2].event_types == ("loan.approved", "loan.referred", "loan.rejected")
    assert spec.way_of("loan.rejected") == (2, 2) and spec.way_of("loan.checked") == (1, None)
    assert spec.step_index("loan.referred") == 2
    assert spec.way_type(2, 1) == "loan.referred" and spec.way_type(3, None) == "loan.paid"
    assert [e.name for e in spec.errors_of_way(2, 2)] == ["fraud"] and len(spec.errors_on(2)) == 2
    assert spec.uses_version_2 and not replace(spec, steps=(Step("A", "a"), Step("B", "b")), surges=()).uses_version_2


def test_it_places_the_lognormal_percentiles_at_min_and_max():
    mu, sigma = lognormal_parameters(0.5, 8)
    assert math.exp(mu - 1.6448536 * sigma) == pytest.approx(0.5)
    assert math.exp(mu + 1.6448536 * sigma) == pytest.approx(8)
    uncapped = math.exp(mu + sigma**2 / 2)
    assert mean_delay_hours(0.5, 8, "lognormal") == pytest.approx(uncapped, rel=2e-3)  # the cap takes a crumb
    assert mean_delay_hours(0.5, 8, "lognormal") < uncapped
    assert mean_delay_hours(1, 3) == 2 and delay_ceiling_hours(1, 3) == 3
    assert delay_ceiling_hours(0.5, 8, "lognormal") == pytest.approx(math.exp(mu + 3.7190165 * sigma))


def variants(*items):
    return dict(variants=items)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (variants(Variant("Only", "loan.only")), "steps[2].variants: a step offers 2 to 5 variants, not 1"),
        (
            variants(*(Variant(f"V{i}", f"loan.v{i}") for i in range(6))),
            "steps[2].variants: a step offers 2 to 5 variants, not 6",
        ),
        (
            variants(Variant("A", "loan.a", weight=0), Variant("B", "loan.b")),
            "steps[2].variants[0].weight: must be a number above 0",
        ),
        (
            variants(Variant("A", "loan.a"), Variant("A", "loan.b")),
            "steps[2].variants[1].name: 'A' is already a variant of this step",
        ),
        (
            variants(Variant("A", "loan.a"), Variant("B", "loan.checked")),
            "steps[2].variants[1].event_type: 'loan.checked' is already used by step 2",
        ),
        (
            variants(Variant("A", "loan.a", delay_shape="lognormal", max_delay_hours=2), Variant("B", "b")),
            "steps[2].variants[0].min_delay_hours: a lognormal delay needs 0 < min < max"
            " (its 5th and 95th percentiles)",
        ),
        (
            variants(Variant("A", "loan.a", delay_shape="gamma"), Variant("B", "b")),
            "steps[2].variants[0].delay_shape: must be one of uniform, lognormal",
        ),
        (
            variants(Variant("A", "loan.a", ends_journey=True), Variant("B", "b", ends_journey=True)),
            "steps[2].variants: every variant ends the journey, so no journey reaches the next step",
        ),
        (
            dict(event_type="loan.decided"),
            "steps[2].event_type: a step with variants has no event type of its own: each variant has one",
        ),
    ],
)
def test_it_names_the_variant_at_fault(change, expected):
    spec = with_decision_step(branching_journey(errors=()), **change)
    assert expected in messages(spec)


def test_it_ties_errors_and_incidents_to_a_variant():
    spec = branching_journey()
    assert "errors[0].variant: step 'Decision' has variants: name one of them" in messages(
        replace(spec, errors=(ErrorRule("timeout", 2, 4),))
    )
    assert "errors[0].variant: must name one of the variants of step 'Check'" in messages(
        replace(spec, errors=(ErrorRule("timeout", 1, 4, variant=0),))
    )
    too_many = (ErrorRule("a", 2, 60, variant=1), ErrorRule("b", 2, 50, variant=1), ErrorRule("a", 2, 60, variant=0))
    assert messages(replace(spec, errors=too_many)) == [
        "errors: the error %s of step 'Decision / Referred' add up to 110, above 100"
    ]
    incident = Incident(2, "outage", 50, daily_start_hour=1, daily_end_hour=2)
    assert "incidents[0].variant: step 'Decision' has variants: name one of them" in messages(
        replace(spec, incidents=(incident,))
    )
    assert messages(replace(spec, incidents=(replace(incident, variant=1),))) == []


def test_it_checks_surges():
    spec = branching_journey()
    when = datetime(2026, 11, 2, 9, tzinfo=UTC)
    assert messages(replace(spec, surges=(Surge(-1, daily_start_hour=1, daily_end_hour=2),))) == [
        "surges[0].multiplier: must be a number between 0 and 1000"
    ]
    assert messages(replace(spec, surges=(Surge(2, starts_at=when, ends_at=when),))) == [
        "surges[0].ends_at: must be after the start"
    ]
    assert messages(replace(spec, surges=(Surge(2),))) == [
        "surges[0]: needs either an absolute window or daily hours, not both"
    ]
    assert messages(replace(spec, surges=(Surge(0, daily_start_hour=22, daily_end_hour=6),))) == []


def test_it_lets_the_first_step_offer_variants_but_not_loop():
    spec = branching_journey()
    first = replace(spec.steps[0], variants=(Variant("Online", "a", max_loops=2), Variant("Branch", "b")))
    assert messages(replace(spec, steps=(first,) + spec.steps[1:])) == [
        "steps[0].variants[0].max_loops: the first step cannot loop"
    ]


def test_it_writes_version_2_and_reads_it_back_unchanged():
    spec = branching_journey(
        incidents=(Incident(2, "outage", 30, daily_start_hour=22, daily_end_hour=2, variant=1),),
        surges=(
            Surge(3, daily_start_hour=9, daily_end_hour=11),
            Surge(0.2, starts_at=datetime(2026, 12, 24, 18, tzinfo=UTC), ends_at=datetime(2026, 12, 26, tzinfo=UTC)),
        ),
    )
    text = jsonformat.dumps(spec, description="Loans")
    data = json.loads(text)
    assert data["version"] == 2 and "event_type" not in data["steps"][2]
    assert data["steps"][2]["variants"][2]["ends_journey"] is True
    assert data["steps"][3]["delay_shape"] == "lognormal"
    assert data["errors"][1] == {"step": "loan.rejected", "name": "fraud", "pct": 10}
    assert data["incidents"][0]["step"] == "loan.referred"
    assert data["surges"] == [
        {"multiplier": 3, "daily_start_hour": 9, "daily_end_hour": 11},
        {"multiplier": 0.2, "starts_at": "2026-12-24T18:00:00Z", "ends_at": "2026-12-26T00:00:00Z"},
    ]
    assert jsonformat.loads_document(text) == jsonformat.JourneyDocument(spec, "Loans")


def minimal(steps, **extra) -> dict:
    return {
        "format": "bizflow-studio/journey",
        "version": 2,
        "name": "Loans",
        "event_provider": "acme.bank",
        "correlation_field": "loan.id",
        "steps": steps,
        **extra,
    }


def test_it_reads_the_contracts_example_with_step_values_as_defaults():
    decision = {
        "name": "Decision",
        "drop_off_pct": 2,
        "min_delay_hours": 1,
        "max_delay_hours": 3,
        "attributes": ["location"],
        "variants": [
            {
                "name": "Approved",
                "event_type": "loan.approved",
                "weight": 80,
                "min_delay_hours": 0.01,
                "max_delay_hours": 2,
                "delay_shape": "lognormal",
            },
            {"name": "Rejected", "event_type": "loan.rejected", "weight": 20, "ends_journey": True},
        ],
    }
    data = minimal([{"name": "Apply", "event_type": "loan.applied"}, decision], locations=[{"name": "Graz"}])
    step = jsonformat.spec_from_dict(data).steps[1]
    assert step.drop_off_pct == 2 and step.event_type == ""
    approved, rejected = step.variants
    assert (approved.min_delay_hours, approved.max_delay_hours, approved.delay_shape) == (0.01, 2, "lognormal")
    assert (rejected.min_delay_hours, rejected.max_delay_hours, rejected.delay_shape) == (1, 3, "uniform")
    assert rejected.ends_journey and not approved.ends_journey and rejected.weight == 20
    assert approved.carries_location and rejected.carries_location


def two_steps():
    return [{"name": "A", "event_type": "a"}, {"name": "B", "event_type": "b"}]


@pytest.mark.parametrize(
    ("steps", "extra", "expected"),
    [
        ([{"name": "A"}, {"name": "B", "event_type": "b"}], {}, "steps[0].event_type: is missing"),
        (
            [{"name": "A", "event_type": "a", "variants": []}, {"name": "B", "event_type": "b"}],
            {},
            "steps[0]: holds both event_type and variants: a step has one or the other",
        ),
        (
            [{"name": "A", "event_type": "a"}, {"name": "B", "variants": [{"name": "X", "event_type": "x"}] * 2}],
            {},
            "steps[1].variants[0].weight: is missing",
        ),
        (
            two_steps(),
            {"surges": [{"multiplier": "x", "daily_start_hour": 1, "daily_end_hour": 2}]},
            "surges[0].multiplier: must be a number",
        ),
        (
            [
                {"name": "A", "event_type": "a"},
                {"name": "B", "variants": [{"name": "X", "event_type": "x", "weight": 1}]},
            ],
            {},
            "steps[1].variants: a step offers 2 to 5 variants, not 1",
        ),
        (
            two_steps(),
            {"errors": [{"step": "b.x", "name": "e", "pct": 1}]},
            "errors[0].step: no step has the event type 'b.x'",
        ),
    ],
)
def test_it_reports_version_2_mistakes_at_the_files_own_keys(steps, extra, expected):
    with pytest.raises(JourneyImportError) as caught:
        jsonformat.spec_from_dict(minimal(steps, **extra))
    assert expected in [str(error) for error in caught.value.errors]


def test_it_names_the_variant_of_an_error_by_its_event_type_in_a_files_messages():
    steps = [
        {"name": "A", "event_type": "a"},
        {
            "name": "B",
            "variants": [{"name": "X", "event_type": "x", "weight": 1}, {"name": "Y", "event_type": "y", "weight": 1}],
        },
    ]
    data = minimal(steps, errors=[{"step": "y", "name": "e", "pct": 101}])
    with pytest.raises(JourneyImportError) as caught:
        jsonformat.spec_from_dict(data)
    assert [str(error) for error in caught.value.errors] == [
        "errors[0].pct: must be a percentage between 0 and 100",
        "errors: the error %s of step 'B / Y' add up to 101, above 100",
    ]


def test_it_refuses_version_2_keys_in_a_version_1_file():
    data = minimal(
        [{"name": "A", "event_type": "a", "delay_shape": "lognormal"}, {"name": "B", "event_type": "b"}],
        surges=[],
        version=1,
    )
    with pytest.raises(JourneyImportError) as caught:
        jsonformat.spec_from_dict(data)
    assert [str(error) for error in caught.value.errors] == [
        'surges: needs journey format version 2: write "version": 2',
        'steps[0].delay_shape: needs journey format version 2: write "version": 2',
    ]


@pytest.mark.parametrize("path", sorted(V1_JOURNEYS.glob("*.json")), ids=lambda p: p.stem)
def test_it_reads_version_1_files_unchanged_and_writes_them_as_version_2(path):
    text = path.read_text()
    assert json.loads(text)["version"] == 1
    spec = jsonformat.loads(text)
    assert not spec.uses_version_2 and all(error.variant is None for error in spec.errors)
    again = jsonformat.dumps(spec)
    assert json.loads(again)["version"] == 2 and jsonformat.loads(again) == spec
