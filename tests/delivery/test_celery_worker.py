"""Delivery through a real Celery worker and a real Redis broker, into the file sink."""

import socket
import time
import uuid

import orjson
import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from bizflow_studio import private_redis
from bizflow_studio.celery import app
from journeys.engine.generator import generate_dicts, to_epoch_ms
from journeys.models import JourneyDestination, Run
from journeys.services.destinations import destination_attach, destination_create
from journeys.services.scheduling import journey_activate
from journeys.tasks import schedule_due_runs

from .conftest import CLUSTERED


def reset_connections():
    """Drop pooled broker connections, so the next ones are made with the current settings."""
    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def use_broker():
    """Point the Celery app at a broker (under a key prefix of this test's own), and back afterwards."""
    saved = app.conf.broker_url, dict(app.conf.broker_transport_options or {})

    def use(url: str):
        app.conf.broker_url = url
        app.conf.broker_transport_options = {"global_keyprefix": f"bizflow-test-{uuid.uuid4().hex[:8]}:"}
        reset_connections()

    yield use
    app.conf.broker_url, app.conf.broker_transport_options = saved
    reset_connections()


@pytest.fixture
def file_pair(settings, tmp_path, alice, journey):
    settings.BIZFLOW_EVENTS_DIR = tmp_path / "events"
    destination = destination_create(owner=alice, name="Files", kind="file", config={"fsync": False})
    pair = destination_attach(journey=journey, destination=destination)
    journey_activate(journey=journey, user=alice)
    return pair


def wait_for(condition, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError("timed out waiting for the worker")


def caught_up(pair) -> bool:
    running = Run.objects.filter(journey_destination=pair, outcome=Run.Outcome.RUNNING).exists()
    return not running and not JourneyDestination.objects.get(pk=pair.pk).is_backfilling


def assert_files_hold_exactly_the_generated_events(pair, directory):
    pair.refresh_from_db()
    lines = b"".join(p.read_bytes() for p in sorted(directory.glob("*.ndjson"))).splitlines()
    got = [orjson.loads(line)["event.id"] for line in lines]
    want = [e["event.id"] for e in generate_dicts(CLUSTERED, pair.origin_ms, pair.cursor_ms, pair.origin_ms)]
    assert len(got) > 1000
    assert got == want
    assert pair.cursor_ms <= to_epoch_ms(timezone.now()) + 1  # nothing from the future


def worker():
    return start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=30)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_it_delivers_a_journey_into_files_through_a_real_worker(use_broker, settings, file_pair, journey):
    use_broker(settings.CELERY_BROKER_URL)  # the machine's Redis
    settings.BIZFLOW_RUN_BUDGET_SECONDS = 0  # hand over after every batch: the re-enqueueing is exercised too

    with worker():
        schedule_due_runs.delay()
        wait_for(lambda: caught_up(file_pair))

    runs = Run.objects.filter(journey_destination=file_pair)
    assert runs.count() > 3
    assert set(runs.values_list("outcome", flat=True)) == {Run.Outcome.SUCCESS}
    assert_files_hold_exactly_the_generated_events(file_pair, settings.BIZFLOW_EVENTS_DIR / journey.slug)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_it_carries_on_after_redis_restarts(use_broker, settings, tmp_path, file_pair, journey):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = private_redis.start(tmp_path / "redis", socket=False, port=port)  # ours: restarting it harms no one
    use_broker(server.url)
    try:
        with worker():
            schedule_due_runs.delay()
            wait_for(lambda: caught_up(file_pair))
            server.stop()
            server = private_redis.start(tmp_path / "redis", socket=False, port=port)
            restarted_at = timezone.now()
            schedule_due_runs.delay()
            wait_for(
                lambda: Run.objects.filter(
                    journey_destination=file_pair, started_at__gt=restarted_at, outcome=Run.Outcome.SUCCESS
                ).exists()
            )
    finally:
        server.stop()

    assert_files_hold_exactly_the_generated_events(file_pair, settings.BIZFLOW_EVENTS_DIR / journey.slug)
