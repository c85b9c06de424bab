"""Benchmarks behind ``manage.py bench``: each returns its figures; the command prints them with their targets."""

from dataclasses import replace
from pathlib import Path

from ..engine.jsonformat import loads
from ..engine.spec import JourneySpec

RETAIL_EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "retail-order-delivery.json"


def retail_spec(**changes) -> JourneySpec:
    """The reference generator's retail example, as shipped in journeys/examples, with ``changes``."""
    spec = loads(RETAIL_EXAMPLE.read_text(encoding="utf-8"))
    return replace(spec, **changes) if changes else spec


def branching_retail_spec(**changes) -> JourneySpec:
    """The retail example with ways that branch: orders placed on the web, in the app or by phone, and
    shipped by courier, to a parcel locker or for pickup, each after its own lognormal wait; pickup
    orders end there (an end state)."""
    from ..engine.spec import ErrorRule, Variant

    spec = retail_spec()
    steps = list(spec.steps)
    place = steps[0]
    carries = dict(carries_location=True, carries_segment=True, carries_revenue=True)
    steps[0] = replace(
        place,
        event_type="",
        variants=(
            Variant("Web", "place.order.web", weight=60, **carries),
            Variant("App", "place.order.app", weight=30, **carries),
            Variant("Phone", "place.order.phone", weight=10, **carries),
        ),
    )
    lognormal = dict(min_delay_hours=0.5, max_delay_hours=1.0, delay_shape="lognormal")
    steps[4] = replace(
        steps[4],
        event_type="",
        variants=(
            Variant("Courier", "order.shipped", weight=70, **lognormal),
            Variant("Parcel locker", "order.shipped.locker", weight=20, **lognormal),
            Variant("Pickup", "order.ready.pickup", weight=10, ends_journey=True, **lognormal),
        ),
    )
    steps[3] = replace(steps[3], delay_shape="lognormal")
    errors = tuple(ErrorRule(e.name, e.step, e.pct, variant=0) if e.step == 4 else e for e in spec.errors)
    spec = replace(spec, name="Retail order delivery (branching)", steps=tuple(steps), errors=errors)
    return replace(spec, **changes) if changes else spec
