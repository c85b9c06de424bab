"""Joining a tenant takes the invitee's consent: an owner invites, the invitee accepts or declines.

alice owns Acme; dora has an account and is in no tenant of hers until she accepts.
"""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from journeys.models import AuditEntry, Destination, Membership
from journeys.services.imports import journey_import_text
from journeys.services.tenancy import tenant_create
from tests.views.conftest import EXAMPLES

pytestmark = pytest.mark.django_db
Role = Membership.Role


@pytest.fixture
def cast():
    alice, dora, eve = (User.objects.create_user(name) for name in ("alice", "dora", "eve"))
    acme = tenant_create(name="Acme", owner=alice)
    journey = journey_import_text(text=(EXAMPLES / "retail-order-delivery.json").read_text(), owner=alice, tenant=acme)
    return {"alice": alice, "dora": dora, "eve": eve, "acme": acme, "journey": journey}


def invite(client, cast, username="dora", role="owner"):
    client.force_login(cast["alice"])
    return client.post(reverse("team_member_add", args=["acme"]), {"username": username, "role": role})


def pending(cast):
    return cast["acme"].invitations.get(user=cast["dora"])


def test_it_invites_rather_than_adds(client, cast):
    response = invite(client, cast)

    assert response.status_code == 302
    assert not Membership.objects.filter(user=cast["dora"]).exists()
    assert pending(cast).role == Role.OWNER
    entry = AuditEntry.objects.filter(action="member.invited").latest("id")
    assert (entry.actor, entry.details) == (cast["alice"], {"user": "dora", "role": "owner"})


def test_it_shows_an_invitee_nothing_of_the_tenant_until_they_accept(client, cast):
    invite(client, cast)
    client.force_login(cast["dora"])

    journey_page = client.get(reverse("journey_edit", args=[cast["journey"].slug]))
    team_page = client.get(reverse("team_tenant", args=["acme"]))
    journeys = client.get(reverse("journey_list")).content.decode()
    team = client.get(reverse("team")).content.decode()

    assert (journey_page.status_code, team_page.status_code) == (404, 404)
    assert cast["journey"].name not in journeys
    # Only the invitation itself: who asks, for which tenant and role; no member list.
    assert "Acme" in team and "alice invites you" in team
    assert 'id="member-acme-alice"' not in team


def test_it_makes_a_member_of_an_invitee_who_accepts(client, cast):
    invite(client, cast, role="editor")
    client.force_login(cast["dora"])

    response = client.post(reverse("team_invitation_accept", args=[pending(cast).pk]))

    assert response.status_code == 302
    assert Membership.objects.get(user=cast["dora"], tenant=cast["acme"]).role == Role.EDITOR
    assert not cast["acme"].invitations.exists()
    assert client.get(reverse("journey_edit", args=[cast["journey"].slug])).status_code == 200
    entry = AuditEntry.objects.filter(action="member.joined").latest("id")
    assert (entry.actor, entry.details) == (cast["dora"], {"user": "dora", "role": "editor", "invited_by": "alice"})


def test_it_forgets_an_invitation_that_is_declined(client, cast):
    invite(client, cast)
    client.force_login(cast["dora"])

    client.post(reverse("team_invitation_decline", args=[pending(cast).pk]))

    assert not Membership.objects.filter(user=cast["dora"]).exists()
    assert not cast["acme"].invitations.exists()
    assert AuditEntry.objects.filter(action="invitation.declined", actor=cast["dora"]).exists()


@pytest.mark.parametrize("who", ["alice", "eve"])
def test_it_lets_only_the_invitee_answer(client, cast, who):
    invite(client, cast)
    invitation = pending(cast)
    client.force_login(cast[who])

    accepted = client.post(reverse("team_invitation_accept", args=[invitation.pk]))
    declined = client.post(reverse("team_invitation_decline", args=[invitation.pk]))

    assert (accepted.status_code, declined.status_code) == (404, 404)
    assert not Membership.objects.filter(user=cast["dora"]).exists()
    assert cast["acme"].invitations.filter(pk=invitation.pk).exists()


def test_it_files_no_credentials_into_a_tenant_the_user_was_only_invited_to(client, cast):
    """The attack: make the victim an owner of your tenant, then wait for their next destination."""
    tenant_create(name="Dora's own", owner=cast["dora"])
    invite(client, cast, role="owner")
    client.force_login(cast["dora"])

    response = client.post(reverse("destination_create", args=["file"]), {"name": "Mine", "settings-directory": ""})

    assert response.status_code == 302
    own = Destination.objects.get(name="Mine")
    assert own.tenant.name == "Dora's own"
    assert not cast["acme"].destinations.exists()


def test_it_lets_an_owner_withdraw_an_invitation(client, cast):
    invite(client, cast)
    invitation = pending(cast)

    response = client.post(reverse("team_invitation_cancel", args=["acme", invitation.pk]))

    assert response.status_code == 302
    assert not cast["acme"].invitations.exists()
    assert AuditEntry.objects.filter(action="invitation.cancelled", actor=cast["alice"]).exists()


def test_it_refuses_to_invite_a_member_or_nobody(client, cast):
    member = invite(client, cast, username="alice")
    nobody = invite(client, cast, username="nobody")

    assert member.status_code == nobody.status_code == 400
    assert "alice is already a member" in member.content.decode()
    assert "There is no user named nobody" in nobody.content.decode()
