"""Each tenant's files live in a folder of its own; messages name folders relative to it; testing changes nothing."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model

from journeys.engine.encode import EncodedBatch
from journeys.engine.generator import generate
from journeys.forms.destinations import settings_form
from journeys.models import Destination
from journeys.services.destinations import destination_check, destination_create
from journeys.services.sinks import destination_sink
from journeys.services.tenancy import tenant_create

from ...delivery.conftest import CLUSTERED

pytestmark = pytest.mark.django_db
MIDNIGHT = datetime(2026, 11, 21, tzinfo=UTC)


@pytest.fixture
def events_dir(settings, tmp_path):
    settings.BIZFLOW_EVENTS_DIR = tmp_path / "events"
    return tmp_path / "events"


@pytest.fixture
def alice():
    return get_user_model().objects.create_user("alice")


@pytest.fixture
def bob():
    return get_user_model().objects.create_user("bob")


@pytest.fixture
def tenant_a(alice):
    return tenant_create(name="Alice team", owner=alice)


@pytest.fixture
def tenant_b(bob):
    return tenant_create(name="Bob", owner=bob)


def batch() -> EncodedBatch:
    start = MIDNIGHT
    return EncodedBatch.concat(list(generate(CLUSTERED, start, start + timedelta(minutes=15), origin=start)))


def files_under(folder):
    return sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*.ndjson"))


def file_destination(tenant, owner, directory: str) -> Destination:
    return destination_create(owner=owner, tenant=tenant, name="Files", kind="file", config={"directory": directory})


def test_it_writes_a_destination_named_after_another_tenant_into_its_own_tenants_folder(
    events_dir, alice, bob, tenant_a, tenant_b
):
    own = destination_sink(destination=file_destination(tenant_b, bob, ""))
    intruder = destination_sink(destination=file_destination(tenant_a, alice, tenant_b.slug))

    own.deliver(batch(), journey_slug="orders")
    intruder.deliver(batch(), journey_slug="orders")

    assert files_under(events_dir / "tenants" / tenant_b.slug) == ["orders/2026-11-21.ndjson"]
    assert files_under(events_dir / "tenants" / tenant_a.slug) == [f"{tenant_b.slug}/orders/2026-11-21.ndjson"]
    assert len(files_under(events_dir)) == 2


@pytest.mark.parametrize(
    ("directory", "reason"),
    [
        ("alice/../bob", "'..' is not allowed"),
        ("../bob", "'..' is not allowed"),
        ("/var/lib/bizflow", "not an absolute path"),
        ("C:/exports", "not an absolute path"),
        ("exports\\orders", "not \\"),
        (".hidden", "use letters, digits"),
    ],
)
def test_it_refuses_a_folder_outside_the_tenants_with_a_field_error(events_dir, tenant_a, directory, reason):
    form = settings_form("file", data={"settings-directory": directory, "settings-fsync": "on"}, tenant=tenant_a)

    assert not form.is_valid()
    assert reason in form.errors["directory"][0]
    assert str(events_dir) not in form.errors["directory"][0]


def test_it_refuses_a_folder_a_symbolic_link_leads_out_of(events_dir, tmp_path, alice, tenant_a, tenant_b):
    root_a, root_b = events_dir / "tenants" / tenant_a.slug, events_dir / "tenants" / tenant_b.slug
    root_a.mkdir(parents=True)
    root_b.mkdir(parents=True)
    (root_a / "shared").symlink_to(root_b)

    form = settings_form("file", data={"settings-directory": "shared/orders"}, tenant=tenant_a)
    assert not form.is_valid()
    assert "leads outside your tenant's folder" in form.errors["directory"][0]

    destination = Destination.objects.create(  # stored before the rule, or by other means
        owner=alice, tenant=tenant_a, name="Old", kind="file", config={"directory": "shared"}
    )
    works, message = destination_check(destination=destination)
    assert not works and "leads outside your tenant's folder" in message and str(tmp_path) not in message


def test_it_tests_a_folder_without_creating_it(events_dir, tmp_path, alice, tenant_a):
    destination = file_destination(tenant_a, alice, "exports/orders")

    works, message = destination_check(destination=destination)

    assert works and message == "writing to exports/orders, created with the first delivery"
    assert not events_dir.exists()  # not even the tenants' folders
    assert str(tmp_path) not in message


def test_it_names_folders_relative_to_the_tenants_folder_in_errors(events_dir, tmp_path, alice, tenant_a):
    root = events_dir / "tenants" / tenant_a.slug
    root.mkdir(parents=True)
    (root / "taken").write_text("a file, not a folder")
    destination = file_destination(tenant_a, alice, "taken")

    works, message = destination_check(destination=destination)
    assert not works and message == "taken is a file, not a folder"

    with pytest.raises(Exception) as caught:
        destination_sink(destination=destination).deliver(batch(), journey_slug="orders")
    assert "taken/orders" in caught.value.message and str(tmp_path) not in caught.value.message


def test_it_ignores_a_tenant_folder_written_into_the_stored_settings(events_dir, alice, tenant_a, tenant_b):
    destination = Destination.objects.create(
        owner=alice, tenant=tenant_a, name="Forged", kind="file", config={"tenant_folder": tenant_b.slug}
    )

    destination_sink(destination=destination).deliver(batch(), journey_slug="orders")

    assert files_under(events_dir / "tenants" / tenant_a.slug) == ["orders/2026-11-21.ndjson"]
    assert not (events_dir / "tenants" / tenant_b.slug).exists()
