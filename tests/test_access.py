"""Who sees what: alice owns the tenant, bob edits in it, charlie is outside it."""

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404

from journeys.access import journey_for_user, journeys_visible_to, require_role, tenants_for_user
from journeys.engine.spec import JourneySpec, Step
from journeys.models import AuditEntry, Membership
from journeys.services.journeys import journey_create_from_spec
from journeys.services.tenancy import membership_remove, tenant_create, tenant_default_for_user
from tests.members import add_member

pytestmark = pytest.mark.django_db
Role = Membership.Role
SPEC = JourneySpec("Orders", "acme.shop", "order.id", (Step("Place", "order.placed"), Step("Pay", "order.paid")))


@pytest.fixture
def cast():
    alice, bob, charlie, victor = (User.objects.create_user(n) for n in ("alice", "bob", "charlie", "victor"))
    tenant = tenant_create(name="Acme", owner=alice)
    add_member(tenant=tenant, user=bob, role=Role.EDITOR, actor=alice)
    add_member(tenant=tenant, user=victor, role=Role.VIEWER, actor=alice)
    journey = journey_create_from_spec(spec=SPEC, owner=alice, tenant=tenant)
    return alice, bob, charlie, victor, tenant, journey


def test_it_shows_a_tenants_journeys_to_its_members_only(cast):
    alice, bob, charlie, victor, tenant, journey = cast

    assert list(journeys_visible_to(alice)) == [journey]
    assert list(journeys_visible_to(bob)) == [journey]
    assert list(journeys_visible_to(victor)) == [journey]
    assert list(journeys_visible_to(charlie)) == []


def test_it_hides_the_journey_from_an_outsider_as_if_it_did_not_exist(cast):
    *_, tenant, journey = cast
    charlie = User.objects.get(username="charlie")

    with pytest.raises(Http404):
        journey_for_user(charlie, journey.slug)
    with pytest.raises(Http404):
        require_role(charlie, tenant, Role.VIEWER)


def test_it_lets_roles_do_what_they_may(cast):
    alice, bob, charlie, victor, tenant, journey = cast

    assert journey_for_user(victor, journey.slug) == journey
    with pytest.raises(PermissionDenied):
        journey_for_user(victor, journey.slug, needed=Role.EDITOR)
    assert journey_for_user(bob, journey.slug, needed=Role.EDITOR) == journey
    with pytest.raises(PermissionDenied):
        require_role(bob, tenant, Role.OWNER)
    assert require_role(alice, tenant, Role.OWNER) == Role.OWNER


def test_it_lists_tenants_by_role(cast):
    alice, bob, charlie, victor, tenant, _ = cast

    assert list(tenants_for_user(victor)) == [tenant]
    assert list(tenants_for_user(victor, role=Role.EDITOR)) == []
    assert list(tenants_for_user(bob, role=Role.EDITOR)) == [tenant]


def test_it_creates_a_workspace_for_a_user_with_none(cast):
    charlie = User.objects.get(username="charlie")

    workspace = tenant_default_for_user(charlie)

    assert workspace.memberships.get().user == charlie and workspace.memberships.get().role == Role.OWNER
    assert tenant_default_for_user(charlie) == workspace


def test_it_keeps_at_least_one_owner(cast):
    alice, bob, _, _, tenant, _ = cast

    with pytest.raises(ValueError, match="last owner"):
        membership_remove(tenant=tenant, user=alice, actor=alice)
    membership_remove(tenant=tenant, user=bob, actor=alice)
    assert not tenant.memberships.filter(user=bob).exists()


def test_it_writes_who_did_what_to_the_audit_log(cast):
    alice, bob, *_ = cast

    actions = list(AuditEntry.objects.order_by("id").values_list("actor__username", "action"))

    assert actions == [
        ("alice", "tenant.created"),
        ("alice", "member.invited"),
        ("bob", "member.joined"),
        ("alice", "member.invited"),
        ("victor", "member.joined"),
        ("alice", "journey.created"),
    ]
