"""The cast for the journey pages: alice owns journeys, bob is her teammate, charlie an outsider.

There are no teams yet, so bob sees no more of alice's journeys than charlie does.
"""

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from journeys.engine.jsonformat import spec_to_dict
from journeys.forms.convert import values_from_spec
from journeys.selectors import journey_to_spec
from journeys.services.imports import journey_import_text

EXAMPLES = Path(__file__).resolve().parents[2] / "journeys" / "examples"


def make_user(username: str):
    return get_user_model().objects.create_user(username, password=f"{username}-password")


@pytest.fixture
def alice(db):
    return make_user("alice")


@pytest.fixture
def bob(db):
    return make_user("bob")


@pytest.fixture
def charlie(db):
    return make_user("charlie")


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def retail(alice):
    """Alice's copy of the reference retail journey: 7 steps, an optional step, a loop and an error."""
    return journey_import_text(text=(EXAMPLES / "retail-order-delivery.json").read_text(), owner=alice)


def editor_data(journey, **changes) -> dict[str, str]:
    """What the editor posts for ``journey`` as it is stored, with ``changes`` (field name: value) applied."""
    data = values_from_spec(journey_to_spec(journey), description=journey.description).to_data()
    data.update(changes)
    return data


def export_of(journey) -> dict:
    return spec_to_dict(journey_to_spec(journey), description=journey.description)

# The local Dynatrace tenant that the asset push talks to.
from tests.assets.conftest import dt  # noqa: E402, F401
