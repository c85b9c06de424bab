"""The admin's members inline keeps at least one owner per tenant, as the team page does."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from journeys.models import AuditEntry, Membership
from journeys.services.tenancy import tenant_create
from tests.members import add_member

pytestmark = pytest.mark.django_db
Role = Membership.Role


def members_post(tenant, rows):
    data = {
        "name": tenant.name,
        "slug": tenant.slug,
        "events_per_day_cap": "",
        "journeys_per_day_cap": "",
        "memberships-TOTAL_FORMS": str(len(rows)),
        "memberships-INITIAL_FORMS": str(len(rows)),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "invitations-TOTAL_FORMS": "0",
        "invitations-INITIAL_FORMS": "0",
        "invitations-MIN_NUM_FORMS": "0",
        "invitations-MAX_NUM_FORMS": "1000",
    }
    for i, (membership, role, delete) in enumerate(rows):
        data.update(
            {
                f"memberships-{i}-id": str(membership.pk),
                f"memberships-{i}-tenant": str(tenant.pk),
                f"memberships-{i}-user": str(membership.user_id),
                f"memberships-{i}-role": role,
            }
        )
        if delete:
            data[f"memberships-{i}-DELETE"] = "on"
    return data


@pytest.fixture
def acme(admin_client):
    alice, bob = User.objects.create_user("alice"), User.objects.create_user("bob")
    tenant = tenant_create(name="Acme", owner=alice)
    add_member(tenant=tenant, user=bob, role=Role.EDITOR, actor=alice)
    return tenant, tenant.memberships.get(user=alice), tenant.memberships.get(user=bob)


def test_it_refuses_to_remove_or_demote_the_last_owner(admin_client, acme):
    tenant, alice, bob = acme
    url = reverse("admin:journeys_tenant_change", args=[tenant.pk])

    removed = admin_client.post(url, members_post(tenant, [(alice, Role.OWNER, True), (bob, Role.EDITOR, False)]))
    demoted = admin_client.post(url, members_post(tenant, [(alice, Role.EDITOR, False), (bob, Role.EDITOR, False)]))

    for response in (removed, demoted):
        assert response.status_code == 200
        assert "A tenant needs at least one owner" in response.content.decode()
    assert tenant.memberships.get(user=alice.user).role == Role.OWNER


def test_it_hands_ownership_over_in_one_save(admin_client, acme):
    tenant, alice, bob = acme

    response = admin_client.post(
        reverse("admin:journeys_tenant_change", args=[tenant.pk]),
        members_post(tenant, [(alice, Role.EDITOR, False), (bob, Role.OWNER, False)]),
    )

    assert response.status_code == 302
    assert tenant.memberships.get(user=bob.user).role == Role.OWNER


def invitations_post(tenant, members, invitations):
    data = members_post(tenant, members)
    data.update(
        {
            "invitations-TOTAL_FORMS": str(len(invitations)),
            "invitations-INITIAL_FORMS": "0",
            "invitations-MIN_NUM_FORMS": "0",
            "invitations-MAX_NUM_FORMS": "1000",
        }
    )
    for i, (user, role) in enumerate(invitations):
        data.update({f"invitations-{i}-user": str(user.pk), f"invitations-{i}-role": role})
    return data


def test_it_invites_rather_than_adds_from_the_console(admin_client, acme):
    tenant, alice, bob = acme
    dora = User.objects.create_user("dora")

    response = admin_client.post(
        reverse("admin:journeys_tenant_change", args=[tenant.pk]),
        invitations_post(tenant, [(alice, Role.OWNER, False), (bob, Role.EDITOR, False)], [(dora, Role.OWNER)]),
    )

    assert response.status_code == 302
    assert not tenant.memberships.filter(user=dora).exists()
    assert tenant.invitations.get(user=dora).role == Role.OWNER
    entry = AuditEntry.objects.filter(action="member.invited").latest("id")
    assert entry.details == {"user": "dora", "role": "owner"} and entry.actor.is_superuser


def test_it_offers_no_way_to_add_a_member_directly(admin_client, acme):
    tenant, alice, bob = acme
    dora = User.objects.create_user("dora")
    data = members_post(tenant, [(alice, Role.OWNER, False), (bob, Role.EDITOR, False)])
    data.update(
        {
            "memberships-TOTAL_FORMS": "3",
            "memberships-2-tenant": str(tenant.pk),
            "memberships-2-user": str(dora.pk),
            "memberships-2-role": Role.OWNER,
        }
    )

    admin_client.post(reverse("admin:journeys_tenant_change", args=[tenant.pk]), data)

    assert not tenant.memberships.filter(user=dora).exists()


def test_it_changes_roles_through_the_service_with_an_audit_trail(admin_client, acme):
    tenant, alice, bob = acme

    admin_client.post(
        reverse("admin:journeys_tenant_change", args=[tenant.pk]),
        members_post(tenant, [(alice, Role.OWNER, False), (bob, Role.VIEWER, True)]),
    )

    assert not tenant.memberships.filter(user=bob.user).exists()
    assert AuditEntry.objects.filter(action="member.removed", details__user="bob").exists()
