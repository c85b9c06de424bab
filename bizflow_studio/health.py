"""Liveness and readiness for orchestrators: ``GET /healthz`` and ``GET /readyz``.

``/healthz`` says the web process answers and touches nothing else. ``/readyz`` answers JSON about
what the app depends on: the database, the broker (Redis), the scheduler (when beat last started a
scheduler pass) and the workers (whether one wrote its heartbeat recently); 200 when all are fine,
503 naming those that are not. Neither needs a login, and neither says more than ok or not: no
host names, addresses, settings or error texts (a connection error could quote a URL).

Both are answered by :class:`HealthMiddleware`, first in the chain, before the host check, the HTTPS
redirect and the login: a probe comes from inside the cluster, to the pod's address and over plain
HTTP, so it would otherwise be refused as a bad Host or redirected.

The scheduler pass (journeys.tasks.schedule_due_runs) records its start with :func:`pass_started_mark`;
each worker process writes a heartbeat (:func:`worker_heartbeat_mark`, from bizflow_studio/celery.py)
every WORKER_HEARTBEAT_SECONDS, kept for three times that. Both live in the broker's Redis under the
Celery key prefix.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from functools import lru_cache

import orjson
import redis
from django.conf import settings
from django.db import connection
from django.http import HttpResponse

HEALTH_PATHS = ("/healthz", "/readyz")
PASS_KEY = "health:pass-started"
WORKER_KEY = "health:worker:"
CHECK_TIMEOUT_SECONDS = 2.0


@lru_cache(maxsize=4)
def _client(url: str) -> redis.Redis:
    if url.startswith("redis+socket://"):  # kombu's spelling of a unix socket
        url = "unix://" + url.removeprefix("redis+socket://")
    return redis.Redis.from_url(url, socket_timeout=CHECK_TIMEOUT_SECONDS, socket_connect_timeout=CHECK_TIMEOUT_SECONDS)


def broker() -> redis.Redis:
    return _client(settings.CELERY_BROKER_URL)


def _key(name: str) -> str:
    return settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("global_keyprefix", "") + name


def pass_started_mark(now: float | None = None) -> None:
    """The scheduler pass has started (called by the pass task, so it proves beat and a worker)."""
    broker().set(_key(PASS_KEY), repr(now or time.time()))


def worker_heartbeat_mark(hostname: str, now: float | None = None) -> None:
    ttl = 3 * settings.WORKER_HEARTBEAT_SECONDS
    broker().set(_key(WORKER_KEY + hostname), repr(now or time.time()), ex=ttl)


def worker_heartbeat_clear(hostname: str) -> None:
    broker().delete(_key(WORKER_KEY + hostname))


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds")


def _database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any failure means not ready; its text may name the server
        return {"ok": False, "error": "the database does not answer"}
    return {"ok": True}


def _scheduler(client: redis.Redis, now: float) -> dict:
    raw = client.get(_key(PASS_KEY))
    if raw is None:
        return {"ok": False, "error": "no scheduler pass recorded yet", "last_pass_started": None}
    started = float(raw)
    # Beat starts a pass every tick; two missed ticks (and a minute's grace) mean it is not running.
    stale_after = 2 * settings.BIZFLOW_TICK_SECONDS + 60
    report = {"ok": now - started <= stale_after, "last_pass_started": _iso(started), "age_seconds": int(now - started)}
    if not report["ok"]:
        report["error"] = f"no scheduler pass for more than {stale_after} s"
    return report


def _workers(client: redis.Redis, now: float) -> dict:
    keys = list(client.scan_iter(match=_key(WORKER_KEY) + "*", count=1000))
    beats = [float(value) for value in client.mget(keys) if value is not None] if keys else []
    if not beats:
        return {"ok": False, "error": "no worker answered recently", "workers": 0, "last_seen": None}
    return {"ok": True, "workers": len(beats), "last_seen": _iso(max(beats))}


def readiness() -> dict:
    """Every check's report and the names of those failing."""
    now = time.time()
    checks = {"database": _database()}
    client = broker()
    try:
        client.ping()
    except redis.RedisError:
        unreachable = {"ok": False, "error": "the broker does not answer"}
        checks.update(broker=unreachable, scheduler=unreachable, worker=unreachable)
    else:
        checks.update(broker={"ok": True}, scheduler=_scheduler(client, now), worker=_workers(client, now))
    failing = [name for name, report in checks.items() if not report["ok"]]
    return {"status": "failing" if failing else "ok", "failing": failing, "checks": checks}


def _json(body: dict, status: int) -> HttpResponse:
    response = HttpResponse(orjson.dumps(body), status=status, content_type="application/json")
    response["Cache-Control"] = "no-store"
    response._has_been_logged = True  # a 503 here is an answer, not a server error for django.request to log
    return response


class HealthMiddleware:
    """Answers the two health paths before anything else looks at the request (see the module's text)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info.rstrip("/")
        if path not in HEALTH_PATHS:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return _json({"error": "GET only"}, 405)
        if path == "/healthz":
            return _json({"status": "ok"}, 200)
        report = readiness()
        return _json(report, 503 if report["failing"] else 200)
