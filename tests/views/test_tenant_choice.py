"""Every form that creates something inside a tenant says which, starting at the one the user works in.

bob edits in Acme and in Zed, views in Vue and owns his workspace (Bob's): a new journey, an import or a
duplicate may go into Acme, Zed or Bob's, a new destination only into Bob's. Nothing is ever filed
into "the first" of them.
"""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from journeys.models import Destination, Journey
from journeys.services.destinations import destination_create
from journeys.services.imports import journey_import_text
from journeys.services.journeys import journey_create_from_spec
from journeys.services.tenancy import TenantChoiceNeeded, tenant_create
from tests.members import add_member
from tests.views.conftest import EXAMPLES, editor_data

pytestmark = pytest.mark.django_db
RETAIL = (EXAMPLES / "retail-order-delivery.json").read_text()


@pytest.fixture
def cast():
    alice, bob = User.objects.create_user("alice"), User.objects.create_user("bob")
    tenants = {name: tenant_create(name=name, owner=alice) for name in ("Acme", "Zed", "Vue")}
    add_member(tenant=tenants["Acme"], user=bob, role="editor", actor=alice)
    add_member(tenant=tenants["Zed"], user=bob, role="editor", actor=alice)
    add_member(tenant=tenants["Vue"], user=bob, role="viewer", actor=alice)
    tenants["Bob's"] = tenant_create(name="Bob's", owner=bob)
    journey = journey_import_text(text=RETAIL, owner=alice, tenant=tenants["Zed"])
    return {"alice": alice, "bob": bob, "journey": journey, **tenants}


def selected(page: str) -> list[str]:
    """The values of the tenant choice's selected options."""
    start = page.index('name="tenant"')
    select = page[start : page.index("</select>", start)]
    return [part.split('"')[1] for part in select.split("<option")[1:] if " selected" in part]


def options(page: str) -> list[str]:
    start = page.index('name="tenant"')
    select = page[start : page.index("</select>", start)]
    return [part.split('"')[1] for part in select.split("<option")[1:]]


def test_it_offers_the_tenants_where_the_user_may_create_and_preselects_none_without_a_working_tenant(client, cast):
    client.force_login(cast["bob"])

    page = client.get(reverse("journey_create")).content.decode()

    assert options(page) == ["", "acme", "bobs", "zed"]  # Vue, where bob only views, is not offered
    assert selected(page) == [""]


def test_it_starts_at_the_tenant_of_the_last_page_the_user_opened(client, cast):
    client.force_login(cast["bob"])
    client.get(reverse("journey_edit", args=[cast["journey"].slug]))  # a journey of Zed

    new_journey = client.get(reverse("journey_create")).content.decode()
    new_import = client.get(reverse("journey_import")).content.decode()
    named = client.get(reverse("journey_create") + "?tenant=acme").content.decode()

    assert selected(new_journey) == selected(new_import) == ["zed"]
    assert selected(named) == ["acme"]


def test_it_creates_the_journey_in_the_tenant_chosen(client, cast):
    client.force_login(cast["bob"])
    data = editor_data(cast["journey"], name="Fresh one", _action="save", tenant="acme")

    response = client.post(reverse("journey_create"), data)

    assert response.status_code == 302
    assert Journey.objects.get(name="Fresh one").tenant == cast["Acme"]


@pytest.mark.parametrize(("tenant", "message"), [("", "Choose the tenant it goes into"), ("vue", "Choose one of")])
def test_it_saves_nothing_without_a_tenant_the_user_may_create_in(client, cast, tenant, message):
    client.force_login(cast["bob"])
    data = editor_data(cast["journey"], name="Fresh one", _action="save", tenant=tenant)

    response = client.post(reverse("journey_create"), data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Journey.objects.filter(name="Fresh one").exists()


def test_it_imports_into_the_tenant_chosen(client, cast):
    client.force_login(cast["bob"])

    response = client.post(reverse("journey_import"), {"text": RETAIL, "tenant": "acme"})
    refused = client.post(reverse("journey_import"), {"text": RETAIL})

    assert response.status_code == 302
    assert Journey.objects.filter(tenant=cast["Acme"]).count() == 1
    assert "Choose the tenant it goes into" in refused.content.decode()
    assert Journey.objects.count() == 2


def test_it_duplicates_into_the_tenant_chosen(client, cast):
    client.force_login(cast["bob"])
    url = reverse("journey_duplicate", args=[cast["journey"].slug])

    page = client.get(url).content.decode()
    response = client.post(url, {"tenant": "bobs"})
    refused = client.post(url, {"tenant": "vue"})

    assert selected(page) == ["zed"]  # the journey's own tenant, the one bob is working in
    assert response.status_code == 302
    assert Journey.objects.get(tenant=cast["Bob's"]).owner == cast["bob"]
    assert refused.status_code == 400 and not Journey.objects.filter(tenant=cast["Vue"]).exists()


def test_it_creates_a_destination_only_in_a_tenant_the_user_owns(client, cast):
    client.force_login(cast["bob"])
    client.get(reverse("journey_edit", args=[cast["journey"].slug]))  # working in Zed, where bob edits
    url = reverse("destination_create", args=["file"])

    page = client.get(url).content.decode()
    refused = client.post(url, {"name": "Disk", "tenant": "zed", "settings-directory": ""})
    created = client.post(url, {"name": "Disk", "tenant": "bobs", "settings-directory": ""})

    assert options(page) == selected(page) == ["bobs"]  # the only one: no empty choice to make
    assert refused.status_code == 200 and not cast["Zed"].destinations.exists()
    assert created.status_code == 302
    assert Destination.objects.get(name="Disk").tenant == cast["Bob's"]


def test_it_never_picks_the_first_tenant_in_the_services(cast):
    spec_source = cast["journey"]
    from journeys.selectors.journeys import journey_to_spec

    with pytest.raises(TenantChoiceNeeded):
        journey_create_from_spec(spec=journey_to_spec(spec_source), owner=cast["bob"])
    with pytest.raises(TenantChoiceNeeded):
        journey_import_text(text=RETAIL, owner=cast["bob"])
    assert Journey.objects.count() == 1


def test_it_refuses_to_file_into_a_tenant_where_the_user_lacks_the_role(cast):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        destination_create(owner=cast["bob"], tenant=cast["Zed"], name="X", kind="file", config={})
    with pytest.raises(PermissionDenied):
        journey_import_text(text=RETAIL, owner=cast["bob"], tenant=cast["Vue"])
