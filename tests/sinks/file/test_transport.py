"""The file sink: one NDJSON file per journey and UTC day, and each event in it once however runs end."""

from datetime import UTC, datetime, timedelta

import pytest

from journeys.engine.encode import EncodedBatch
from journeys.engine.generator import generate
from journeys.sinks import sink_class
from journeys.sinks.base import DeliveryError
from journeys.sinks.file.transport import FileSink

from ...delivery.conftest import CLUSTERED

MIDNIGHT = datetime(2026, 11, 21, tzinfo=UTC)


@pytest.fixture
def events_dir(settings, tmp_path):
    """The tenant's folder the sinks below write in (the tenant "team")."""
    settings.BIZFLOW_EVENTS_DIR = tmp_path / "events"
    return tmp_path / "events" / "tenants" / "team"


def file_sink(**config) -> FileSink:
    return FileSink({"tenant_folder": "team", **config})


def batch_between(start, end) -> EncodedBatch:
    return EncodedBatch.concat(list(generate(CLUSTERED, start, end, origin=start - timedelta(hours=6))))


def lines_of(path):
    return path.read_bytes().splitlines()


def test_it_is_registered_as_the_file_kind():
    assert sink_class("file") is FileSink


def test_it_writes_one_file_per_journey_and_utc_day(events_dir):
    batch = batch_between(MIDNIGHT - timedelta(minutes=40), MIDNIGHT + timedelta(minutes=40))

    report = file_sink().deliver(batch, journey_slug="orders")

    before, after = events_dir / "orders" / "2026-11-20.ndjson", events_dir / "orders" / "2026-11-21.ndjson"
    assert sorted(p.name for p in (events_dir / "orders").iterdir()) == [before.name, after.name]
    assert lines_of(before) + lines_of(after) == batch.lines()
    assert all(b'"timestamp":"2026-11-20T' in line for line in lines_of(before))
    assert all(b'"timestamp":"2026-11-21T' in line for line in lines_of(after))
    assert (report.delivered, report.requests, report.bytes_sent) == (len(batch), 2, batch.nbytes)


def test_it_appends_batch_after_batch(events_dir):
    first = batch_between(MIDNIGHT, MIDNIGHT + timedelta(minutes=30))
    second = batch_between(MIDNIGHT + timedelta(minutes=30), MIDNIGHT + timedelta(hours=1))
    sink = file_sink(directory="nested/dir")

    sink.deliver(first, journey_slug="orders")
    sink.deliver(second, journey_slug="orders")

    assert lines_of(events_dir / "nested/dir/orders/2026-11-21.ndjson") == first.lines() + second.lines()


def test_it_does_not_write_again_what_a_killed_run_already_wrote(events_dir):
    batch = batch_between(MIDNIGHT, MIDNIGHT + timedelta(hours=1))
    path = events_dir / "orders" / "2026-11-21.ndjson"
    file_sink().deliver(batch.slice(0, 10), journey_slug="orders")
    # The killed run had written 25 more events (and half of one) before its progress was saved.
    with open(path, "ab") as handle:
        handle.write(batch.slice(10, 35).data + batch.line(35)[:20])

    report = file_sink().deliver(batch.slice(10, len(batch)), journey_slug="orders")

    assert lines_of(path) == batch.lines()
    assert report.delivered == len(batch) - 10
    assert report.notes == ["25 events already in 2026-11-21.ndjson were not written again"]


def test_it_drops_a_line_cut_short_by_a_crash(events_dir):
    batch = batch_between(MIDNIGHT, MIDNIGHT + timedelta(minutes=30))
    path = events_dir / "orders" / "2026-11-21.ndjson"
    path.parent.mkdir(parents=True)
    path.write_bytes(batch.line(0)[:30])

    file_sink().deliver(batch, journey_slug="orders")

    assert lines_of(path) == batch.lines()


def test_it_refuses_a_directory_outside_the_tenants_folder(events_dir):
    with pytest.raises(DeliveryError) as caught:
        file_sink(directory="/etc").deliver(batch_between(MIDNIGHT, MIDNIGHT + timedelta(minutes=15)), journey_slug="x")

    assert caught.value.permanent
    assert "not an absolute path" in caught.value.message


def test_it_refuses_to_write_without_a_tenant_folder(events_dir):
    with pytest.raises(DeliveryError) as caught:
        FileSink({}).deliver(batch_between(MIDNIGHT, MIDNIGHT + timedelta(minutes=15)), journey_slug="x")

    assert caught.value.permanent and "no tenant folder" in caught.value.message


def test_it_refuses_a_folder_name_that_is_not_a_slug(events_dir):
    with pytest.raises(DeliveryError) as caught:
        file_sink().deliver(batch_between(MIDNIGHT, MIDNIGHT + timedelta(minutes=15)), journey_slug="../up")

    assert caught.value.permanent


def test_it_stops_for_good_when_the_directory_is_a_file(events_dir):
    events_dir.mkdir(parents=True)
    (events_dir / "orders").write_text("not a folder")

    with pytest.raises(DeliveryError) as caught:
        file_sink().deliver(batch_between(MIDNIGHT, MIDNIGHT + timedelta(minutes=15)), journey_slug="orders")

    assert caught.value.permanent and caught.value.delivered == 0


def test_it_checks_that_it_can_write(events_dir):
    events_dir.mkdir(parents=True)
    (events_dir / "out").mkdir()

    assert file_sink(directory="out").check() == "writing to out/"
    assert file_sink().check() == "writing to the tenant's folder"
