"""A tenant's caps: the day's event counter shared by its runs, and the volume a journey may have."""

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from django.contrib.auth import get_user_model

from journeys.engine.errors import JourneyImportError
from journeys.engine.spec import InvalidJourney, JourneySpec, Step
from journeys.models import Journey, TenantDailyUsage
from journeys.services import quotas
from journeys.services.editing import journey_duplicate
from journeys.services.imports import EXAMPLES_DIR, journey_import_text
from journeys.services.journeys import journey_create_from_spec, journey_replace_contents
from journeys.services.quotas import events_left_today, quota_release, quota_reserve, usage_day
from journeys.services.tenancy import tenant_create

pytestmark = pytest.mark.django_db
DAY = date(2026, 11, 20)
SPEC = JourneySpec("Orders", "acme.shop", "order.id", (Step("Place", "order.placed"), Step("Pay", "order.paid")))


@pytest.fixture
def alice():
    return get_user_model().objects.create_user("alice")


@pytest.fixture
def tenant(alice):
    return tenant_create(name="Acme", owner=alice, events_per_day_cap=100, journeys_per_day_cap=1000)


def test_it_grants_up_to_the_cap_then_nothing(tenant):
    assert quota_reserve(tenant_id=tenant.pk, day=DAY, wanted=60, cap=100) == 60
    assert quota_reserve(tenant_id=tenant.pk, day=DAY, wanted=60, cap=100) == 40
    assert quota_reserve(tenant_id=tenant.pk, day=DAY, wanted=1, cap=100) == 0

    assert TenantDailyUsage.objects.get(tenant=tenant, day=DAY).events == 100


def test_it_gives_back_what_the_destination_did_not_take(tenant):
    quota_reserve(tenant_id=tenant.pk, day=DAY, wanted=100, cap=100)

    quota_release(tenant_id=tenant.pk, day=DAY, unused=30)

    assert quota_reserve(tenant_id=tenant.pk, day=DAY, wanted=50, cap=100) == 30


def test_it_counts_each_utc_day_apart(tenant):
    quota_reserve(tenant_id=tenant.pk, day=DAY, wanted=100, cap=100)
    late_evening = datetime(2026, 11, 20, 23, 59, tzinfo=UTC)
    next_morning = datetime(2026, 11, 21, 0, 1, tzinfo=UTC)

    assert usage_day(late_evening) == DAY
    assert events_left_today(tenant=tenant, now=late_evening) == 0
    assert events_left_today(tenant=tenant, now=next_morning) == 100


def test_it_never_grants_past_the_cap_when_another_run_reserved_since_it_read(tenant, monkeypatch):
    # Another run took 80 between this run's read of the counter (0) and its update.
    stale = TenantDailyUsage.objects.create(tenant=tenant, day=DAY, events=0)
    TenantDailyUsage.objects.filter(pk=stale.pk).update(events=80)
    monkeypatch.setattr(quotas, "_usage_row", lambda tenant_id, day: stale)

    granted = quota_reserve(tenant_id=tenant.pk, day=DAY, wanted=50, cap=100)

    assert granted == 20
    assert TenantDailyUsage.objects.get(pk=stale.pk).events == 100


def test_it_has_no_allowance_without_a_cap(alice):
    tenant = tenant_create(name="Open", owner=alice, events_per_day_cap=None)

    assert events_left_today(tenant=tenant, now=datetime(2026, 11, 20, tzinfo=UTC)) is None


def test_it_refuses_to_create_a_journey_above_the_volume_cap_naming_the_field(alice, tenant):
    with pytest.raises(InvalidJourney) as caught:
        journey_create_from_spec(spec=replace(SPEC, journeys_per_day=1500), owner=alice, tenant=tenant)

    [error] = caught.value.errors
    assert error.path == "journeys_per_day" and "at most 1000 journeys per day" in error.message
    assert not Journey.objects.exists()


def test_it_refuses_to_raise_a_journeys_volume_above_the_cap(alice, tenant):
    journey = journey_create_from_spec(spec=replace(SPEC, journeys_per_day=1000), owner=alice, tenant=tenant)

    with pytest.raises(InvalidJourney):
        journey_replace_contents(journey=journey, spec=replace(SPEC, journeys_per_day=1001))

    assert Journey.objects.get(pk=journey.pk).journeys_per_day == 1000


def test_it_refuses_an_import_above_the_volume_cap_as_an_import_error(alice, tenant):
    text = (EXAMPLES_DIR / "travel-booking.json").read_text()

    with pytest.raises(JourneyImportError) as caught:
        journey_import_text(text=text, owner=alice, tenant=tenant, journeys_per_day=5000)

    assert [e.path for e in caught.value.errors] == ["journeys_per_day"]
    assert journey_import_text(text=text, owner=alice, tenant=tenant, journeys_per_day=900).journeys_per_day == 900


def test_it_refuses_to_duplicate_a_journey_whose_volume_is_above_a_lowered_cap(alice, tenant):
    journey = journey_create_from_spec(spec=replace(SPEC, journeys_per_day=1000), owner=alice, tenant=tenant)
    tenant.journeys_per_day_cap = 10
    tenant.save()

    with pytest.raises(InvalidJourney):
        journey_duplicate(journey=journey, actor=alice)
