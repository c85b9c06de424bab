"""The admin's members inline keeps at least one owner per tenant, as the team page does."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from journeys.models import Membership
from journeys.services.tenancy import membership_set, tenant_create

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
    membership_set(tenant=tenant, user=bob, role=Role.EDITOR, actor=alice)
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
