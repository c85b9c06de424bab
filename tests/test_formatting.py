"""Numbers and times read one way on every page: journeys/formatting.py and its template filters."""

from datetime import UTC, datetime, timedelta

from django.template import Context, Template

from journeys import formatting as fmt

NOW = datetime(2026, 3, 2, 9, 15, 7, tzinfo=UTC)


def test_it_writes_counts_with_thousands_separators():
    assert fmt.integer(304_918) == "304,918"
    assert fmt.integer(0) == "0"
    assert fmt.integer(None) == "—"


def test_it_says_just_now_rather_than_zero_minutes():
    assert fmt.ago(NOW - timedelta(seconds=59), now=NOW) == "just now"
    assert fmt.ago(NOW, now=NOW) == "just now"
    assert fmt.ago(NOW - timedelta(seconds=61), now=NOW) == "1 minute ago"
    assert fmt.ago(NOW - timedelta(minutes=125), now=NOW) == "2 hours ago"
    assert fmt.ago(NOW - timedelta(days=3, hours=5), now=NOW) == "3 days ago"


def test_it_shows_times_to_the_second_and_says_utc():
    assert fmt.utc(NOW) == "2026-03-02 09:15:07 UTC"
    assert fmt.utc(datetime(2026, 3, 2, 10, 15, 7, tzinfo=UTC).astimezone(fmt_zone())) == "2026-03-02 10:15:07 UTC"


def fmt_zone():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Europe/Berlin")


def test_it_writes_revenue_the_same_way_everywhere():
    assert fmt.money(123_456.7) == "123,457"
    assert fmt.money(56.7) == "56.70"


def test_its_template_filters_use_the_same_functions():
    html = Template(
        "{% load journey_format %}{{ n|thousands }}|{{ at|utc }}|{{ recent|ago }}|{{ amount|money }}"
    ).render(Context({"n": 304_918, "at": NOW, "recent": datetime.now(UTC), "amount": 1234.5}))

    assert html == "304,918|2026-03-02 09:15:07 UTC|just now|1,234"


def test_it_shows_admin_times_to_the_second_in_utc(settings):
    from django.utils import formats

    assert formats.localize(NOW) == "2026-03-02 09:15:07 UTC"
