"""Test a destination's connection from its page or the destinations list (owners and editors)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .delivery_selectors import destination_get_for_user
from .models import Membership
from .services.destinations import destination_check


@login_required
@require_POST
def destination_test_connection(request, pk: int):
    destination = destination_get_for_user(request.user, pk, needed=Membership.Role.EDITOR)
    works, message = destination_check(destination=destination)
    if not request.htmx:
        (messages.success if works else messages.error)(request, _outcome(destination.name, works, message))
        return redirect("destination_list")
    context = {"destination": destination, "works": works, "outcome": _outcome(destination.name, works, message)}
    return render(request, "journeys/_connection_outcome.html", context)


def _outcome(name: str, works: bool, message: str) -> str:
    detail = message.removeprefix("ok: ").rstrip(".")
    return f"{name}: connection works: {detail}." if works else f"{name}: connection failed: {detail}."
