"""Tests' shortcut to a tenant's membership: invited by ``actor`` and accepted, as on the team page."""

from journeys.services.tenancy import invitation_accept, invitation_create


def add_member(*, tenant, user, role, actor):
    invitation = invitation_create(tenant=tenant, user=user, role=role, actor=actor)
    return invitation_accept(invitation=invitation, user=user)
