"""Panels that more than one page family shows: a journey's delivery panel and its Dynatrace assets
panel. The views that render or refresh a panel take its context and response from here, so no view
module reaches into another.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render

from ..access import role_at_least, role_in
from ..forms.destinations import AttachForm
from ..models import Destination, Journey, Membership, Run
from ..selectors.assets import journey_asset_problems, journey_tenant_assets
from ..selectors.delivery import (
    journey_deliveries,
    journey_delivery_totals,
    journey_dynatrace_deliveries,
    journey_recent_runs,
)

Role = Membership.Role

ASSETS_PANEL_TEMPLATE = "journeys/_assets_panel.html"


def delivery_panel_context(journey: Journey, user=None) -> dict:
    """What templates/journeys/_delivery_panel.html needs; a page that includes the panel adds this.

    The buttons shown follow ``user``'s role in the journey's tenant (none without a user); the
    views behind them check it again.
    """
    deliveries = list(journey_deliveries(journey))
    runs = list(journey_recent_runs(journey))
    dynatrace = journey_dynatrace_deliveries(journey, deliveries)
    backfilling = journey.state == Journey.State.ACTIVE and any(d.active and d.is_backfilling for d in deliveries)
    waiting = any(d.pair.is_probing or (d.assets is not None and d.assets.is_busy) for d in dynatrace)
    role = role_in(user, journey.tenant) if user is not None else None
    return {
        "journey": journey,
        "deliveries": deliveries,
        "dynatrace_deliveries": dynatrace,
        # The panel refreshes itself while there is progress to watch: a backfill, a run or push under
        # way, a tenant still being asked.
        "refreshing": backfilling or waiting or any(run.outcome == Run.Outcome.RUNNING for run in runs),
        "runs": runs,
        "totals": journey_delivery_totals(journey),
        "attach_form": AttachForm(journey=journey),
        "can_act": role_at_least(role, Role.EDITOR),
        "can_manage_destinations": role_at_least(role, Role.OWNER),
    }


def panel_response(request, journey: Journey, *, notice: str = "", error: str = ""):
    """The delivery panel fragment for htmx; the page holding it otherwise (after a post: a redirect to it)."""
    if request.method == "POST" and not request.htmx:
        if notice:
            messages.info(request, notice)
        if error:
            messages.error(request, error)
        return redirect("journey_delivery", slug=journey.slug)
    context = {**delivery_panel_context(journey, request.user), "notice": notice, "error": error}
    template = "journeys/_delivery_panel.html" if request.htmx else "journeys/journey_delivery.html"
    return render(request, template, context)


def dynatrace_destinations(journey: Journey):
    """The Dynatrace destinations of the journey's tenant: where its assets can be pushed."""
    return Destination.objects.filter(tenant=journey.tenant, kind="dynatrace").order_by("name")


def assets_panel_context(journey: Journey, user, *, error: str = "") -> dict:
    """What the assets panel shows; the journey's pages pass it to ``{% include %}``."""
    records = list(journey_tenant_assets(journey))
    return {
        "journey": journey,
        "asset_problems": journey_asset_problems(journey),
        "asset_destinations": list(dynatrace_destinations(journey)),
        "tenant_assets": records,
        "assets_busy": any(record.is_busy for record in records),
        "assets_error": error,
        # Pushing is for editors and owners; viewers download (the push view checks the role again).
        "can_push": role_at_least(role_in(user, journey.tenant), Role.EDITOR),
    }
