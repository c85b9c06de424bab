"""Delivery in the browser: a journey's delivery panel and its buttons, and the destinations pages.

The panel is a fragment (templates/journeys/_delivery_panel.html) that the journey page includes;
every button posts with htmx and gets the refreshed panel back. Without JavaScript the same posts
redirect to a page holding the panel.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from . import tasks
from .access import journey_for_user, role_at_least, role_in, tenants_for_user
from .delivery_forms import AttachForm, DestinationForm, settings_form
from .delivery_selectors import (
    destination_get_for_user,
    destination_list_for_user,
    journey_deliveries,
    journey_delivery_totals,
    journey_dynatrace_deliveries,
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
from .services.probes import destination_probe_request, probe_wanted
from .services.scheduling import journey_activate, journey_pause, journey_resume
from .services.tenancy import tenant_default_for_user
from .sinks import available_kinds

Role = Membership.Role


def _get_journey_for_user(request, slug: str, needed: str = Role.VIEWER) -> Journey:
    """Members of the journey's tenant only (404 for others); 403 below the ``needed`` role."""
    return journey_for_user(request.user, slug, needed=needed)


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
    """The panel fragment for htmx; the page holding it otherwise (after a post: a redirect to it)."""
    if request.method == "POST" and not request.htmx:
        if notice:
            messages.info(request, notice)
        if error:
            messages.error(request, error)
        return redirect("journey_delivery", slug=journey.slug)
    context = {**delivery_panel_context(journey, request.user), "notice": notice, "error": error}
    template = "journeys/_delivery_panel.html" if request.htmx else "journeys/journey_delivery.html"
    return render(request, template, context)


def _start_runs(pairs: list[JourneyDestination]) -> None:
    # The first run starts at once (a backfill need not wait for the next tick). Before a first
    # backfill to Dynatrace, the tenant is asked what it already holds; the run follows the answer.
    for pair in pairs:
        if not pair.active or pair.destination.is_stopped:
            continue
        if probe_wanted(pair) and pair.probe_requested_at is None:
            destination_probe_request(journey_destination=pair)
            tasks.probe_tenant.delay_on_commit(pair.pk, then_deliver=True)
        else:
            tasks.deliver_journey_destination.delay_on_commit(pair.pk)


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
    tasks.send_journey_now.delay_on_commit(journey.pk)
    return panel_response(request, journey, notice="Sending everything that is due now.")


def _put_on_schedule(request, slug: str, *, service, notice) -> HttpResponse:
    """Activate or resume: the same checks, the first runs started at once, then the panel."""
    journey = _get_journey_for_user(request, slug, Role.EDITOR)
    try:
        pairs = service(journey=journey, user=request.user)
    except InvalidJourney as exc:
        return panel_response(request, journey, error=f"This journey cannot run yet: {exc}")
    _start_runs(pairs)
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
    pair = destination_attach(journey=journey, destination=form.cleaned_data["destination"])
    if journey.state == Journey.State.ACTIVE:
        _start_runs([pair])
    return panel_response(request, journey, notice=f"Delivering to {pair.destination.name} too.")


@login_required
@require_POST
def journey_destination_detach(request, slug: str, pair_id: int):
    journey = _get_journey_for_user(request, slug, Role.EDITOR)
    pair = get_object_or_404(JourneyDestination, pk=pair_id, journey=journey)
    destination_detach(journey_destination=pair)
    return panel_response(request, journey, notice=f"No longer delivering to {pair.destination.name}.")


@login_required
def destination_list(request):
    # Creating one is for owners (or a user in no tenant yet, who gets a workspace of their own).
    can_create = tenants_for_user(request.user, role=Role.OWNER).exists() or not request.user.memberships.exists()
    context = {
        "destinations": destination_list_for_user(request.user),
        "kinds": available_kinds(),
        "can_create": can_create,
    }
    return render(request, "journeys/destination_list.html", context)


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
