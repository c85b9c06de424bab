"""Who may see and do what: every view, form, task and command asks here.

A user sees a tenant's things only as a member. To someone outside, a tenant's journey or
destination does not exist (404, never 403); inside, a role too low to act gets 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from .models import Journey, Membership, Tenant

Role = Membership.Role
_RANK = {Role.VIEWER: 0, Role.EDITOR: 1, Role.OWNER: 2}


def role_at_least(role: str | None, needed: str) -> bool:
    return role is not None and _RANK[Role(role)] >= _RANK[Role(needed)]


def role_in(user, tenant: Tenant) -> str | None:
    if not user.is_authenticated:
        return None
    membership = Membership.objects.filter(tenant=tenant, user=user).only("role").first()
    return membership.role if membership else None


def tenants_for_user(user, *, role: str = Role.VIEWER) -> QuerySet[Tenant]:
    allowed = [r for r in Role if role_at_least(r, role)]
    return Tenant.objects.filter(memberships__user=user, memberships__role__in=allowed).distinct()


def journeys_visible_to(user) -> QuerySet[Journey]:
    return Journey.objects.filter(tenant__memberships__user=user).distinct()


def require_role(user, tenant: Tenant, needed: str) -> str:
    """The user's role in ``tenant``; 404 for outsiders, 403 for members whose role is too low."""
    role = role_in(user, tenant)
    if role is None:
        raise Http404("No such tenant.")
    if not role_at_least(role, needed):
        raise PermissionDenied(f"This needs the {Role(needed).label.lower()} role in {tenant.name}.")
    return role


def journey_for_user(user, slug: str, *, needed: str = Role.VIEWER) -> Journey:
    """The journey ``slug`` if the user is a member of its tenant with at least ``needed``."""
    journey = journeys_visible_to(user).select_related("tenant").filter(slug=slug).first()
    if journey is None:
        raise Http404("No such journey.")
    require_role(user, journey.tenant, needed)
    return journey


def may_create_journeys(user) -> bool:
    """Whether ``user`` may create or import a journey: they are an editor or owner of some tenant."""
    return tenants_for_user(user, role=Role.EDITOR).exists()


def ensure_may_create_journeys(user) -> None:
    """403 for a user who may create journeys nowhere (a viewer, or a user in no tenant yet)."""
    if not may_create_journeys(user):
        raise PermissionDenied("Creating a journey needs the editor role in a tenant.")
