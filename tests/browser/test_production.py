"""Production mode end to end: `make serve`'s processes (gunicorn, a worker, beat; DEBUG off) on PostgreSQL
and the machine's Redis, driven by a real browser: log in, edit a journey with the live forecast
following the form (htmx, served by the app itself), and static files with far-future cache headers.
"""

import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

import orjson
import pytest
import redis
from playwright.sync_api import expect

from ..delivery.sandbox import PROJECT, Sandbox
from ..production.postgres import postgres_database

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REDIS_URL = "redis://127.0.0.1:6379/0"
PASSWORD = "a long enough password"
SETUP = f"""
from django.contrib.auth import get_user_model
from journeys.services.journeys import journey_create_from_spec
from tests.delivery.conftest import CLUSTERED

user = get_user_model().objects.create_user("erin", password="{PASSWORD}")
print(journey_create_from_spec(spec=CLUSTERED, owner=user).slug)
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except OSError:
        return 0, b""


def wait_for(condition, timeout: float, log) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    raise AssertionError("timed out; make serve's output:\n" + log.read_text()[-4000:])


@pytest.fixture
def served():
    """`scripts/serve.sh` (what `make serve` runs) on a free port; yields (base URL, journey slug, log).

    In a folder of its own rather than pytest's tmp_path, which other pytest runs on the machine prune.
    """
    with tempfile.TemporaryDirectory(prefix="bizflow-serve-") as folder, postgres_database("serve") as database:
        tmp_path = Path(folder)
        prefix = f"bizflow-test-{uuid.uuid4().hex[:8]}:"
        port = free_port()
        sandbox = Sandbox(tmp_path / "site")
        sandbox.env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        sandbox.env.update(
            DEBUG="false",
            SECRET_KEY=uuid.uuid4().hex * 2,
            ALLOWED_HOSTS="127.0.0.1",
            DATABASE_URL=database,
            REDIS_URL=REDIS_URL,
            CELERY_KEY_PREFIX=prefix,
            HOST="127.0.0.1",
            PORT=str(port),
            WEB_CONCURRENCY="2",
            LOG_FORMAT="json",
            # Plain http on loopback in this test; behind TLS these stay at their secure defaults.
            SESSION_COOKIE_SECURE="false",
            CSRF_COOKIE_SECURE="false",
        )
        subprocess.run(["bash", "scripts/serve.sh", "release"], cwd=PROJECT, env=sandbox.env, check=True, timeout=300)
        slug = sandbox.python(SETUP).strip()
        log = tmp_path / "serve.log"
        with open(log, "wb") as out:
            script = subprocess.Popen(
                ["bash", "scripts/serve.sh"],
                cwd=PROJECT,
                env=sandbox.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            yield f"http://127.0.0.1:{port}", slug, log
        finally:
            script.send_signal(signal.SIGTERM)
            try:
                script.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(script.pid, signal.SIGKILL)
            client = redis.Redis.from_url(REDIS_URL)
            keys = list(client.scan_iter(f"{prefix}*"))
            if keys:
                client.delete(*keys)


def test_it_serves_a_working_app_in_production_mode(served, browser):
    base, slug, log = served
    # Ready: the database and Redis answer, beat's first pass was queued and a worker took it.
    wait_for(lambda: get(f"{base}/readyz")[0] == 200, 120, log)
    assert orjson.loads(get(f"{base}/readyz")[1])["failing"] == []

    context = browser.new_context(base_url=base)
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        page.goto("/")
        page.get_by_label("Username").fill("erin")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.goto(f"/journeys/{slug}/")
        expect(page.locator("#summary-journeys")).to_have_text("3,000")
        page.fill("#id_journeys_per_day", "900")
        expect(page.locator("#summary-journeys")).to_have_text("900")  # htmx: the forecast follows the form

        stylesheet = page.locator('link[rel="stylesheet"]').first.get_attribute("href")
        response = page.request.get(stylesheet)
        assert response.status == 200 and response.headers["content-type"].startswith("text/css")
        assert "max-age=315360000" in response.headers["cache-control"]
        assert "immutable" in response.headers["cache-control"]
        assert page.evaluate("typeof htmx") == "object"
    finally:
        context.close()

    lines = [line for line in log.read_text().splitlines() if line.startswith("{")]
    loggers = {orjson.loads(line)["logger"] for line in lines}  # each a whole JSON object
    assert "gunicorn.access" in loggers and "celery.beat" in loggers and "celery.app.trace" in loggers
