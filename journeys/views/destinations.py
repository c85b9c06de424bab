"""The destinations pages: the list, create and edit (owners), restart and test the connection."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ..access import tenants_for_user
from ..forms.destinations import DestinationForm, settings_form, settings_form_for_edit
from ..forms.tenancy import TenantChoiceForm
from ..models import Membership
from ..selectors.delivery import destination_get_for_user, destination_list_for_user
from ..services.destinations import destination_check, destination_create, destination_restart, destination_update
from ..sinks import available_kinds
from .working import remember_tenant, working_tenant

Role = Membership.Role


@login_required
def destination_list(request):
    # Creating one is for owners (a user in no tenant creates a workspace of their own first).
    can_create = tenants_for_user(request.user, role=Role.OWNER).exists()
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
    # Credentials are the owners' business: a destination is created in a tenant the user owns, the one
    # they choose (a user in no tenant creates a workspace of their own first, on purpose).
    tenant_form = TenantChoiceForm(
        request.POST or None,
        user=request.user,
        role=Role.OWNER,
        working=working_tenant(request),
        help_text="Whose destination this is: that tenant's owners manage it, its journeys can deliver to it.",
    )
    if not tenant_form.asks:
        raise PermissionDenied("Creating a destination needs the owner role in a tenant.")
    form = DestinationForm(request.POST or None)
    # The file kind checks its folder inside the chosen tenant's own (symbolic links included).
    tenant = tenant_form.chosen() if request.method == "POST" and tenant_form.is_valid() else None
    settings = settings_form(kind, data=request.POST or None, tenant=tenant)
    if request.method == "POST" and all([tenant_form.is_valid(), form.is_valid(), settings.is_valid()]):
        name = form.cleaned_data["name"]
        destination = destination_create(
            owner=request.user,
            tenant=tenant_form.chosen(),
            name=name,
            kind=kind,
            config=settings.to_config(),
            secrets=settings.to_secrets(),
        )
        remember_tenant(request, destination.tenant)
        messages.info(request, f"Destination {name} created in {destination.tenant.name}.")
        return redirect("destination_list")
    context = {
        "form": form,
        "tenant_form": tenant_form,
        "settings_form": settings,
        "kind_label": kinds[kind],
        "destination": None,
    }
    return render(request, "journeys/destination_form.html", context)


@login_required
def destination_edit(request, pk: int):
    destination = destination_get_for_user(request.user, pk, needed=Role.OWNER)
    remember_tenant(request, destination.tenant)
    form = DestinationForm(request.POST or None, initial={"name": destination.name})
    settings = settings_form_for_edit(destination, request.POST or None)
    if request.method == "POST" and form.is_valid() and settings.is_valid():
        name = form.cleaned_data["name"]
        destination_update(
            destination=destination,
            name=name,
            config=settings.to_config(),
            secrets=settings.to_secrets(),
            secrets_reentered=settings.secrets_reentered,
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


@login_required
@require_POST
def destination_test_connection(request, pk: int):
    """Test a destination's connection from its page or the destinations list (owners and editors)."""
    destination = destination_get_for_user(request.user, pk, needed=Role.EDITOR)
    works, message = destination_check(destination=destination)
    if not request.htmx:
        (messages.success if works else messages.error)(request, _outcome(destination.name, works, message))
        return redirect("destination_list")
    context = {"destination": destination, "works": works, "outcome": _outcome(destination.name, works, message)}
    return render(request, "journeys/_connection_outcome.html", context)


def _outcome(name: str, works: bool, message: str) -> str:
    detail = message.removeprefix("ok: ").rstrip(".")
    return f"{name}: connection works: {detail}." if works else f"{name}: connection failed: {detail}."
