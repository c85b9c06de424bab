"""The team page: the tenants a user belongs to, their members and roles; owners manage members here.

Owners invite people by username, change roles and remove members (never the last owner); an
invitee becomes a member only by accepting the invitation, which they find at the top of this page
(and until then sees nothing else of the tenant). Editors and viewers see the list read only; a
tenant the user is not in does not exist for them (404).
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
from ..models import Invitation, Membership, Tenant
from ..services.tenancy import (
    AlreadyMember,
    LastOwner,
    invitation_accept,
    invitation_cancel,
    invitation_create,
    invitation_decline,
    membership_remove,
    membership_set,
)
from .working import remember_tenant

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
    invitations: list[Invitation]  # those not yet answered; shown to owners only

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
        invitations = list(tenant.invitations.select_related("user", "invited_by")) if is_owner else []
        teams.append(TenantTeam(tenant, roles[tenant.pk], members, form if is_owner else None, invitations))
    return teams


def _render(request: HttpRequest, tenants, *, bound_form: MemberAddForm | None = None, status: int = 200):
    context = {
        "teams": _teams(request.user, tenants, bound_form=bound_form),
        "roles": Role.choices,
        # Only the invitation itself: which tenant, which role, who asks; nothing of the tenant's contents.
        "my_invitations": list(
            Invitation.objects.filter(user=request.user).select_related("tenant", "invited_by").order_by("created_at")
        ),
    }
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
    remember_tenant(request, tenant)
    return _render(request, [tenant])


@login_required
@require_POST
def team_member_add(request: HttpRequest, slug: str) -> HttpResponse:
    tenant = _get_tenant_for_user(request, slug, Role.OWNER)
    form = MemberAddForm(request.POST, tenant=tenant)
    if not form.is_valid():
        return _render(request, list(tenants_for_user(request.user).order_by("name")), bound_form=form, status=400)
    try:
        invitation_create(tenant=tenant, user=form.user, role=form.cleaned_data["role"], actor=request.user)
    except AlreadyMember as exc:  # joined between the form's check and now
        messages.error(request, f"{exc}.")
        return _back(tenant)
    role = Role(form.cleaned_data["role"]).label.lower()
    messages.success(
        request, f"{form.user.username} is invited to {tenant.name} as {role}: they join when they accept."
    )
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


def _get_invitation_for_invitee(request: HttpRequest, invitation_id: int) -> Invitation:
    """The user's own invitation: anyone else's does not exist for them (404)."""
    return get_object_or_404(Invitation.objects.select_related("tenant"), pk=invitation_id, user=request.user)


@login_required
@require_POST
def team_invitation_accept(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = _get_invitation_for_invitee(request, invitation_id)
    membership = invitation_accept(invitation=invitation, user=request.user)
    messages.success(request, f"You joined {membership.tenant.name} as {membership.get_role_display().lower()}.")
    return _back(membership.tenant)


@login_required
@require_POST
def team_invitation_decline(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = _get_invitation_for_invitee(request, invitation_id)
    invitation_decline(invitation=invitation, user=request.user)
    messages.success(request, f"You declined the invitation to {invitation.tenant.name}.")
    return redirect("team")


@login_required
@require_POST
def team_invitation_cancel(request: HttpRequest, slug: str, invitation_id: int) -> HttpResponse:
    tenant = _get_tenant_for_user(request, slug, Role.OWNER)
    invitation = get_object_or_404(Invitation.objects.select_related("user"), tenant=tenant, pk=invitation_id)
    invitation_cancel(invitation=invitation, actor=request.user)
    messages.success(request, f"The invitation to {invitation.user.username} is withdrawn.")
    return _back(tenant)
