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
