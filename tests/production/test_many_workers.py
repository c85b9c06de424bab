"""Two Celery workers on two "hosts" share one Redis and one PostgreSQL, as workers on two machines do.

200 journeys are activated and a dozen scheduler passes replayed five minutes apart (each pass names
its moment, so every run delivers up to it, whichever worker takes it; some passes are queued twice,
as when beat was started twice by mistake). Then: every journey's files hold exactly the bytes one
process delivering the same range alone writes; both workers ran part of the runs; and no two runs of
one journey-destination overlapped in time (the conditional claim in services/delivery.py).
"""

from __future__ import annotations

import filecmp
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
import redis
from celery import Celery

from journeys.engine.generator import to_epoch_ms

from ..delivery.sandbox import PROJECT, Sandbox
from .postgres import postgres_database, query

REDIS_URL = "redis://127.0.0.1:6379/0"
JOURNEYS = 200
PASSES = 12
DOUBLED = {2, 7}  # passes queued twice

SETUP = """
from dataclasses import replace
from datetime import datetime

from django.contrib.auth import get_user_model

from journeys.benchmarks.scheduler import clone_journeys
from django.db.models import F

from journeys.models import Journey, JourneyDestination
from journeys.services.destinations import destination_attach, destination_create
from journeys.services.journeys import journey_create_from_spec
from journeys.services.scheduling import journey_activate
from tests.delivery.conftest import CLUSTERED

activated_at = datetime.fromisoformat("{activated_at}")
user = get_user_model().objects.create_user("ops")
config = {{"fsync": False, "directory": "shared"}}
destination = destination_create(owner=user, name="Files", kind="file", config=config)
template = journey_create_from_spec(spec=replace(CLUSTERED, journeys_per_day=100), owner=user)
for journey in clone_journeys(template, {count}):
    journey.state = Journey.State.DRAFT
    destination_attach(journey=journey, destination=destination)
    journey_activate(journey=journey, user=user, now=activated_at)
template.delete()
# A backfill of one hour rather than 24 keeps the test short; the passes are what it is about.
hour_before = F("backfill_until_ms") - 3_600_000
JourneyDestination.objects.update(origin_ms=hour_before, cursor_ms=hour_before)
print(Journey.objects.filter(state="active").count())
"""

REPLAY_ALONE = """
from datetime import datetime

from django.db.models import F

from journeys.models import Destination, JourneyDestination, Run
from journeys.services.scheduling import delivery_tick

JourneyDestination.objects.update(cursor_ms=F("origin_ms"), cursor_skip=0)
Destination.objects.update(config={{"fsync": False, "directory": "alone"}})
runs = delivery_tick(now=datetime.fromisoformat("{until}"))
print(sum(run.delivered for run in runs))
"""


@contextmanager
def worker(sandbox: Sandbox, name: str, log: Path):
    command = [
        sys.executable, "-m", "celery", "-A", "bizflow_studio", "--quiet", "worker", "--pool=solo",
        f"--hostname={name}", "--loglevel=INFO", "--without-gossip", "--without-mingle",
    ]  # fmt: skip
    with open(log, "wb") as out:
        process = subprocess.Popen(command, cwd=PROJECT, env=sandbox.env, stdout=out, stderr=subprocess.STDOUT)
        try:
            yield process
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()


def wait_until(condition, timeout: float, what: str, logs: list[Path]) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    tails = "\n".join(f"--- {log.name}\n{log.read_text()[-2000:]}" for log in logs)
    raise AssertionError(f"timed out waiting for {what}\n{tails}")


# What Celery writes straight to the terminal rather than through logging: its warning when run as
# root (before logging is set up) and one line when it stops.
CELERY_DIRECT = ("SecurityWarning", "absolutely not recommended", "--uid option", "User information: uid=0",
                 "_warn_or_raise_security_error(", "worker: Warm shutdown (MainProcess)")  # fmt: skip


def runs_by_worker(log: Path) -> set[int]:
    """The runs a worker logged finishing, read from its JSON log lines."""
    runs = set()
    for line in log.read_text().splitlines():
        if not line.startswith("{"):
            assert not line.strip() or any(known in line for known in CELERY_DIRECT), line
            continue
        entry = orjson.loads(line)  # LOG_FORMAT=json: every logged line is one object
        if entry["logger"] == "journeys.services.delivery" and "run" in entry:
            runs.add(entry["run"])
    return runs


def _forget(prefix: str) -> None:
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"{prefix}*"))
    if keys:
        client.delete(*keys)


def _run_passes(sandbox: Sandbox, database: str, prefix: str, activated_at: datetime, logs: list[Path]) -> None:
    """Start the two workers, queue the passes one after the other, each once all pairs caught up."""
    sender = Celery(broker=REDIS_URL, set_as_current=False)
    sender.conf.broker_transport_options = {"global_keyprefix": prefix}
    queue = redis.Redis.from_url(REDIS_URL)
    with worker(sandbox, "worker@host-a", logs[0]), worker(sandbox, "worker@host-b", logs[1]):
        for number in range(1, PASSES + 1):
            moment = activated_at + timedelta(minutes=5 * number)
            for _ in range(2 if number in DOUBLED else 1):
                sender.send_task("journeys.tasks.schedule_due_runs", kwargs={"now": moment.isoformat()})

            moment_ms = to_epoch_ms(moment) + 1

            def passed(moment_ms=moment_ms):
                # Every pair caught up and none held by a run, nothing queued and nothing being worked on:
                # the next pass must not find a pair still claimed (it would leave it to the pass after).
                (behind, held), *_ = query(
                    database,
                    "SELECT count(*) FILTER (WHERE cursor_ms < %s), count(*) FILTER (WHERE lock_token <> '') "
                    "FROM journeys_journeydestination",
                    moment_ms,
                )
                return (
                    not behind and not held and not queue.llen(f"{prefix}celery") and not queue.hlen(f"{prefix}unacked")
                )

            wait_until(passed, 900, f"pass {number}", logs)


def _assert_shared_without_overlap(database: str, logs: list[Path]) -> None:
    runs = query(database, "SELECT id, journey_destination_id, outcome, started_at, finished_at FROM journeys_run")
    by_a, by_b = runs_by_worker(logs[0]), runs_by_worker(logs[1])
    ran = {run_id for run_id, _, outcome, *_ in runs if outcome != "skipped"}
    assert by_a and by_b, "both workers ran part of the passes"
    assert not by_a & by_b and by_a | by_b == ran, "each run was logged by exactly one worker"
    assert {outcome for _, _, outcome, *_ in runs} <= {"success", "skipped"}
    spans: dict[int, list] = {}
    for _, pair_id, outcome, started, finished in sorted(runs, key=lambda run: run[3]):
        if outcome != "skipped":
            spans.setdefault(pair_id, []).append((started, finished))
    assert len(spans) == JOURNEYS
    for pair_spans in spans.values():
        for (_, finished), (started, _) in zip(pair_spans, pair_spans[1:], strict=False):
            assert started >= finished, "two runs of one journey-destination overlapped"


@pytest.mark.slow
def test_it_shares_the_passes_between_two_workers_and_delivers_exactly_what_one_would():
    # A folder of its own rather than pytest's tmp_path: other pytest runs on the machine prune old
    # base folders, and this test runs for minutes.
    with tempfile.TemporaryDirectory(prefix="bizflow-workers-") as folder, postgres_database("workers") as database:
        tmp_path = Path(folder)
        prefix = f"bizflow-test-{uuid.uuid4().hex[:8]}:"
        sandbox = Sandbox(tmp_path / "site")
        sandbox.env.update(
            DATABASE_URL=database, REDIS_URL=REDIS_URL, CELERY_KEY_PREFIX=prefix, LOG_FORMAT="json", DEBUG="false"
        )
        sandbox.manage("migrate", "--noinput", "-v0", timeout=300)
        activated_at = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=5 * PASSES + 5)
        setup = SETUP.format(activated_at=activated_at.isoformat(), count=JOURNEYS)
        assert sandbox.python(setup, timeout=600).strip() == str(JOURNEYS)
        logs = [tmp_path / "host-a.log", tmp_path / "host-b.log"]
        try:
            _run_passes(sandbox, database, prefix, activated_at, logs)
        finally:
            _forget(prefix)

        _assert_shared_without_overlap(database, logs)
        # The same range, delivered by one process alone into another folder: the same bytes.
        until = activated_at + timedelta(minutes=5 * PASSES)
        assert int(sandbox.python(REPLAY_ALONE.format(until=until.isoformat()), timeout=600)) > JOURNEYS * 10

        events = sandbox.var / "events"  # file destinations write inside their tenant's folder
        shared, alone = (next(p for p in events.rglob(name) if p.is_dir()) for name in ("shared", "alone"))
        files = sorted(str(p.relative_to(shared)) for p in shared.rglob("*.ndjson"))
        assert len(files) >= JOURNEYS * 0.9  # a file per journey and day (a quiet journey may have none)
        assert files == sorted(str(p.relative_to(alone)) for p in alone.rglob("*.ndjson"))
        match, mismatch, errors = filecmp.cmpfiles(shared, alone, files, shallow=False)
        assert not mismatch and not errors and len(match) == len(files)
