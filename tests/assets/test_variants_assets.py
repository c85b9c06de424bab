"""The Business Flow and dashboard of a journey with variants and end states."""

from dataclasses import replace

from journeys.assets import dql
from journeys.assets.bizflow import all_event_types, build_bizflow, check_bizflow_limits
from journeys.assets.dashboard import build_dashboard
from journeys.engine.spec import ErrorRule, Step, Variant

from ..engine.helpers import branching_journey


def _links(value: dict) -> set[tuple[str, str]]:
    names = {step["id"]: step["events"][0]["name"] for step in value["steps"]}
    return {(names[c["source"]], names[c["target"]]) for c in value["connections"]}


def test_it_makes_each_variant_a_business_flow_step_with_its_event_and_error_types():
    value = build_bizflow(branching_journey())
    steps = {s["name"]: [e["name"] for e in s["events"]] for s in value["steps"]}
    assert steps == {
        "Apply: Online": ["loan.applied.online"],
        "Apply: Branch": ["loan.applied.branch"],
        "Check": ["loan.checked"],
        "Decision: Approved": ["loan.approved", "loan.approved.timeout"],
        "Decision: Referred": ["loan.referred"],
        "Decision: Rejected": ["loan.rejected", "loan.rejected.fraud"],
        "Payout": ["loan.paid"],
    }
    assert [s["isRoot"] for s in value["steps"]] == [True, True, False, False, False, False, False]
    assert value["kpiEvent"]["name"] == "loan.applied.branch"


def test_it_connects_every_going_on_variant_to_every_variant_of_the_next_step_and_loops():
    assert _links(build_bizflow(branching_journey())) == {
        ("loan.applied.online", "loan.checked"),
        ("loan.applied.branch", "loan.checked"),
        ("loan.checked", "loan.checked"),  # Check loops
        ("loan.checked", "loan.approved"),
        ("loan.checked", "loan.referred"),
        ("loan.checked", "loan.rejected"),
        ("loan.approved", "loan.paid"),
        ("loan.referred", "loan.paid"),
        ("loan.referred", "loan.referred"),  # Referred loops; Rejected ends the journey: no link on
    }


def test_it_counts_variants_in_the_limits_and_names_the_step_at_fault():
    spec = branching_journey()
    wide = Step("Offer", "", variants=tuple(Variant(f"Offer {i}", f"loan.offer.{i}") for i in range(5)))
    spec = replace(spec, steps=(*spec.steps[:3], replace(spec.steps[3], optional_pct=50), wide))
    problems = check_bizflow_limits(spec)
    assert len(problems) == 2
    assert problems[0].startswith("Step 'Decision: Approved' leads on to 6 steps")
    assert problems[1].startswith("Step 'Decision: Referred' leads on to 6 steps")
    errors = tuple(ErrorRule(f"e{i}", 2, 1, variant=2) for i in range(5))
    assert check_bizflow_limits(replace(branching_journey(), errors=errors)) == [
        "Step 'Decision: Rejected' has 6 events (its own and 5 error types); a Business Flow step holds at most 5. "
        "Remove or merge errors on it."
    ]
    assert check_bizflow_limits(replace(branching_journey(), errors=errors[:4])) == []
    many = replace(
        branching_journey(),
        steps=branching_journey().steps + tuple(Step(f"S{i}", f"s.{i}") for i in range(14)),
    )
    assert check_bizflow_limits(many)[0].startswith("The journey has 21 steps and variants; a Business Flow shows")


def test_it_adds_a_tile_of_flows_by_variant_and_one_of_how_flows_end():
    spec = branching_journey()
    tiles = {t["title"]: t for t in build_dashboard(spec)["tiles"].values() if t["type"] == "data"}
    assert {"Flows by variant: Apply", "Flows by variant: Decision", "How flows end (last event)"} <= set(tiles)
    decision = dql.usage(tiles["Flows by variant: Decision"]["query"])
    assert decision.strings == {
        "acme.bank",
        "loan.approved",
        "loan.approved.timeout",
        "loan.referred",
        "loan.rejected",
        "loan.rejected.fraud",
    }
    for title, tile in tiles.items():
        used = dql.usage(tile["query"])
        assert used.sources == {"bizevents"}, title
        types = used.strings & set(all_event_types(spec))
        assert types, title
    completed = dql.usage(
        next(t for t in build_dashboard(spec)["tiles"].values() if t.get("title") == "Flows completed")["query"]
    )
    assert completed.strings & set(all_event_types(spec)) == {"loan.paid"}
