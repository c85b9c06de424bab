"""The admin refuses every bad journey value with a message next to it, and saves good ones.

Journeys are created on the site (where the author chooses the tenant); the console edits them. The
cases below edit a journey that has no steps yet.
"""

import pytest
from django.contrib.auth.models import User

from journeys.models import Journey, Tenant
from journeys.selectors.journeys import journey_to_spec
from journeys.services.snapshots import journey_spec_for_delivery
from journeys.services.tenancy import tenant_create

pytestmark = pytest.mark.django_db


def post_data(journey_fields=None, steps=None, errors=None):
    data = {
        "name": "Orders",
        "slug": "orders",
        "event_provider": "acme.shop",
        "correlation_field": "order.id",
        "timezone": "UTC",
        "seed": "1",
        "journeys_per_day": "600",
        "hour_weights": "[" + ",".join(["1"] * 24) + "]",
        "weekday_weights": "[1,1,1,1,1,1,1]",
        "location_field": "location",
        "segment_field": "",
        "revenue_field": "",
        "revenue_min": "0",
        "revenue_max": "0",
        "revenue_label": "Revenue",
        "extra_attributes": "{}",
        "state": "draft",
    }
    data.update(journey_fields or {})
    steps = (
        steps
        if steps is not None
        else [
            {"name": "Place order", "event_type": "order.placed"},
            {
                "name": "Pay",
                "event_type": "order.paid",
                "drop_off_pct": "5",
                "min_delay_hours": "0.1",
                "max_delay_hours": "0.5",
            },
        ]
    )
    for prefix, rows in (("steps", steps), ("errors", errors or [])):
        data[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
        data[f"{prefix}-INITIAL_FORMS"] = "0"
        for i, row in enumerate(rows):
            defaults = (
                {
                    "position": str(i),
                    "drop_off_pct": "0",
                    "min_delay_hours": "0",
                    "max_delay_hours": "0",
                    "max_loops": "1",
                    "delay_shape": "uniform",
                }
                if prefix == "steps"
                else {}
            )
            for key, value in {**defaults, **row}.items():
                data[f"{prefix}-{i}-{key}"] = value
    for prefix in ("locations", "segment_values", "hosts", "incidents"):
        data[f"{prefix}-TOTAL_FORMS"] = "0"
        data[f"{prefix}-INITIAL_FORMS"] = "0"
    return data


@pytest.fixture
def admin_client(client):
    user = User.objects.create_superuser("admin", "admin@example.com", "pw")
    tenant = tenant_create(name="Acme", owner=user)
    Journey.objects.create(
        tenant=tenant, owner=user, name="Draft", slug="orders", event_provider="x", correlation_field="y"
    )
    client.force_login(user)
    return client


def add(client, **kw):
    return client.post(f"/admin/journeys/journey/{Journey.objects.get().pk}/change/", post_data(**kw))


def unchanged() -> bool:
    journey = Journey.objects.get()
    return journey.name == "Draft" and not journey.steps.exists()


def test_it_saves_a_valid_journey(admin_client):
    response = add(admin_client)

    assert response.status_code == 302
    assert Journey.objects.get(slug="orders").steps.count() == 2


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        (
            {"steps": [{"name": "A", "event_type": "a"}, {"name": "B", "event_type": "b", "drop_off_pct": "120"}]},
            "less than or equal to 100",
        ),
        (
            {
                "steps": [
                    {"name": "A", "event_type": "a"},
                    {"name": "B", "event_type": "b", "min_delay_hours": "3", "max_delay_hours": "1"},
                ]
            },
            "must not be above the max delay",
        ),
        ({"steps": [{"name": "A", "event_type": "a"}, {"name": "B", "event_type": "a"}]}, "already used by step 1"),
        ({"steps": [{"name": "A", "event_type": "a"}]}, "at least two steps"),
        ({"steps": []}, "at least two steps"),
        (
            {"steps": [{"name": "A", "event_type": "a", "drop_off_pct": "5"}, {"name": "B", "event_type": "b"}]},
            "first step cannot have a drop-off",
        ),
        ({"journey_fields": {"timezone": "Mars/Olympus"}}, "not a known IANA timezone"),
        ({"journey_fields": {"hour_weights": "[" + ",".join(["0"] * 24) + "]"}}, "must be above zero"),
        ({"journey_fields": {"hour_weights": "[1,2,3]"}}, "exactly 24 numbers"),
        (
            {"journey_fields": {"revenue_field": "order.value", "revenue_min": "500", "revenue_max": "100"}},
            "must not be above the maximum",
        ),
    ],
)
def test_it_refuses_a_bad_value_with_a_clear_message(admin_client, kw, message):
    response = add(admin_client, **kw)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert unchanged()


def test_it_refuses_error_percentages_of_a_step_above_one_hundred(admin_client):
    add(admin_client)
    journey = Journey.objects.get()
    step = journey.steps.last()
    data = post_data(
        errors=[{"step": str(step.pk), "name": "a", "pct": "60"}, {"step": str(step.pk), "name": "b", "pct": "50"}]
    )
    data["steps-INITIAL_FORMS"] = "0"

    response = admin_client.post(f"/admin/journeys/journey/{journey.pk}/change/", {**data, "steps-TOTAL_FORMS": "0"})

    assert "may add up to 100 at most" in response.content.decode()
    assert journey.errors.count() == 0


def test_it_refuses_a_volume_above_the_tenants_cap_next_to_the_field(admin_client):
    Tenant.objects.update(journeys_per_day_cap=500)

    response = add(admin_client, journey_fields={"journeys_per_day": "600"})

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "Acme allows at most 500 journeys per day per journey" in errors["journeys_per_day"][0]
    assert unchanged()


def test_it_writes_the_admins_changes_to_the_audit_log(admin_client):
    from journeys.models import AuditEntry

    add(admin_client)

    entry = AuditEntry.objects.filter(action="journey.updated").get()
    assert entry.actor.username == "admin" and entry.details["via"] == "admin"
    assert "name" in entry.details["changed"] and "tenant" not in entry.details["changed"]


@pytest.mark.parametrize(
    ("kw", "field", "message"),
    [
        ({"journey_fields": {"journeys_per_day": "1e12"}}, "journeys_per_day", "must be at most 1,000,000 journeys"),
        (
            {"steps": [{"name": "Place order", "event_type": "order.placed"}, {"name": "Pay", "event_type": "a/b"}]},
            None,
            "may use only letters A-Z and a-z, digits",
        ),
    ],
)
def test_it_holds_journeys_to_the_same_ceilings_and_names_as_the_site(admin_client, kw, field, message):
    Tenant.objects.update(journeys_per_day_cap=None)  # the ceiling, not the tenant's cap
    response = add(admin_client, **kw)

    assert response.status_code == 200 and message.lower() in response.content.decode().lower()
    if field:
        assert message.lower() in response.context["adminform"].form.errors[field][0].lower()
    assert unchanged()


def test_it_reads_the_ceilings_from_the_settings(admin_client, settings):
    settings.BIZFLOW_MAX_JOURNEYS_PER_DAY = 500
    Tenant.objects.update(journeys_per_day_cap=None)

    response = add(admin_client, journey_fields={"journeys_per_day": "600"})

    errors = response.context["adminform"].form.errors["journeys_per_day"]
    assert "must be at most 500 journeys per day" in errors[0]
    assert unchanged()


def test_it_checks_the_whole_journey_as_saved_and_keeps_nothing_it_refuses(admin_client, settings):
    # Each row is fine on its own; together they break a rule that spans rows: a journey lasting about
    # five days counts five times against a volume ceiling of 1,000 journeys per day.
    settings.BIZFLOW_MAX_JOURNEYS_PER_DAY = 1_000
    Tenant.objects.update(journeys_per_day_cap=None)
    steps = [
        {"name": "Place order", "event_type": "order.placed"},
        {"name": "Pay", "event_type": "order.paid", "min_delay_hours": "100", "max_delay_hours": "120"},
    ]

    response = add(admin_client, journey_fields={"journeys_per_day": "600"}, steps=steps)

    assert response.status_code == 302  # back to the form, with the reason
    page = admin_client.get(response.url).content.decode()
    assert "Nothing was saved" in page and "must be at most" in page
    assert unchanged()


def test_it_writes_the_journeys_snapshot_with_its_rows(admin_client):
    # A delivery run reads the journey from its snapshot (journeys/services/snapshots.py): an edit made
    # here must reach it, steps and all.
    add(admin_client, steps=[{"name": "A", "event_type": "a"}, {"name": "B", "event_type": "b", "max_loops": "4"}])
    journey = Journey.objects.get()

    assert journey_spec_for_delivery(journey) == journey_to_spec(journey)
    assert [step.max_loops for step in journey_spec_for_delivery(journey).steps] == [1, 4]
