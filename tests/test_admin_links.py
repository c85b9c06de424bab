"""A journey delivers only to its own tenant's destinations, whoever makes the link: the model's
validation, the database and the services refuse a link across tenants, and the admin console writes
through the services, checked and audited like the same change on the site.
"""

import pytest
from django.contrib.auth.models import Permission, User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from journeys.engine.spec import JourneySpec, Step
from journeys.models import AuditEntry, Journey, JourneyDestination
from journeys.services.destinations import destination_attach, destination_create
from journeys.services.journeys import journey_create_from_spec
from journeys.services.tenancy import tenant_create

pytestmark = pytest.mark.django_db
SPEC = JourneySpec("Orders", "acme.shop", "order.id", (Step("Place", "order.placed"), Step("Pay", "order.paid")))


@pytest.fixture
def world():
    alice, bob = User.objects.create_user("alice"), User.objects.create_user("bob")
    acme, globex = tenant_create(name="Acme", owner=alice), tenant_create(name="Globex", owner=bob)
    hook = destination_create(
        owner=alice, tenant=acme, name="Hook", kind="webhook", config={"url": "https://hooks.example.com/in"}
    )
    theirs = journey_create_from_spec(spec=SPEC, owner=bob, tenant=globex)
    their_files = destination_create(owner=bob, tenant=globex, name="Files", kind="file", config={})
    pair = destination_attach(journey=theirs, destination=their_files)
    return {"alice": alice, "bob": bob, "acme": acme, "globex": globex, "hook": hook, "theirs": theirs, "pair": pair}


@pytest.fixture
def staff(client):
    """A staff user (not a superuser) with every permission on journeys and their links."""
    user = User.objects.create_user("staff", password="pw", is_staff=True)
    models = ("journeydestination", "journey")
    codenames = [f"{verb}_{model}" for verb in ("view", "change", "delete") for model in models]
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    client.force_login(user)
    return client


def test_it_refuses_a_link_across_tenants_in_the_models_validation(world):
    link = JourneyDestination(journey=world["theirs"], destination=world["hook"])

    with pytest.raises(ValidationError, match="own tenant's destinations"):
        link.full_clean()


def test_it_refuses_a_link_across_tenants_in_the_database(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        JourneyDestination.objects.create(journey=world["theirs"], destination=world["hook"])
    with pytest.raises(IntegrityError), transaction.atomic():
        JourneyDestination.objects.filter(pk=world["pair"].pk).update(destination=world["hook"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Journey.objects.filter(pk=world["theirs"].pk).update(tenant=world["acme"])  # moving a linked journey

    assert JourneyDestination.objects.get(pk=world["pair"].pk).destination.name == "Files"


def test_it_refuses_a_link_across_tenants_in_the_service(world):
    with pytest.raises(ValueError, match="own tenant's destinations"):
        destination_attach(journey=world["theirs"], destination=world["hook"])


def test_it_lets_the_console_point_no_journey_at_another_tenants_destination(staff, world):
    pair = world["pair"]

    staff.post(
        reverse("admin:journeys_journeydestination_change", args=[pair.pk]),
        {"journey": str(world["theirs"].pk), "destination": str(world["hook"].pk), "active": "on"},
    )

    assert JourneyDestination.objects.get(pk=pair.pk).destination.name == "Files"
    assert not JourneyDestination.objects.filter(destination=world["hook"]).exists()


def test_it_detaches_through_the_service_with_an_audit_line(staff, world):
    pair = world["pair"]

    response = staff.post(reverse("admin:journeys_journeydestination_change", args=[pair.pk]), {})

    assert response.status_code == 302
    assert not JourneyDestination.objects.get(pk=pair.pk).active
    entry = AuditEntry.objects.filter(action="destination.detached").latest("id")
    assert entry.actor.username == "staff" and entry.tenant == world["globex"]


def test_it_shows_no_tenant_or_owner_to_change_on_a_journey(staff, world):
    journey = world["theirs"]
    url = reverse("admin:journeys_journey_change", args=[journey.pk])

    page = staff.get(url).content.decode()

    assert 'name="tenant"' not in page and 'name="owner"' not in page
    assert staff.get(reverse("admin:journeys_journey_add")).status_code == 403  # journeys are made on the site


def test_it_deletes_a_journey_through_the_service_with_an_audit_line(staff, world):
    journey = world["theirs"]

    staff.post(reverse("admin:journeys_journey_delete", args=[journey.pk]), {"post": "yes"})

    assert not Journey.objects.filter(pk=journey.pk).exists()
    entry = AuditEntry.objects.filter(action="journey.deleted").latest("id")
    assert entry.actor.username == "staff" and entry.tenant == world["globex"]
