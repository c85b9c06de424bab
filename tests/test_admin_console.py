"""The admin console: tenants with members, destinations' health, journeys' state, runs, bulk pause and resume."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission, User
from django.utils import timezone

from journeys.engine.spec import JourneySpec, Step
from journeys.models import AuditEntry, Destination, Journey, JourneyDestination, Run
from journeys.services.destinations import destination_attach, destination_create
from journeys.services.journeys import journey_create_from_spec
from journeys.services.quotas import quota_reserve, usage_day
from journeys.services.scheduling import journey_activate
from journeys.services.tenancy import tenant_create
from tests.members import add_member

pytestmark = pytest.mark.django_db
SPEC = JourneySpec("Orders", "acme.shop", "order.id", (Step("Place", "order.placed"), Step("Pay", "order.paid")))
TOKEN = "admin-console-token-value-77"


@pytest.fixture
def world():
    alice, bob = User.objects.create_user("alice"), User.objects.create_user("bob")
    acme = tenant_create(name="Acme", owner=alice, events_per_day_cap=1000)
    add_member(tenant=acme, user=bob, role="editor", actor=alice)
    other = tenant_create(name="Globex", owner=bob)
    journeys = [journey_create_from_spec(spec=SPEC, owner=alice, tenant=acme) for _ in range(3)]
    webhook = destination_create(
        owner=alice,
        tenant=acme,
        name="Hook",
        kind="webhook",
        config={"url": "https://hooks.example.com/in"},
        secrets={"headers": {"Authorization": TOKEN}},
    )
    files = destination_create(owner=bob, tenant=other, name="Files", kind="file", config={})
    for journey in journeys[:2]:
        destination_attach(journey=journey, destination=webhook)
        journey_activate(journey=journey, user=alice)
    return {
        "alice": alice,
        "bob": bob,
        "acme": acme,
        "other": other,
        "journeys": journeys,
        "webhook": webhook,
        "files": files,
    }


@pytest.fixture
def root(client):
    user = User.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(user)
    return client


def test_it_names_the_console(root):
    page = root.get("/admin/").content.decode()

    assert "BizFlow Studio admin" in page


def _delivered(pair, events: int, at) -> Run:
    return Run.objects.create(journey_destination=pair, started_at=at, delivered=events, outcome=Run.Outcome.SUCCESS)


def test_it_lists_tenants_with_members_and_todays_usage_against_the_cap(root, world):
    pairs = JourneyDestination.objects.filter(journey__tenant=world["acme"])
    midnight = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    _delivered(pairs[0], 200, midnight)
    _delivered(pairs[1], 50, timezone.now())
    _delivered(pairs[0], 9_999, midnight - timedelta(microseconds=1))  # yesterday (UTC): not today's

    listing = root.get("/admin/journeys/tenant/").content.decode()
    tenant_page = root.get(f"/admin/journeys/tenant/{world['acme'].pk}/change/").content.decode()

    assert "250 / 1,000" in listing and "Globex" in listing
    assert "Members" in tenant_page or "Memberships" in tenant_page
    assert tenant_page.count('name="memberships-') > 0 and "Events per day cap" in tenant_page


def test_it_counts_todays_events_whether_or_not_a_cap_is_set(root, world):
    """Events today are what the day's runs delivered: with no cap, and with a cap set part-way through the day."""
    acme = world["acme"]
    acme.events_per_day_cap = None
    acme.save()
    pair = JourneyDestination.objects.filter(journey__tenant=acme).first()
    _delivered(pair, 304_918, timezone.now() - timedelta(seconds=5))

    assert "304,918 (no cap)" in root.get("/admin/journeys/tenant/").content.decode()

    # A cap set now: the counter the cap checks starts from here, the day's deliveries still count.
    acme.events_per_day_cap = 500_000
    acme.save()
    quota_reserve(tenant_id=acme.pk, day=usage_day(timezone.now()), wanted=10, cap=500_000)
    _delivered(pair, 10, timezone.now())

    assert "304,928 / 500,000" in root.get("/admin/journeys/tenant/").content.decode()


def test_it_shows_each_destinations_health_and_never_its_secrets(root, world):
    Destination.objects.filter(pk=world["webhook"].pk).update(
        last_success_at=timezone.now() - timedelta(hours=1),
        last_error_at=timezone.now(),
        last_error="503 Service Unavailable",
        stopped_reason="",
    )
    Destination.objects.filter(pk=world["files"].pk).update(stopped_reason="the folder is not writable")

    listing = root.get("/admin/journeys/destination/").content.decode()
    change = root.get(f"/admin/journeys/destination/{world['webhook'].pk}/change/").content.decode()

    assert "bf-warn" in listing and "503 Service Unavailable" in listing
    assert "bf-bad" in listing and "the folder is not writable" in listing
    assert "set: headers" in change
    assert TOKEN not in listing and TOKEN not in change
    assert "gAAAA" not in change  # nor the ciphertext (Fernet tokens start so)


@pytest.mark.parametrize(
    ("query", "names"), [("stopped=yes", ["Files"]), ("stopped=no", ["Hook"]), ("kind=file", ["Files"])]
)
def test_it_filters_destinations(root, world, query, names):
    Destination.objects.filter(pk=world["files"].pk).update(stopped_reason="the folder is not writable")

    response = root.get(f"/admin/journeys/destination/?{query}")

    assert [d.name for d in response.context["cl"].result_list] == names


def test_it_lists_journeys_with_state_volume_destinations_and_last_run(root, world):
    pair = JourneyDestination.objects.filter(journey=world["journeys"][0]).get()
    Run.objects.create(journey_destination=pair, started_at=timezone.now(), outcome=Run.Outcome.SUCCESS)

    response = root.get("/admin/journeys/journey/")
    listed = response.context["cl"].result_list

    page = response.content.decode()
    assert "bf-good" in page and "Active" in page and "Draft" in page and "<th" in page
    assert sorted(j.destinations for j in listed) == [0, 1, 1]
    assert [j.pk for j in listed if j.last_run_at] == [world["journeys"][0].pk]
    assert 'class="field-volume">600<' in page


def test_it_pauses_and_resumes_selected_journeys_in_bulk_with_an_audit_trail(root, world):
    active = world["journeys"][:2]
    ids = [str(journey.pk) for journey in world["journeys"]]

    paused = root.post("/admin/journeys/journey/", {"action": "pause_selected", "_selected_action": ids}, follow=True)

    assert "Paused 2 of 3 selected journeys" in paused.content.decode()
    assert set(Journey.objects.filter(pk__in=ids).values_list("state", flat=True)) == {"paused", "draft"}
    root.post("/admin/journeys/journey/", {"action": "resume_selected", "_selected_action": ids[:2]})
    assert [Journey.objects.get(pk=j.pk).state for j in active] == ["active", "active"]
    entries = AuditEntry.objects.filter(actor__username="root").order_by("id")
    assert [(e.action, e.details) for e in entries] == [
        ("journey.paused", {"as_superuser": True}),
        ("journey.paused", {"as_superuser": True}),
        ("journey.resumed", {"as_superuser": True}),
        ("journey.resumed", {"as_superuser": True}),
    ]


def test_it_refuses_bulk_pause_to_staff_who_are_not_editors_of_the_tenant(client, world):
    staff = User.objects.create_user("sam", is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["change_journey", "view_journey"]))
    client.force_login(staff)

    response = client.post(
        "/admin/journeys/journey/", {"action": "pause_selected", "_selected_action": [world["journeys"][0].pk]}
    )

    assert response.status_code == 403
    assert Journey.objects.get(pk=world["journeys"][0].pk).state == "active"


def test_it_filters_runs_by_outcome_tenant_and_destination(root, world):
    pair = JourneyDestination.objects.filter(journey=world["journeys"][0]).get()
    globex_journey = journey_create_from_spec(spec=SPEC, owner=world["bob"], tenant=world["other"])
    globex_pair = destination_attach(journey=globex_journey, destination=world["files"])
    for outcome in (Run.Outcome.SUCCESS, Run.Outcome.FAILED, Run.Outcome.FAILED):
        Run.objects.create(journey_destination=pair, started_at=timezone.now(), outcome=outcome, error="boom")
    Run.objects.create(journey_destination=globex_pair, started_at=timezone.now(), outcome=Run.Outcome.SUCCESS)

    def listed(query: str) -> list[Run]:
        response = root.get(f"/admin/journeys/run/?{query}")
        return list(response.context["cl"].result_list)

    assert len(listed("outcome=failed")) == 2
    assert listed(f"journey_destination__journey__tenant__id__exact={world['other'].pk}") == [globex_pair.runs.get()]
    assert len(listed(f"journey_destination__destination__id__exact={world['webhook'].pk}")) == 3
    page = root.get("/admin/journeys/run/").content.decode()
    assert "bf-bad" in page and "By tenant" in page and "By destination" in page and "boom" in page


def test_it_keeps_the_audit_log_read_only(root, world):
    entry = AuditEntry.objects.first()

    assert root.get("/admin/journeys/auditentry/add/").status_code == 403
    page = root.get(f"/admin/journeys/auditentry/{entry.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert root.post(f"/admin/journeys/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_it_shows_times_to_the_second_and_says_utc(root, world):
    import re

    page = root.get("/admin/journeys/auditentry/").content.decode()
    runs = root.get("/admin/journeys/journey/").content.decode()

    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", page)
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", runs)  # the journeys' last change


def test_it_writes_run_counts_with_thousands_separators(root, world):
    pair = JourneyDestination.objects.filter(journey__tenant=world["acme"]).first()
    _delivered(pair, 304_918, timezone.now())

    assert ">304,918<" in root.get("/admin/journeys/run/").content.decode()
