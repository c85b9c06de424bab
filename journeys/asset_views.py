"""The journey's Dynatrace assets: download them, push them to a tenant, watch the push finish.

The panel (``templates/journeys/_assets_panel.html``) is included by the journey's pages and
re-rendered alone for htmx requests; while a push is queued or running it polls itself.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from .access import journey_for_user
from .asset_selectors import (
    BIZFLOW_FILE,
    DASHBOARD_FILE,
    ZIP_FILE,
    journey_asset_files,
    journey_asset_problems,
    journey_asset_zip,
    journey_tenant_assets,
)
from .models import Destination, Journey, Membership
from .services.assets import AssetPushRefused, journey_assets_request_push

PANEL_TEMPLATE = "journeys/_assets_panel.html"


def _get_journey_for_user(user, slug: str, needed: str = Membership.Role.VIEWER) -> Journey:
    return journey_for_user(user, slug, needed=needed)


def _dynatrace_destinations(journey: Journey):
    return Destination.objects.filter(tenant=journey.tenant, kind="dynatrace").order_by("name")


def assets_panel_context(journey: Journey, user, *, error: str = "") -> dict:
    """What the panel shows; the journey's pages pass it to ``{% include %}``."""
    records = list(journey_tenant_assets(journey))
    return {
        "journey": journey,
        "asset_problems": journey_asset_problems(journey),
        "asset_destinations": list(_dynatrace_destinations(journey)),
        "tenant_assets": records,
        "assets_busy": any(record.is_busy for record in records),
        "assets_error": error,
    }


@login_required
@require_GET
def journey_assets(request, slug: str):
    """The journey's assets page: the panel on a page of its own."""
    journey = _get_journey_for_user(request.user, slug)
    context = assets_panel_context(journey, request.user)
    if request.htmx and not request.htmx.boosted:
        return render(request, PANEL_TEMPLATE, context)
    return render(request, "journeys/journey_assets.html", context)


@login_required
@require_POST
def journey_assets_push(request, slug: str):
    journey = _get_journey_for_user(request.user, slug, Membership.Role.EDITOR)
    error = ""
    chosen = request.POST.get("destination", "")
    destination = _dynatrace_destinations(journey).filter(pk=chosen).first() if chosen.isdigit() else None
    if destination is None:
        error = "Choose one of your Dynatrace destinations."
    else:
        try:
            journey_assets_request_push(journey=journey, destination=destination, user=request.user)
        except AssetPushRefused as exc:
            error = str(exc)
    if request.htmx:
        return render(request, PANEL_TEMPLATE, assets_panel_context(journey, request.user, error=error))
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
