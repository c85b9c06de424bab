"""The team page: the tenants a user belongs to, their members and roles; owners manage members here.

Owners add members by username, change roles and remove members (never the last owner); editors and
viewers see the list read only; a tenant the user is not in does not exist for them (404).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ..access import require_role, role_at_least, tenants_for_user
from ..forms.team import MemberAddForm, RoleForm
from ..models import Membership, Tenant
from ..services.tenancy import LastOwner, membership_remove, membership_set

Role = Membership.Role


def _get_tenant_for_user(request: HttpRequest, slug: str, needed: str = Role.VIEWER) -> Tenant:
    """The tenant if the user is a member: 404 for anyone else, 403 below ``needed``."""
    tenant = tenants_for_user(request.user).filter(slug=slug).first()
    if tenant is None:
        raise Http404("No such tenant.")
    require_role(request.user, tenant, needed)
    return tenant


@dataclass
class TenantTeam:
    tenant: Tenant
    role: str
    members: list[Membership]
    add_form: MemberAddForm | None

    @property
    def is_owner(self) -> bool:
        return role_at_least(self.role, Role.OWNER)


def _teams(user, tenants, *, bound_form: MemberAddForm | None = None) -> list[TenantTeam]:
    roles = dict(Membership.objects.filter(user=user, tenant__in=tenants).values_list("tenant_id", "role"))
    teams = []
    for tenant in tenants:
        members = list(tenant.memberships.select_related("user").order_by("user__username"))
        is_owner = role_at_least(roles[tenant.pk], Role.OWNER)
        form = bound_form if bound_form is not None and bound_form.tenant == tenant else MemberAddForm(tenant=tenant)
        teams.append(TenantTeam(tenant, roles[tenant.pk], members, form if is_owner else None))
    return teams


def _render(request: HttpRequest, tenants, *, bound_form: MemberAddForm | None = None, status: int = 200):
    context = {"teams": _teams(request.user, tenants, bound_form=bound_form), "roles": Role.choices}
    return render(request, "journeys/team.html", context, status=status)


def _back(tenant: Tenant):
    return redirect(reverse("team") + f"#tenant-{tenant.slug}")


@login_required
@require_GET
def team(request: HttpRequest) -> HttpResponse:
    return _render(request, list(tenants_for_user(request.user).order_by("name")))


@login_required
@require_GET
def team_tenant(request: HttpRequest, slug: str) -> HttpResponse:
    tenant = _get_tenant_for_user(request, slug)
    return _render(request, [tenant])


@login_required
@require_POST
def team_member_add(request: HttpRequest, slug: str) -> HttpResponse:
    tenant = _get_tenant_for_user(request, slug, Role.OWNER)
    form = MemberAddForm(request.POST, tenant=tenant)
    if not form.is_valid():
        return _render(request, list(tenants_for_user(request.user).order_by("name")), bound_form=form, status=400)
    membership_set(tenant=tenant, user=form.user, role=form.cleaned_data["role"], actor=request.user)
    role = Role(form.cleaned_data["role"]).label.lower()
    messages.success(request, f"{form.user.username} joined {tenant.name} as {role}.")
    return _back(tenant)


@login_required
@require_POST
def team_member_role(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    tenant = _get_tenant_for_user(request, slug, Role.OWNER)
    membership = get_object_or_404(Membership.objects.select_related("user"), tenant=tenant, user_id=user_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose owner, editor or viewer.")
        return _back(tenant)
    try:
        membership_set(tenant=tenant, user=membership.user, role=form.cleaned_data["role"], actor=request.user)
    except LastOwner as exc:
        messages.error(request, f"{exc}.")
    else:
        role = Role(form.cleaned_data["role"]).label.lower()
        messages.success(request, f"{membership.user.username} is now {role} of {tenant.name}.")
    return _back(tenant)


@login_required
@require_http_methods(["GET", "POST"])
def team_member_remove(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    """GET asks first (in the member's row for htmx, as a page otherwise); POST removes."""
    tenant = _get_tenant_for_user(request, slug, Role.OWNER)
    membership = get_object_or_404(Membership.objects.select_related("user"), tenant=tenant, user_id=user_id)
    if request.method == "GET":
        template = "journeys/member_remove_confirm.html"
        if request.htmx and not request.htmx.boosted:
            template += "#confirm-row"
        return render(request, template, {"tenant": tenant, "membership": membership})
    try:
        membership_remove(tenant=tenant, user=membership.user, actor=request.user)
    except LastOwner as exc:
        messages.error(request, f"{exc}.")
    else:
        messages.success(request, f"{membership.user.username} is no longer a member of {tenant.name}.")
    return _back(tenant)
