"""The admin's run list names where each run went, deliveries and asset pushes alike."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from journeys.models import Run
from journeys.services.destinations import destination_attach, destination_create
from journeys.services.imports import journey_import_text

from .views.conftest import EXAMPLES

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def test_it_lists_delivery_runs_and_pushes(admin_client, admin_user):
    journey = journey_import_text(text=(EXAMPLES / "travel-booking.json").read_text(), owner=admin_user)
    files = destination_create(owner=admin_user, name="Local files", kind="file", config={})
    tenant = destination_create(owner=admin_user, name="Demo tenant", kind="dynatrace", config={})
    pair = destination_attach(journey=journey, destination=files)
    Run.objects.create(journey_destination=pair, started_at=T0, outcome=Run.Outcome.SUCCESS)
    Run.objects.create(
        kind=Run.Kind.PUSH, journey=journey, destination=tenant, started_at=T0, outcome=Run.Outcome.FAILED
    )

    html = admin_client.get(reverse("admin:journeys_run_changelist")).content.decode()

    # Both runs name their journey and destination: the delivery through its pair, the push directly.
    assert html.count(f'<td class="field-journey_name">{journey.name}</td>') == 2
    assert '<td class="field-destination_name">Local files</td>' in html
    assert '<td class="field-destination_name">Demo tenant</td>' in html and "Asset push" in html
