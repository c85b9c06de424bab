"""The cast for the journey pages: alice owns journeys, bob is her teammate, charlie an outsider.

Without the ``team`` fixture bob sees no more of alice's journeys than charlie does; with it, alice
owns the tenant Acme, bob edits there and victor views.
"""

from pathlib import Path
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model

from journeys.engine.jsonformat import spec_to_dict
from journeys.forms.convert import values_from_spec
from journeys.models import Membership
from journeys.selectors.journeys import journey_to_spec
from journeys.services.imports import journey_import_text
from journeys.services.tenancy import tenant_create
from tests.members import add_member

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
def victor(db):
    return make_user("victor")


@pytest.fixture
def team(alice, bob, victor, charlie):
    """Acme: alice owns it, bob edits, victor views; charlie is in no tenant of theirs. Holds the retail journey."""
    acme = tenant_create(name="Acme", owner=alice)
    add_member(tenant=acme, user=bob, role=Membership.Role.EDITOR, actor=alice)
    add_member(tenant=acme, user=victor, role=Membership.Role.VIEWER, actor=alice)
    text = (EXAMPLES / "retail-order-delivery.json").read_text()
    journey = journey_import_text(text=text, owner=alice, tenant=acme)
    return SimpleNamespace(tenant=acme, journey=journey, alice=alice, bob=bob, victor=victor, charlie=charlie)


def logged_in(client, user):
    client.force_login(user)
    return client


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
