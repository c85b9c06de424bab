"""The team page: alice owns Acme, bob edits in it, victor views it, charlie is outside it."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from journeys.models import AuditEntry, Membership
from journeys.services.tenancy import tenant_create
from tests.members import add_member

pytestmark = pytest.mark.django_db
Role = Membership.Role


@pytest.fixture
def cast():
    names = ("alice", "bob", "victor", "charlie", "dora")
    alice, bob, victor, charlie, dora = (User.objects.create_user(name) for name in names)
    acme = tenant_create(name="Acme", owner=alice)
    add_member(tenant=acme, user=bob, role=Role.EDITOR, actor=alice)
    add_member(tenant=acme, user=victor, role=Role.VIEWER, actor=alice)
    hidden = tenant_create(name="Charlie Corp", owner=charlie)
    users = {"alice": alice, "bob": bob, "victor": victor, "charlie": charlie, "dora": dora}
    return {**users, "acme": acme, "hidden": hidden}


def as_user(client, user):
    client.force_login(user)
    return client


def roles(tenant) -> dict[str, str]:
    return dict(tenant.memberships.values_list("user__username", "role"))


def test_it_lists_the_users_tenants_with_members_and_roles(client, cast):
    page = as_user(client, cast["bob"]).get(reverse("team")).content.decode()

    assert "Acme" in page and "alice" in page and "victor" in page
    assert "Charlie Corp" not in page
    assert "Invite a member" not in page and "Change role" not in page  # read only below owner


def test_it_gives_owners_the_member_controls(client, cast):
    page = as_user(client, cast["alice"]).get(reverse("team")).content.decode()

    assert "Invite a member" in page and page.count("Change role") == 3


@pytest.mark.parametrize(("who", "status"), [("alice", 200), ("bob", 200), ("victor", 200), ("charlie", 404)])
def test_it_shows_a_tenants_team_to_its_members_only(client, cast, who, status):
    response = as_user(client, cast[who]).get(reverse("team_tenant", args=["acme"]))

    assert response.status_code == status
    if status == 404:
        assert "Acme" not in response.content.decode()


def test_it_lets_an_owner_invite_a_member_by_username(client, cast):
    response = as_user(client, cast["alice"]).post(
        reverse("team_member_add", args=["acme"]), {"username": "Dora", "role": "editor"}
    )

    assert response.status_code == 302
    assert "dora" not in roles(cast["acme"])  # a member only once she accepts
    assert cast["acme"].invitations.get(user=cast["dora"]).role == Role.EDITOR
    entry = AuditEntry.objects.filter(action="member.invited").latest("id")
    assert (entry.actor, entry.details) == (cast["alice"], {"user": "dora", "role": "editor"})


@pytest.mark.parametrize(
    ("username", "message"), [("nobody", "There is no user named nobody"), ("bob", "bob is already a member")]
)
def test_it_says_what_is_wrong_next_to_the_username(client, cast, username, message):
    response = as_user(client, cast["alice"]).post(
        reverse("team_member_add", args=["acme"]), {"username": username, "role": "viewer"}
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert roles(cast["acme"])["bob"] == Role.EDITOR


def test_it_lets_an_owner_change_a_role_and_remove_a_member_with_an_audit_trail(client, cast):
    as_user(client, cast["alice"])
    client.post(reverse("team_member_role", args=["acme", cast["victor"].pk]), {"role": "owner"})
    client.post(reverse("team_member_remove", args=["acme", cast["bob"].pk]))

    assert roles(cast["acme"]) == {"alice": Role.OWNER, "victor": Role.OWNER}
    actions = list(AuditEntry.objects.filter(actor=cast["alice"]).order_by("id").values_list("action", "details"))
    assert actions[-2:] == [
        ("member.role_changed", {"user": "victor", "role": "owner", "previous_role": "viewer"}),
        ("member.removed", {"user": "bob"}),
    ]


def test_it_keeps_the_last_owner(client, cast):
    as_user(client, cast["alice"])

    demoted = client.post(reverse("team_member_role", args=["acme", cast["alice"].pk]), {"role": "editor"}, follow=True)
    removed = client.post(reverse("team_member_remove", args=["acme", cast["alice"].pk]), follow=True)

    assert "Acme would have no owner left: alice is the last owner" in demoted.content.decode()
    assert "Acme would have no owner left: alice is the last owner" in removed.content.decode()
    assert roles(cast["acme"])["alice"] == Role.OWNER


@pytest.mark.parametrize(("who", "status"), [("bob", 403), ("victor", 403), ("charlie", 404)])
def test_it_refuses_member_changes_below_the_owner_role(client, cast, who, status):
    as_user(client, cast[who])
    responses = [
        client.post(reverse("team_member_add", args=["acme"]), {"username": "dora", "role": "owner"}),
        client.post(reverse("team_member_role", args=["acme", cast["victor"].pk]), {"role": "owner"}),
        client.post(reverse("team_member_remove", args=["acme", cast["alice"].pk])),
    ]

    assert [r.status_code for r in responses] == [status] * 3
    assert roles(cast["acme"]) == {"alice": Role.OWNER, "bob": Role.EDITOR, "victor": Role.VIEWER}


def test_it_hides_a_member_of_another_tenant_behind_404(client, cast):
    # alice owns Acme, but charlie is not in Acme: his id under Acme's address finds nothing.
    response = as_user(client, cast["alice"]).post(reverse("team_member_remove", args=["acme", cast["charlie"].pk]))

    assert response.status_code == 404
    assert roles(cast["hidden"]) == {"charlie": Role.OWNER}


def test_it_asks_before_removing_a_member_and_get_changes_nothing(client, cast):
    """As deleting a journey does: the row turns into a question (htmx) or a page asks; only POST removes."""
    alice = as_user(client, cast["alice"])
    address = reverse("team_member_remove", args=["acme", cast["bob"].pk])

    row = alice.get(address, HTTP_HX_REQUEST="true").content.decode()
    page = alice.get(address).content.decode()

    assert row.strip().startswith('<tr id="member-acme-bob" class="confirm-row">') and "<html" not in row
    assert f'action="{address}"' in row and "Remove <strong>bob</strong> from Acme?" in row
    assert "Remove bob from Acme?" in page and 'class="danger"' in page
    assert "bob" in roles(cast["acme"])
    assert (
        as_user(client, cast["alice"]).get(reverse("team_member_role", args=["acme", cast["bob"].pk])).status_code
        == 405
    )
