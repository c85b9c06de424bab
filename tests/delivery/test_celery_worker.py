"""Delivery through a real Celery worker process and a real Redis broker, into the file sink.

The worker runs as its own process on a sandbox installation (a SQLite file both sides can open), as
it does in production: the only link between the scheduler and the worker is the broker.
"""

import signal
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager

import orjson
import pytest
import redis
from django.conf import settings

from bizflow_studio import private_redis
from journeys.engine.generator import generate_dicts

from .conftest import CLUSTERED
from .sandbox import PROJECT

SETUP = """
from django.contrib.auth import get_user_model
from tests.delivery.conftest import CLUSTERED
from journeys.services.destinations import destination_attach, destination_create
from journeys.services.journeys import journey_create_from_spec
from journeys.services.scheduling import journey_activate

user = get_user_model().objects.create_user("alice")
journey = journey_create_from_spec(spec=CLUSTERED, owner=user)
destination = destination_create(owner=user, name="Files", kind="file", config={"fsync": False})
pair = destination_attach(journey=journey, destination=destination)
journey_activate(journey=journey, user=user)
print(pair.pk, journey.slug)
"""

PAIR = "SELECT cursor_ms, origin_ms, backfill_until_ms FROM journeys_journeydestination WHERE id = ?"


@contextmanager
def worker(sandbox, redis_url: str, **env):
    """A Celery worker process on ``redis_url``, under a key prefix of this test's own."""
    prefix = f"bizflow-test-{uuid.uuid4().hex[:8]}:"
    sandbox.env.update({"REDIS_URL": redis_url, "CELERY_KEY_PREFIX": prefix, **env})
    log = open(sandbox.root / "worker.log", "wb")
    command = [sys.executable, "-m", "celery", "-A", "bizflow_studio", "worker", "--pool=solo", "--loglevel=INFO"]
    process = subprocess.Popen(command, cwd=PROJECT, env=sandbox.env, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        _forget(redis_url, prefix)


def _forget(redis_url: str, prefix: str) -> None:
    """Delete the keys this test's queues left in a shared Redis (a private one is gone already)."""
    try:
        client = redis.Redis.from_url(redis_url, socket_timeout=2)
        keys = list(client.scan_iter(f"{prefix}*"))
        if keys:
            client.delete(*keys)
    except redis.RedisError:
        pass


def wait_for(condition, sandbox, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError("timed out; worker log:\n" + (sandbox.root / "worker.log").read_text()[-3000:])


def caught_up(sandbox, pair_id) -> bool:
    cursor, _, until = sandbox.query(PAIR, pair_id)[0]
    running = sandbox.query("SELECT count(*) FROM journeys_run WHERE outcome = 'running'")[0][0]
    return cursor >= until and not running


def assert_files_hold_exactly_the_generated_events(sandbox, pair_id, slug):
    cursor, origin, _ = sandbox.query(PAIR, pair_id)[0]
    files = sorted((sandbox.var / "events" / "tenants").glob(f"*/{slug}/*.ndjson"))
    got = [orjson.loads(line)["event.id"] for line in b"".join(p.read_bytes() for p in files).splitlines()]
    want = [event["event.id"] for event in generate_dicts(CLUSTERED, origin, cursor, origin)]
    assert len(got) > 1000
    assert got == want
    assert cursor <= time.time() * 1000 + 1  # nothing from the future


@pytest.mark.slow
def test_it_delivers_a_journey_into_files_through_a_real_worker(sandbox):
    pair_id, slug = sandbox.python(SETUP).split()

    # A budget of 0 hands over after every batch: the chain of backfill tasks is exercised too.
    with worker(sandbox, settings.REDIS_URL, BIZFLOW_RUN_BUDGET_SECONDS="0"):
        sandbox.manage("tick", "--enqueue")
        wait_for(lambda: caught_up(sandbox, pair_id), sandbox)

    outcomes = sandbox.query("SELECT kind, outcome FROM journeys_run ORDER BY id")
    # The day's ~17,000 events go to files in batches of up to 16,384: at least two backfill runs.
    assert len(outcomes) >= 2 and {outcome for _, outcome in outcomes} == {"success"}
    # Backfill runs up to the moment of activation; events since then may come in a last scheduled one.
    assert [kind for kind, _ in outcomes[:2]] == ["backfill"] * 2
    assert {kind for kind, _ in outcomes} <= {"backfill", "scheduled"}
    assert_files_hold_exactly_the_generated_events(sandbox, pair_id, slug)


@pytest.mark.slow
def test_it_carries_on_after_redis_restarts(sandbox, tmp_path):
    pair_id, slug = sandbox.python(SETUP).split()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = private_redis.start(tmp_path / "redis", socket=False, port=port)  # ours: restarting it harms no one
    try:
        with worker(sandbox, server.url):
            sandbox.manage("tick", "--enqueue")
            wait_for(lambda: caught_up(sandbox, pair_id), sandbox)
            runs_before = sandbox.query("SELECT count(*) FROM journeys_run")[0][0]
            server.stop()
            server = private_redis.start(tmp_path / "redis", socket=False, port=port)
            sandbox.manage("tick", "--enqueue")
            wait_for(
                lambda: (
                    sandbox.query("SELECT count(*) FROM journeys_run WHERE outcome = 'success'")[0][0] > runs_before
                ),
                sandbox,
            )
    finally:
        server.stop()

    log = (sandbox.root / "worker.log").read_text()
    assert "Connection to broker lost" in log  # the worker did see Redis go away...
    assert "Connected to redis" in log.split("Connection to broker lost")[-1]  # ...and came back to it
    assert_files_hold_exactly_the_generated_events(sandbox, pair_id, slug)
