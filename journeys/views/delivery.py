"""A journey's delivery panel and its buttons: activate, pause, resume, send now, attach, detach.

The panel is a fragment (templates/journeys/_delivery_panel.html) that the journey page includes;
every button posts with htmx and gets the refreshed panel back. Without JavaScript the same posts
redirect to a page holding the panel.
"""

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ..access import journey_for_user
from ..engine.spec import InvalidJourney
from ..forms.destinations import AttachForm
from ..models import Journey, JourneyDestination, Membership
from ..services.destinations import destination_attach, destination_detach
from ..services.queue import enqueue_send_now
from ..services.scheduling import journey_activate, journey_destinations_start, journey_pause, journey_resume
from .panels import panel_response

Role = Membership.Role


def _get_journey_for_user(request, slug: str, needed: str = Role.VIEWER) -> Journey:
    """Members of the journey's tenant only (404 for others); 403 below the ``needed`` role."""
    return journey_for_user(request.user, slug, needed=needed)


@login_required
@require_GET
def journey_delivery(request, slug: str):
    journey = _get_journey_for_user(request, slug)
    return panel_response(request, journey)


@login_required
@require_POST
def journey_send_now(request, slug: str):
    journey = _get_journey_for_user(request, slug, Role.EDITOR)
    if journey.state != Journey.State.ACTIVE:
        error = "Activate the journey first: only an active journey sends events."
        return panel_response(request, journey, error=error)
    enqueue_send_now(journey_id=journey.pk)
    return panel_response(request, journey, notice="Sending everything that is due now.")


def _put_on_schedule(request, slug: str, *, service, notice) -> HttpResponse:
    """Activate or resume: the same checks, the first runs started at once, then the panel."""
    journey = _get_journey_for_user(request, slug, Role.EDITOR)
    try:
        pairs = service(journey=journey, user=request.user)
    except InvalidJourney as exc:
        return panel_response(request, journey, error=f"This journey cannot run yet: {exc}")
    journey_destinations_start(pairs=pairs)
    return panel_response(request, journey, notice=notice(pairs))


@login_required
@require_POST
@transaction.atomic
def journey_activate_view(request, slug: str):
    def notice(pairs) -> str:
        if pairs:
            return "Active: events are delivered every few minutes."
        return "Active. Add a destination to deliver events."

    return _put_on_schedule(request, slug, service=journey_activate, notice=notice)


@login_required
@require_POST
def journey_pause_view(request, slug: str):
    journey = _get_journey_for_user(request, slug, Role.EDITOR)
    journey_pause(journey=journey, user=request.user)
    return panel_response(request, journey, notice="Paused. Resuming delivers everything that fell due meanwhile.")


@login_required
@require_POST
@transaction.atomic
def journey_resume_view(request, slug: str):
    return _put_on_schedule(request, slug, service=journey_resume, notice=lambda pairs: "Resumed: catching up.")


@login_required
@require_POST
@transaction.atomic
def journey_destination_attach(request, slug: str):
    journey = _get_journey_for_user(request, slug, Role.EDITOR)
    form = AttachForm(request.POST, journey=journey)
    if not form.is_valid():
        return panel_response(request, journey, error="Choose one of your destinations.")
    pair = destination_attach(journey=journey, destination=form.cleaned_data["destination"], actor=request.user)
    if journey.state == Journey.State.ACTIVE:
        journey_destinations_start(pairs=[pair])
    return panel_response(request, journey, notice=f"Delivering to {pair.destination.name} too.")


@login_required
@require_http_methods(["GET", "POST"])
def journey_destination_detach(request, slug: str, pair_id: int):
    """GET asks first (in the panel's row for htmx, as a page otherwise); POST detaches."""
    journey = _get_journey_for_user(request, slug, Role.EDITOR)
    pair = get_object_or_404(JourneyDestination.objects.select_related("destination"), pk=pair_id, journey=journey)
    if request.method == "GET":
        template = "journeys/detach_confirm.html"
        if request.htmx and not request.htmx.boosted:
            template += "#confirm-row"
        return render(request, template, {"journey": journey, "pair": pair})
    destination_detach(journey_destination=pair, actor=request.user)
    return panel_response(request, journey, notice=f"No longer delivering to {pair.destination.name}.")
