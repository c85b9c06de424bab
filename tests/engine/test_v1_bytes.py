"""A journey that uses none of the version 2 features produces exactly the bytes it always has.

The journeys in ``v1_journeys/`` are the example journeys as they were before variants, end states,
delay shapes and surges existed; the digests below were taken from that engine. Two days of events
in both timestamp formats, the forecast (to nine significant digits) and the longest duration must
stay the same, so adding features can never shift an existing journey's stream.
The forecast digests cover its notes too: they were retaken when the daylight saving note was
reworded (and dropped for zones without summer time), with the figures checked unchanged.
"""

import hashlib
import json
from datetime import timedelta
from pathlib import Path

import pytest

from journeys.engine.compiled import compile_journey
from journeys.engine.forecast import forecast
from journeys.engine.generator import generate
from journeys.engine.jsonformat import loads

from .helpers import DAY

V1_JOURNEYS = Path(__file__).parent / "v1_journeys"

PINNED = {
    "card-payment": (
        "df0cb0baee044d2fb4dc0262aecff4919666b252519141de5c6435a368b6f487",
        "b4939b2c179f85af0f0358fc7d503788ed188218ca855f41f42522793094a384",
        136915200,
    ),
    "insurance-claim": (
        "4d29f8455ae7e3bfee30f077d66e8af1fd1fb4e7994c46ff8c5fe5085b0ce174",
        "6cd56d56b22a16cf7174a2526819c14e9b5646e12855978a4b925f38223e932e",
        378000000,
    ),
    "loan-validation": (
        "d54c52546a36bdf147dd3d6e1bedc86f3f95dbb161cee135cb407456d34e79c9",
        "bdba31b1f00a9f8483f65c4f4d543508c62bf1c927f4a3aca6473fb79d956fa4",
        101376000,
    ),
    "mortgage-application": (
        "5bc4fb3c0c041762444a5d3cee55883581fde929f8c04d5fd97377c0c3496209",
        "81714c790a8037fdb5334fd4961fc8648d625308fe1556b5ad9370a890ab0fa2",
        334800000,
    ),
    "retail-order-delivery": (
        "d3e6aac31a6155fd90743f5f6d2947883431517b2dbee12bbc234dbbba078702",
        "80bc6b3d762ea10b1baa54554c3d0a25f2141aa4dc9872ebd5c60b997da32ab2",
        18000000,
    ),
    "travel-booking": (
        "0ffb01ff2950ff60dbe1ffb4a64a6bfd7470c2d12036106baa2b90289375823d",
        "8b07e581d7a4b7c60832ac36e8d81b06e0b87221b2618d79378fb59873018a10",
        176040000,
    ),
}


def _rounded(value):
    if isinstance(value, float):
        return float(f"{value:.9g}")
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_rounded(item) for item in value]
    return value


def _version_1_fields(data: dict) -> dict:
    """The forecast's figures as they were before version 2 added outcomes, surges and variants."""
    for key in ("outcomes", "surges", "base_journeys_per_day"):
        data.pop(key)
    for step in data["steps"]:
        assert step.pop("variants") == []
    for incident in data["incidents"]:
        assert incident.pop("variant") is None
    return data


@pytest.mark.parametrize("name", sorted(PINNED))
def test_it_keeps_a_version_1_journeys_events_forecast_and_duration(name):
    spec = loads((V1_JOURNEYS / f"{name}.json").read_text())
    events_digest, forecast_digest, max_duration_ms = PINNED[name]
    digest = hashlib.sha256()
    for timestamp_format in ("rfc3339", "epoch_ms"):
        for batch in generate(spec, DAY, DAY + timedelta(days=2), timestamp_format=timestamp_format):
            digest.update(batch.data)
    assert digest.hexdigest() == events_digest
    plain = json.dumps(_rounded(_version_1_fields(forecast(spec).to_dict())), sort_keys=True).encode()
    assert hashlib.sha256(plain).hexdigest() == forecast_digest
    assert compile_journey(spec).max_duration_ms == max_duration_ms
