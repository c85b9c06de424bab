"""The delivery panel's Dynatrace extras: push the journey's assets to a destination's tenant in one
click, and ask the tenant again what it already holds from the journey. Both answer with the panel.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST
from django_htmx.http import trigger_client_event

from . import tasks
from .access import journey_for_user
from .models import Journey, JourneyDestination, Membership
from .services.assets import AssetPushRefused, journey_assets_request_push
from .services.probes import destination_probe_request
from .views_delivery import panel_response

Role = Membership.Role


def _get_journey_for_user(request, slug: str, needed: str = Role.VIEWER) -> Journey:
    return journey_for_user(request.user, slug, needed=needed)


def _dynatrace_pair(journey: Journey, pair_id: int) -> JourneyDestination:
    return get_object_or_404(
        JourneyDestination.objects.select_related("destination"),
        pk=pair_id,
        journey=journey,
        destination__kind="dynatrace",
    )


@login_required
@require_POST
def journey_delivery_push(request, slug: str, pair_id: int):
    """Push the Business Flow and dashboard to the tenant this journey delivers to (queued for a worker)."""
    journey = _get_journey_for_user(request, slug, Role.EDITOR)
    pair = _dynatrace_pair(journey, pair_id)
    try:
        journey_assets_request_push(journey=journey, destination=pair.destination, user=request.user)
    except AssetPushRefused as exc:
        return panel_response(request, journey, error=str(exc))
    # No notice: the destination's box says "Pushing…" until the links are there.
    response = panel_response(request, journey)
    if request.htmx:  # the journey page's Dynatrace assets tab shows the push too
        trigger_client_event(response, "assetsChanged")
    return response


@login_required
@require_POST
def journey_destination_probe(request, slug: str, pair_id: int):
    """Ask the destination's tenant (again) how many events the journey's provider already has there."""
    journey = _get_journey_for_user(request, slug, Role.EDITOR)
    pair = _dynatrace_pair(journey, pair_id)
    destination_probe_request(journey_destination=pair)
    tasks.probe_tenant.delay_on_commit(pair.pk)
    return panel_response(request, journey)
