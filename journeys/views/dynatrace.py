"""A journey's Dynatrace assets: download them, push them to a tenant, watch the push finish; and the
delivery panel's Dynatrace extras (push to the tenant a journey delivers to, ask that tenant again
what it already holds from the journey), which answer with the delivery panel.

The assets panel (``templates/journeys/_assets_panel.html``) is included by the journey's pages and
re-rendered alone for htmx requests; while a push is queued or running it polls itself.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from ..access import journey_for_user
from ..models import Journey, JourneyDestination, Membership
from ..selectors.assets import BIZFLOW_FILE, DASHBOARD_FILE, ZIP_FILE, journey_asset_files, journey_asset_zip
from ..services.assets import AssetPushRefused, journey_assets_request_push
from ..services.probes import destination_probe_request
from ..services.queue import enqueue_probe
from .panels import ASSETS_PANEL_TEMPLATE, assets_panel_context, dynatrace_destinations, panel_response

Role = Membership.Role


def _get_journey_for_user(user, slug: str, needed: str = Role.VIEWER) -> Journey:
    return journey_for_user(user, slug, needed=needed)


@login_required
@require_GET
def journey_assets(request, slug: str):
    """The journey's assets page: the panel on a page of its own."""
    journey = _get_journey_for_user(request.user, slug)
    context = assets_panel_context(journey, request.user)
    if request.htmx and not request.htmx.boosted:
        return render(request, ASSETS_PANEL_TEMPLATE, context)
    return render(request, "journeys/journey_assets.html", context)


@login_required
@require_POST
def journey_assets_push(request, slug: str):
    journey = _get_journey_for_user(request.user, slug, Role.EDITOR)
    error = ""
    chosen = request.POST.get("destination", "")
    destination = dynatrace_destinations(journey).filter(pk=chosen).first() if chosen.isdigit() else None
    if destination is None:
        error = "Choose one of your Dynatrace destinations."
    else:
        try:
            journey_assets_request_push(journey=journey, destination=destination, user=request.user)
        except AssetPushRefused as exc:
            error = str(exc)
    if request.htmx:
        response = render(request, ASSETS_PANEL_TEMPLATE, assets_panel_context(journey, request.user, error=error))
        if not error:  # the journey page's delivery tab lists the push among its runs
            trigger_client_event(response, "deliveryChanged")
        return response
    return redirect("journey_assets", slug=journey.slug)


@login_required
@require_GET
def journey_assets_download(request, slug: str, filename: str):
    journey = _get_journey_for_user(request.user, slug)
    if filename == ZIP_FILE:
        content, content_type = journey_asset_zip(journey), "application/zip"
    elif filename in (BIZFLOW_FILE, DASHBOARD_FILE):
        content, content_type = journey_asset_files(journey)[filename], "application/json"
    else:
        raise Http404("No such file")
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{journey.slug}-{filename}"'
    return response


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
    journey = _get_journey_for_user(request.user, slug, Role.EDITOR)
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
    journey = _get_journey_for_user(request.user, slug, Role.EDITOR)
    pair = _dynatrace_pair(journey, pair_id)
    destination_probe_request(journey_destination=pair)
    enqueue_probe(journey_destination_id=pair.pk)
    return panel_response(request, journey)
