"""The journey pages for each role: alice owns the tenant, bob edits, victor views, charlie is outside."""

from pathlib import Path

import pytest
from django.contrib.auth.models import User

from journeys.models import AuditEntry, Journey, Membership
from journeys.services.imports import journey_import_text
from journeys.services.tenancy import tenant_create
from tests.members import add_member

pytestmark = pytest.mark.django_db
EXAMPLE = Path(__file__).resolve().parents[2] / "journeys" / "examples" / "travel-booking.json"
Role = Membership.Role


@pytest.fixture
def cast():
    alice, bob, victor, charlie = (
        User.objects.create_user(n, password="pw") for n in ("alice", "bob", "victor", "charlie")
    )
    tenant = tenant_create(name="Acme", owner=alice)
    add_member(tenant=tenant, user=bob, role=Role.EDITOR, actor=alice)
    add_member(tenant=tenant, user=victor, role=Role.VIEWER, actor=alice)
    journey = journey_import_text(text=EXAMPLE.read_text(), owner=alice, tenant=tenant)
    return {"alice": alice, "bob": bob, "victor": victor, "charlie": charlie, "journey": journey}


def as_user(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize(("who", "status"), [("alice", 200), ("bob", 200), ("victor", 200), ("charlie", 404)])
@pytest.mark.parametrize("page", ["journey_edit", "journey_preview", "journey_export"])
def test_it_shows_journey_pages_to_members_and_hides_them_from_outsiders(client, cast, who, status, page):
    from django.urls import reverse

    response = as_user(client, cast[who]).get(reverse(page, args=[cast["journey"].slug]))

    assert response.status_code == status


@pytest.mark.parametrize(("who", "listed"), [("alice", True), ("victor", True), ("charlie", False)])
def test_it_lists_a_tenants_journeys_to_its_members(client, cast, who, listed):
    response = as_user(client, cast[who]).get("/")

    assert (cast["journey"].name in response.content.decode()) is listed


def test_it_lets_a_viewer_look_but_not_save(client, cast):
    journey = cast["journey"]
    page = as_user(client, cast["victor"]).get(f"/journeys/{journey.slug}/")
    assert "saving needs the editor role" in page.content.decode()

    response = client.post(f"/journeys/{journey.slug}/", {"_action": "save", "name": "Renamed"})

    assert response.status_code == 403
    assert Journey.objects.get(pk=journey.pk).name == journey.name


@pytest.mark.parametrize(("who", "status"), [("victor", 403), ("charlie", 404)])
@pytest.mark.parametrize("action", ["duplicate", "delete"])
def test_it_refuses_duplicate_and_delete_below_the_editor_role(client, cast, who, status, action):
    response = as_user(client, cast[who]).post(f"/journeys/{cast['journey'].slug}/{action}/")

    assert response.status_code == status
    assert Journey.objects.count() == 1


def test_it_lets_an_editor_duplicate_into_the_same_tenant_and_delete_with_an_audit_trail(client, cast):
    journey = cast["journey"]
    as_user(client, cast["bob"]).post(f"/journeys/{journey.slug}/duplicate/")
    copy = Journey.objects.exclude(pk=journey.pk).get()
    assert copy.tenant == journey.tenant and copy.owner == cast["bob"]

    client.post(f"/journeys/{copy.slug}/delete/")

    assert not Journey.objects.filter(pk=copy.pk).exists()
    assert list(AuditEntry.objects.filter(actor=cast["bob"]).values_list("action", flat=True).order_by("id")) == [
        "member.joined",
        "journey.created",
        "journey.deleted",
    ]
