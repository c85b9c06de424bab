"""Tenants and their members, and the audit log every write goes into."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.text import slugify

from ..models import AuditEntry, Membership, Tenant

Role = Membership.Role


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


def tenant_default_for_user(user) -> Tenant:
    """Where a user's new journeys go: the first tenant they may edit in, else a workspace of their own.

    The web app offers journeys only to users who may edit somewhere (a workspace is an explicit
    choice there, see :func:`workspace_create`); this fallback serves the command line.
    """
    membership = (
        Membership.objects.filter(user=user, role__in=[Role.OWNER, Role.EDITOR])
        .select_related("tenant")
        .order_by("id")
        .first()
    )
    if membership:
        return membership.tenant
    return workspace_create(user=user)


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


@transaction.atomic
def membership_set(*, tenant: Tenant, user, role: str, actor) -> Membership:
    """Add ``user`` to ``tenant`` with ``role``, or change their role (never the last owner's)."""
    role = Role(role)
    current = Membership.objects.filter(tenant=tenant, user=user).first()
    if current is not None and current.role == role:
        return current
    if current is not None and current.role == Role.OWNER:
        _ensure_another_owner(tenant, user)
    membership, created = Membership.objects.update_or_create(tenant=tenant, user=user, defaults={"role": role})
    action = "member.added" if created else "member.role_changed"
    details = {"user": user.username, "role": role.value}
    if current is not None:
        details["previous_role"] = current.role
    audit_record(actor=actor, tenant=tenant, action=action, target=membership, details=details)
    return membership


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
