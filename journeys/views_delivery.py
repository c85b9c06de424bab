"""Delivery in the browser: a journey's delivery panel and its buttons, and the destinations pages.

The panel is a fragment (templates/journeys/_delivery_panel.html) that the journey page includes;
every button posts with htmx and gets the refreshed panel back. Without JavaScript the same posts
redirect to a page holding the panel.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from . import tasks
from .access import journey_for_user, tenants_for_user
from .delivery_forms import AttachForm, DestinationForm, settings_form
from .delivery_selectors import (
    destination_get_for_user,
    destination_list_for_user,
    journey_deliveries,
    journey_delivery_totals,
    journey_recent_runs,
)
from .engine.spec import InvalidJourney
from .models import Journey, JourneyDestination, Membership, Run
from .services.destinations import (
    destination_attach,
    destination_create,
    destination_detach,
    destination_restart,
    destination_update,
)
from .services.scheduling import journey_activate, journey_pause, journey_resume
from .services.tenancy import tenant_default_for_user
from .sinks import available_kinds

Role = Membership.Role


def _get_journey_for_user(request, slug: str, needed: str = Role.VIEWER) -> Journey:
    """Members of the journey's tenant only (404 for others); 403 below the ``needed`` role."""
    return journey_for_user(request.user, slug, needed=needed)


def delivery_panel_context(journey: Journey) -> dict:
    """What templates/journeys/_delivery_panel.html needs; a page that includes the panel adds this."""
    deliveries = list(journey_deliveries(journey))
    runs = list(journey_recent_runs(journey))
    backfilling = journey.state == Journey.State.ACTIVE and any(d.active and d.is_backfilling for d in deliveries)
    return {
        "journey": journey,
        "deliveries": deliveries,
        # The panel refreshes itself while there is progress to watch: a backfill, or a run under way.
        "refreshing": backfilling or any(run.outcome == Run.Outcome.RUNNING for run in runs),
        "runs": runs,
        "totals": journey_delivery_totals(journey),
        "attach_form": AttachForm(journey=journey),
    }


def _panel(request, journey: Journey, *, notice: str = "", error: str = ""):
    """The panel fragment for htmx; the page holding it otherwise (after a post: a redirect to it)."""
    if request.method == "POST" and not request.htmx:
        if notice:
            messages.info(request, notice)
        if error:
            messages.error(request, error)
        return redirect("journey_delivery", slug=journey.slug)
    context = {**delivery_panel_context(journey), "notice": notice, "error": error}
    template = "journeys/_delivery_panel.html" if request.htmx else "journeys/journey_delivery.html"
    return render(request, template, context)


def _start_runs(pairs: list[JourneyDestination]) -> None:
    # The first run starts at once (a backfill need not wait for the next tick).
    for pair in pairs:
        if pair.active and not pair.destination.is_stopped:
            tasks.deliver_journey_destination.delay_on_commit(pair.pk)


@login_required
@require_GET
def journey_delivery(request, slug: str):
    journey = _get_journey_for_user(request, slug)
    return _panel(request, journey)


@login_required
@require_POST
def journey_send_now(request, slug: str):
    journey = _get_journey_for_user(request, slug, Role.EDITOR)
    if journey.state != Journey.State.ACTIVE:
        return _panel(request, journey, error="Activate the journey first: only an active journey sends events.")
    tasks.send_journey_now.delay_on_commit(journey.pk)
    return _panel(request, journey, notice="Sending everything that is due now.")


@login_required
@require_POST
@transaction.atomic
def journey_activate_view(request, slug: str):
    journey = _get_journey_for_user(request, slug, Role.EDITOR)
    try:
        pairs = journey_activate(journey=journey, user=request.user)
    except InvalidJourney as exc:
        return _panel(request, journey, error=f"This journey cannot run yet: {exc}")
    _start_runs(pairs)
    notice = (
        "Active: events are delivered every few minutes." if pairs else "Active. Add a destination to deliver events."
    )
    return _panel(request, journey, notice=notice)


@login_required
@require_POST
def journey_pause_view(request, slug: str):
    journey = _get_journey_for_user(request, slug, Role.EDITOR)
    journey_pause(journey=journey, user=request.user)
    return _panel(request, journey, notice="Paused. Resuming delivers everything that fell due meanwhile.")


@login_required
@require_POST
@transaction.atomic
def journey_resume_view(request, slug: str):
    journey = _get_journey_for_user(request, slug, Role.EDITOR)
    try:
        pairs = journey_resume(journey=journey, user=request.user)
    except InvalidJourney as exc:
        return _panel(request, journey, error=f"This journey cannot run yet: {exc}")
    _start_runs(pairs)
    return _panel(request, journey, notice="Resumed: catching up.")


@login_required
@require_POST
@transaction.atomic
def journey_destination_attach(request, slug: str):
    journey = _get_journey_for_user(request, slug, Role.EDITOR)
    form = AttachForm(request.POST, journey=journey)
    if not form.is_valid():
        return _panel(request, journey, error="Choose one of your destinations.")
    pair = destination_attach(journey=journey, destination=form.cleaned_data["destination"])
    if journey.state == Journey.State.ACTIVE:
        _start_runs([pair])
    return _panel(request, journey, notice=f"Delivering to {pair.destination.name} too.")


@login_required
@require_POST
def journey_destination_detach(request, slug: str, pair_id: int):
    journey = _get_journey_for_user(request, slug, Role.EDITOR)
    pair = get_object_or_404(JourneyDestination, pk=pair_id, journey=journey)
    destination_detach(journey_destination=pair)
    return _panel(request, journey, notice=f"No longer delivering to {pair.destination.name}.")


@login_required
def destination_list(request):
    return render(
        request,
        "journeys/destination_list.html",
        {"destinations": destination_list_for_user(request.user), "kinds": available_kinds()},
    )


@login_required
def destination_create_view(request, kind: str):
    kinds = available_kinds()
    if kind not in kinds:
        raise Http404(f"no destination kind {kind!r}")
    # Credentials are the owners' business: a destination is created in a tenant the user owns (a user
    # in no tenant at all gets a workspace of their own, as with a first journey).
    tenant = tenants_for_user(request.user, role=Role.OWNER).first()
    if tenant is None and not request.user.memberships.exists():
        tenant = tenant_default_for_user(request.user)
    if tenant is None:
        raise PermissionDenied("Creating a destination needs the owner role in a tenant.")
    form = DestinationForm(request.POST or None)
    settings = settings_form(kind, data=request.POST or None)
    if request.method == "POST" and form.is_valid() and settings.is_valid():
        name = form.cleaned_data["name"]
        destination_create(
            owner=request.user,
            tenant=tenant,
            name=name,
            kind=kind,
            config=settings.to_config(),
            secrets=settings.to_secrets(),
        )
        messages.info(request, f"Destination {name} created.")
        return redirect("destination_list")
    context = {"form": form, "settings_form": settings, "kind_label": kinds[kind], "destination": None}
    return render(request, "journeys/destination_form.html", context)


@login_required
def destination_edit(request, pk: int):
    destination = destination_get_for_user(request.user, pk, needed=Role.OWNER)
    form = DestinationForm(request.POST or None, initial={"name": destination.name})
    settings = settings_form(destination.kind, destination=destination, data=request.POST or None)
    if request.method == "POST" and form.is_valid() and settings.is_valid():
        name = form.cleaned_data["name"]
        destination_update(
            destination=destination,
            name=name,
            config=settings.to_config(),
            secrets=settings.to_secrets(),
            actor=request.user,
        )
        messages.info(request, f"Destination {name} saved.")
        return redirect("destination_list")
    context = {
        "form": form,
        "settings_form": settings,
        "kind_label": destination.get_kind_display(),
        "destination": destination,
    }
    return render(request, "journeys/destination_form.html", context)


@login_required
@require_POST
def destination_restart_view(request, pk: int):
    destination = destination_get_for_user(request.user, pk, needed=Role.EDITOR)
    destination_restart(destination=destination)
    messages.info(request, f"{destination.name} will be tried again at the next tick.")
    return redirect("destination_list")
