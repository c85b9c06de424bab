"""`make run` end to end: scripts/run.sh starts Redis, the web app, a worker and beat; events land in files."""

import os
import signal
import socket
import subprocess
import time
import urllib.request

import pytest

from .sandbox import PROJECT

SETUP = """
from django.contrib.auth import get_user_model
from tests.delivery.conftest import CLUSTERED
from journeys.services.destinations import demo_destination_ensure
from journeys.services.journeys import journey_create_from_spec

user = get_user_model().objects.create_user("demo")
journey = journey_create_from_spec(spec=CLUSTERED, owner=user)
demo_destination_ensure(user)
print(journey.slug)
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def wait_for(condition, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.25)
    return False


@pytest.mark.slow
def test_it_runs_everything_and_stops_everything(sandbox, tmp_path):
    slug = sandbox.python(SETUP).strip()
    port = free_port()
    log = open(tmp_path / "run.log", "wb")
    script = subprocess.Popen(
        ["bash", str(PROJECT / "scripts" / "run.sh")],
        env={**sandbox.env, "PORT": str(port)},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, as a terminal would give it
    )
    try:
        progress = "SELECT cursor_ms, backfill_until_ms FROM journeys_journeydestination"

        def backfilled():
            rows = sandbox.query(progress)
            return rows and all(cursor >= until for cursor, until in rows)

        assert wait_for(backfilled, 90), (tmp_path / "run.log").read_text()
        files = list((sandbox.var / "events" / "tenants").glob(f"*/{slug}/*.ndjson"))
        assert files and sum(f.stat().st_size for f in files) > 100_000
        assert wait_for(lambda: _answers(port), 30)
    finally:
        script.send_signal(signal.SIGTERM)
        stopped = wait_for(lambda: script.poll() is not None and not group_alive(script.pid), 60)
        if not stopped:
            os.killpg(script.pid, signal.SIGKILL)
    assert stopped, "something outlived the script"
    assert not (sandbox.var / "redis" / "redis.sock").exists()


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False
