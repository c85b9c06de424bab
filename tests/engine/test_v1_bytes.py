"""A journey that uses none of the version 2 features produces exactly the bytes it always has.

The journeys in ``v1_journeys/`` are the example journeys as they were before variants, end states,
delay shapes and surges existed; the digests below were taken from that engine. Two days of events
in both timestamp formats, the forecast (to nine significant digits) and the longest duration must
stay the same, so adding features can never shift an existing journey's stream.
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
        "e807ddd6fbd9a396bd46d1a5b2d27368d56f860cb1f016f918dc3c98e912b699",
        136915200,
    ),
    "insurance-claim": (
        "4d29f8455ae7e3bfee30f077d66e8af1fd1fb4e7994c46ff8c5fe5085b0ce174",
        "adfeb63113793eb0449b8215072d1995aef2c22d310568cc7b5ff4956c4669b6",
        378000000,
    ),
    "loan-validation": (
        "d54c52546a36bdf147dd3d6e1bedc86f3f95dbb161cee135cb407456d34e79c9",
        "167a782fbd0282d5e7fd2a1f53f44f46403f6775660f5a5c00e6c3b9e5e6cee6",
        101376000,
    ),
    "mortgage-application": (
        "5bc4fb3c0c041762444a5d3cee55883581fde929f8c04d5fd97377c0c3496209",
        "7fc22056583158cfaa97d527df7e04e1c411055e163627ab15ebe4eb90027e7e",
        334800000,
    ),
    "retail-order-delivery": (
        "d3e6aac31a6155fd90743f5f6d2947883431517b2dbee12bbc234dbbba078702",
        "dcd4429173f44de4c33b64bdc9575dfc7a1557c1076f015d0aa2db1739288701",
        18000000,
    ),
    "travel-booking": (
        "0ffb01ff2950ff60dbe1ffb4a64a6bfd7470c2d12036106baa2b90289375823d",
        "4402e14b2a5106e4986dcd15e09598833729305d3a856463d55d6aaf31d36977",
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
