"""Asking a Dynatrace tenant, before a first backfill, what it already holds from the journey's provider."""

from datetime import UTC, datetime, timedelta

import pytest
import requests
from django.contrib.auth import get_user_model

from journeys.engine.generator import generate
from journeys.models import JourneyDestination
from journeys.services.delivery import delivery_catch_up
from journeys.services.destinations import destination_attach, destination_create
from journeys.services.journeys import journey_create_from_spec
from journeys.services.probes import destination_probe, destination_probe_request, probe_wanted
from journeys.services.scheduling import journey_activate

from ..assets.conftest import ACCOUNT_URN
from ..assets.journeys_for_tests import small_journey

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice():
    return get_user_model().objects.create_user("alice", password="x")


@pytest.fixture
def journey(alice):
    return journey_create_from_spec(spec=small_journey(), owner=alice)


def dynatrace(owner, dt, *, auth: str = "oauth"):
    if auth == "oauth":
        config = {"environment_url": dt.url, "auth_type": "oauth", "token_url": dt.token_url}
        secrets = {"client_id": "dt0s02.TEST", "client_secret": "dt0s02.TEST.SECRET", "account_urn": ACCOUNT_URN}
    else:
        config, secrets = {"environment_url": dt.url, "auth_type": "api_token"}, {"api_token": dt.api_token}
    return destination_create(owner=owner, name="Demo tenant", kind="dynatrace", config=config, secrets=secrets)


def activated_pair(journey, destination) -> JourneyDestination:
    pair = destination_attach(journey=journey, destination=destination)
    journey_activate(journey=journey, user=journey.owner)
    pair.refresh_from_db()
    return pair


def send_last_hour(dt, spec) -> int:
    end = datetime.now(UTC)
    headers = {"Authorization": f"Api-Token {dt.api_token}", "Content-Type": "application/json"}
    sent = 0
    for batch in generate(spec, end - timedelta(hours=1), end):
        assert requests.post(dt.ingest_url, data=batch.json_array(), headers=headers, timeout=10).status_code == 202
        sent += len(batch)
    return sent


def test_it_finds_an_empty_provider(dt, journey):
    pair = activated_pair(journey, dynatrace(journey.owner, dt))
    destination_probe_request(journey_destination=pair)
    assert JourneyDestination.objects.get(pk=pair.pk).is_probing

    probed = destination_probe(journey_destination_id=pair.pk)

    stored = JourneyDestination.objects.get(pk=pair.pk)
    assert (stored.probe_events, stored.probe_error) == (0, "") and not stored.is_probing
    assert probed.probed_at == stored.probed_at
    assert any('event.provider == "acme.retail"' in query for query in dt.executed_queries)


def test_it_counts_what_the_provider_already_sent(dt, journey):
    sent = send_last_hour(dt, small_journey())
    pair = activated_pair(journey, dynatrace(journey.owner, dt))

    destination_probe(journey_destination_id=pair.pk)

    assert JourneyDestination.objects.get(pk=pair.pk).probe_events == sent > 0


def test_it_says_why_an_api_token_cannot_ask(dt, journey):
    pair = activated_pair(journey, dynatrace(journey.owner, dt, auth="api_token"))

    destination_probe(journey_destination_id=pair.pk)

    stored = JourneyDestination.objects.get(pk=pair.pk)
    assert stored.probe_events is None and "cannot read business events with DQL" in stored.probe_error
    assert dt.api_token not in stored.probe_error


def test_it_says_when_the_tenant_is_unreachable(dt, journey):
    pair = activated_pair(journey, dynatrace(journey.owner, dt))
    dt.set_down()

    destination_probe(journey_destination_id=pair.pk)

    stored = JourneyDestination.objects.get(pk=pair.pk)
    assert stored.probe_events is None and stored.probe_error != "" and stored.probed_at is not None


def test_it_skips_a_pair_deleted_meanwhile():
    assert destination_probe(journey_destination_id=999_999) is None


def test_it_wants_a_probe_only_before_the_first_delivery_to_dynatrace(dt, journey, tmp_path, settings):
    settings.BIZFLOW_EVENTS_DIR = tmp_path
    files = destination_create(owner=journey.owner, name="Files", kind="file", config={})
    tenant = dynatrace(journey.owner, dt)
    draft = destination_attach(journey=journey, destination=tenant)
    assert not probe_wanted(draft)  # no backfill planned yet
    files_pair, tenant_pair = activated_pair(journey, files), JourneyDestination.objects.get(pk=draft.pk)
    assert probe_wanted(tenant_pair) and not probe_wanted(files_pair)

    delivery_catch_up(journey_destination_id=tenant_pair.pk, now=datetime.now(UTC))

    assert not probe_wanted(JourneyDestination.objects.get(pk=tenant_pair.pk))
