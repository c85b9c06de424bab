"""/healthz and /readyz: no login, no secrets, 503 naming what is not ready; against the machine's Redis."""

import time
import uuid

import orjson
import pytest
import redis
from django.conf import settings
from django.test import Client, override_settings

from bizflow_studio import health
from journeys.tasks import schedule_due_runs


@pytest.fixture
def own_prefix():
    """The health keys under a key prefix of this test's own, deleted afterwards."""
    prefix = f"bizflow-test-{uuid.uuid4().hex[:8]}:"
    with override_settings(CELERY_BROKER_TRANSPORT_OPTIONS={"global_keyprefix": prefix}):
        yield prefix
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    keys = list(client.scan_iter(f"{prefix}*"))
    if keys:
        client.delete(*keys)


def readyz(client=None):
    response = (client or Client()).get("/readyz")
    return response.status_code, orjson.loads(response.content)


def test_it_answers_healthz_without_the_database_or_a_known_host():
    # No django_db mark: any database access here would raise.
    with override_settings(ALLOWED_HOSTS=["bizflow.example.com"], SECURE_SSL_REDIRECT=True):
        response = Client().get("/healthz", headers={"host": "10.1.2.3:8000"})

    assert response.status_code == 200
    assert orjson.loads(response.content) == {"status": "ok"}


@pytest.mark.django_db
def test_it_is_not_ready_until_beat_and_a_worker_have_shown_themselves(own_prefix):
    status, body = readyz()

    assert status == 503
    assert body["failing"] == ["scheduler", "worker"]
    assert body["checks"]["database"] == {"ok": True} and body["checks"]["broker"] == {"ok": True}
    assert body["checks"]["scheduler"]["last_pass_started"] is None


@pytest.mark.django_db
def test_it_is_ready_once_a_scheduler_pass_started_and_a_worker_beat(own_prefix):
    before = time.time()
    assert schedule_due_runs() == 0  # the pass task records its start (no journeys: nothing queued)
    health.worker_heartbeat_mark("worker@host-a")

    status, body = readyz()

    assert status == 200, body
    assert body["status"] == "ok" and body["failing"] == []
    assert body["checks"]["worker"]["workers"] == 1
    assert 0 <= body["checks"]["scheduler"]["age_seconds"] <= time.time() - before + 1


@pytest.mark.django_db
def test_it_names_a_scheduler_that_stopped_passing(own_prefix, settings):
    health.worker_heartbeat_mark("worker@host-a")
    health.pass_started_mark(time.time() - 2 * settings.BIZFLOW_TICK_SECONDS - 61)

    status, body = readyz()

    assert status == 503 and body["failing"] == ["scheduler"]
    assert "no scheduler pass for more than" in body["checks"]["scheduler"]["error"]


@pytest.mark.django_db
def test_it_forgets_a_worker_whose_heartbeat_lapsed(own_prefix, settings):
    settings.WORKER_HEARTBEAT_SECONDS = 1
    health.pass_started_mark()
    health.worker_heartbeat_mark("worker@host-a")
    assert readyz()[0] == 200

    time.sleep(3.2)  # the key lives 3 heartbeats

    status, body = readyz()
    assert status == 503 and body["failing"] == ["worker"]


@pytest.mark.django_db
def test_it_names_an_unreachable_broker_without_quoting_its_address(own_prefix):
    secret_url = "redis://:hunter2-password@127.0.0.1:1/0"  # nothing listens on port 1
    with override_settings(CELERY_BROKER_URL=secret_url):
        response = Client().get("/readyz")

    body = orjson.loads(response.content)
    assert response.status_code == 503
    assert body["failing"] == ["broker", "scheduler", "worker"]
    assert b"hunter2" not in response.content and b"127.0.0.1" not in response.content
    assert settings.SECRET_KEY.encode() not in response.content


@pytest.mark.django_db
def test_it_needs_no_login_and_takes_only_get(own_prefix):
    assert Client().get("/readyz").status_code in (200, 503)  # not a redirect to the login page
    assert Client().post("/healthz").status_code == 405
