"""A workspace of one's own: a tenant a user creates for themselves, when they ask for it.

It is offered on the journey list to a user who may not create journeys anywhere, unless
``BIZFLOW_SELF_SERVICE_WORKSPACES`` is off; it starts with the default caps (README, Tenants).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ..models import Membership
from ..services.tenancy import workspace_create


def may_start_workspace(user) -> bool:
    """Whether ``user`` is offered a workspace of their own: self-service is on and they own no tenant."""
    if not settings.BIZFLOW_SELF_SERVICE_WORKSPACES:
        return False
    return not Membership.objects.filter(user=user, role=Membership.Role.OWNER).exists()


@login_required
@require_http_methods(["GET", "POST"])
def workspace_new(request: HttpRequest) -> HttpResponse:
    if not may_start_workspace(request.user):
        raise Http404("no workspace to create here")
    if request.method == "POST":
        tenant = workspace_create(user=request.user)
        messages.success(request, f"Created “{tenant.name}”: your journeys and destinations go there.")
        return redirect("journey_list")
    context = {
        "name": f"{request.user.username}'s workspace",
        "events_cap": settings.BIZFLOW_DEFAULT_EVENTS_PER_DAY_CAP,
        "journeys_cap": settings.BIZFLOW_DEFAULT_JOURNEYS_PER_DAY_CAP,
    }
    return render(request, "journeys/workspace_new.html", context)
