"""Tenants and their members, and the audit log every write goes into."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.text import slugify

from ..models import AuditEntry, Invitation, Membership, Tenant

Role = Membership.Role
_RANK = {Role.VIEWER: 0, Role.EDITOR: 1, Role.OWNER: 2}


def audit_record(*, actor, tenant: Tenant | None, action: str, target, details: dict | None = None) -> AuditEntry:
    """Write one audit line: who did ``action`` to ``target`` (a model instance) in ``tenant``."""
    return AuditEntry.objects.create(
        tenant=tenant,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        target_type=target._meta.model_name,
        target_id=str(target.pk or ""),
        target_label=str(target)[:255],
        details=details or {},
    )


def _unique_tenant_slug(name: str) -> str:
    base = slugify(name)[:200] or "tenant"
    slug, counter = base, 2
    while Tenant.objects.filter(slug=slug).exists():
        slug, counter = f"{base}-{counter}", counter + 1
    return slug


DEFAULT_CAP: Any = object()  # a new tenant's cap as the settings say (None: no cap)


def default_caps() -> dict[str, int | None]:
    """The caps a new tenant starts with (``BIZFLOW_DEFAULT_*_CAP``; README, Tenants)."""
    return {
        "events_per_day_cap": settings.BIZFLOW_DEFAULT_EVENTS_PER_DAY_CAP,
        "journeys_per_day_cap": settings.BIZFLOW_DEFAULT_JOURNEYS_PER_DAY_CAP,
    }


@transaction.atomic
def tenant_create(
    *,
    name: str,
    owner,
    events_per_day_cap: int | None = DEFAULT_CAP,
    journeys_per_day_cap: float | None = DEFAULT_CAP,
) -> Tenant:
    """A tenant owned by ``owner``; its caps default to the settings' (pass ``None`` for no cap)."""
    defaults = default_caps()
    tenant = Tenant.objects.create(
        name=name,
        slug=_unique_tenant_slug(name),
        events_per_day_cap=defaults["events_per_day_cap"] if events_per_day_cap is DEFAULT_CAP else events_per_day_cap,
        journeys_per_day_cap=(
            defaults["journeys_per_day_cap"] if journeys_per_day_cap is DEFAULT_CAP else journeys_per_day_cap
        ),
    )
    Membership.objects.create(tenant=tenant, user=owner, role=Role.OWNER)
    audit_record(actor=owner, tenant=tenant, action="tenant.created", target=tenant)
    return tenant


def workspace_create(*, user) -> Tenant:
    """A workspace of ``user``'s own (a tenant they own, with the default caps), made because they asked.

    Refused (:class:`PermissionDenied`) when ``BIZFLOW_SELF_SERVICE_WORKSPACES`` is off, and for a user
    who already owns a tenant: self-service is for people with nowhere to work, not for more tenants.
    """
    if not settings.BIZFLOW_SELF_SERVICE_WORKSPACES:
        raise PermissionDenied("workspaces of one's own are turned off here: ask an owner to add you to their tenant")
    owned = Membership.objects.filter(user=user, role=Role.OWNER).select_related("tenant").first()
    if owned is not None:
        raise PermissionDenied(f"you already own {owned.tenant.name}: create journeys there")
    return tenant_create(name=f"{user.username}'s workspace", owner=user)


class TenantChoiceNeeded(ValueError):
    """Something new for a user who may create it in several tenants, with none named: never guess."""


def tenant_default_for_user(user, *, role: str = Role.EDITOR) -> Tenant:
    """Where a user's new journey (``role`` editor) or destination (owner) goes when no tenant is named.

    Their only tenant where they have ``role``; with none, a workspace of their own (through
    :func:`workspace_create`, so only where self-service is on). With several,
    :class:`TenantChoiceNeeded`: the forms ask which (see ``journeys.forms.tenancy``), and a
    tenant is never picked for the user by its name or its age.
    """
    allowed = [r for r in Role if _RANK[r] >= _RANK[Role(role)]]
    memberships = list(Membership.objects.filter(user=user, role__in=allowed).select_related("tenant")[:2])
    if len(memberships) > 1:
        raise TenantChoiceNeeded(f"{user.username} may create this in several tenants: say which")
    if memberships:
        return memberships[0].tenant
    return workspace_create(user=user)


def ensure_can_create_in(*, user, tenant: Tenant, role: str) -> None:
    """Refuse to file something new of ``user``'s into a tenant where they lack ``role`` (or are no member)."""
    membership = Membership.objects.filter(tenant=tenant, user=user).first()
    if membership is None or _RANK[Role(membership.role)] < _RANK[Role(role)]:
        raise PermissionDenied(f"creating this in {tenant.name} needs the {Role(role).label.lower()} role there")


class LastOwner(ValueError):
    """A change that would leave a tenant without an owner."""


def _ensure_another_owner(tenant: Tenant, user) -> None:
    # Locked so two owners demoting each other at once cannot both succeed.
    owners = Membership.objects.select_for_update().filter(tenant=tenant, role=Role.OWNER)
    owners = list(owners.values_list("user_id", flat=True))
    if owners == [user.pk]:
        raise LastOwner(
            f"{tenant.name} would have no owner left: {user.username} is the last owner, "
            "so make someone else owner first"
        )


class NotAMember(ValueError):
    """A role change for someone who is not a member: people join by accepting an invitation."""


class AlreadyMember(ValueError):
    """An invitation for someone who is a member already: change their role instead."""


@transaction.atomic
def membership_set(*, tenant: Tenant, user, role: str, actor) -> Membership:
    """Change a member's role (never the last owner's). Nobody becomes a member here: see
    :func:`invitation_create`, which asks them first."""
    role = Role(role)
    current = Membership.objects.filter(tenant=tenant, user=user).first()
    if current is None:
        raise NotAMember(f"{user.username} is not a member of {tenant.name}: invite them instead")
    if current.role == role:
        return current
    if current.role == Role.OWNER:
        _ensure_another_owner(tenant, user)
    previous = current.role
    current.role = role
    current.save(update_fields=["role"])
    details = {"user": user.username, "role": role.value, "previous_role": previous}
    audit_record(actor=actor, tenant=tenant, action="member.role_changed", target=current, details=details)
    return current


@transaction.atomic
def invitation_create(*, tenant: Tenant, user, role: str, actor) -> Invitation:
    """Invite ``user`` to ``tenant`` with ``role``; inviting again changes the role offered.

    The invitee is not a member (and sees nothing of the tenant) until they accept.
    """
    role = Role(role)
    if Membership.objects.filter(tenant=tenant, user=user).exists():
        raise AlreadyMember(f"{user.username} is already a member: change their role instead")
    invitation, created = Invitation.objects.update_or_create(
        tenant=tenant, user=user, defaults={"role": role, "invited_by": actor}
    )
    details = {"user": user.username, "role": role.value}
    audit_record(actor=actor, tenant=tenant, action="member.invited", target=invitation, details=details)
    return invitation


def _answer(invitation: Invitation, user) -> Invitation:
    # Locked and re-read, so an invitation answered twice at once is answered once.
    locked = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("tenant", "invited_by")
        .filter(pk=invitation.pk)
    )
    locked = locked.first()
    if locked is None or locked.user_id != user.pk:
        raise Invitation.DoesNotExist("no such invitation for this user")
    return locked


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user) -> Membership:
    """The invitee says yes: they become a member with the role they were offered."""
    invitation = _answer(invitation, user)
    membership, _ = Membership.objects.get_or_create(
        tenant=invitation.tenant, user=user, defaults={"role": invitation.role}
    )
    details = {"user": user.username, "role": membership.role}
    if invitation.invited_by is not None:
        details["invited_by"] = invitation.invited_by.username
    audit_record(actor=user, tenant=invitation.tenant, action="member.joined", target=membership, details=details)
    invitation.delete()
    return membership


@transaction.atomic
def invitation_decline(*, invitation: Invitation, user) -> None:
    """The invitee says no: the invitation is gone, and nothing else changes."""
    invitation = _answer(invitation, user)
    details = {"user": user.username, "role": invitation.role}
    audit_record(actor=user, tenant=invitation.tenant, action="invitation.declined", target=invitation, details=details)
    invitation.delete()


@transaction.atomic
def invitation_cancel(*, invitation: Invitation, actor) -> None:
    """An owner withdraws an invitation not yet answered."""
    details = {"user": invitation.user.username, "role": invitation.role}
    audit_record(
        actor=actor, tenant=invitation.tenant, action="invitation.cancelled", target=invitation, details=details
    )
    invitation.delete()


@transaction.atomic
def membership_remove(*, tenant: Tenant, user, actor) -> None:
    membership = Membership.objects.filter(tenant=tenant, user=user).first()
    if membership is None:
        return
    if membership.role == Role.OWNER:
        _ensure_another_owner(tenant, user)
    audit_record(
        actor=actor, tenant=tenant, action="member.removed", target=membership, details={"user": user.username}
    )
    membership.delete()
