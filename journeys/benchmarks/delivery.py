"""Delivery benchmarks: a 24-hour backfill into files, and one scheduler tick over many journeys.

Both go through the real services (database rows, cursors, the file sink) and clean up after
themselves: the rows they create are deleted and the files written to a temporary directory.
Each returns a dict of figures, for the ``bench`` command to print.
"""

from __future__ import annotations

import tempfile
import time
import uuid
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from django.contrib.auth import get_user_model
from django.test import override_settings
from django.utils import timezone

from ..models import Run
from ..services.delivery import delivery_catch_up
from ..services.destinations import destination_attach, destination_create
from ..services.journeys import journey_create_from_spec
from ..services.scheduling import delivery_tick, journey_activate
from ..services.tenancy import tenant_create
from . import retail_spec


@contextmanager
def _scratch():
    """A throw-away user and tenant (deleted with all they hold afterwards) and a temporary events folder."""
    user = get_user_model().objects.create_user(f"bench-{uuid.uuid4().hex[:12]}")
    # No caps: the benchmarks measure volumes above a new tenant's defaults.
    tenant = tenant_create(
        name=f"{user.username} tenant", owner=user, events_per_day_cap=None, journeys_per_day_cap=None
    )
    try:
        with tempfile.TemporaryDirectory(prefix="bizflow-bench-") as directory:
            # One run per pair however long it takes: the figures are for the work, not the hand-overs.
            with override_settings(BIZFLOW_EVENTS_DIR=Path(directory), BIZFLOW_RUN_BUDGET_SECONDS=24 * 3600):
                yield user
    finally:
        tenant.delete()
        user.delete()


def bench_backfill_file(journeys_per_day: float = 1_000_000, *, now: datetime | None = None) -> dict:
    """A first activation's 24-hour backfill of the retail journey into the file sink."""
    now = now or timezone.now()
    with _scratch() as user:
        journey = journey_create_from_spec(spec=replace(retail_spec(), journeys_per_day=journeys_per_day), owner=user)
        destination = destination_create(owner=user, name="Bench files", kind="file", config={})
        pair = destination_attach(journey=journey, destination=destination)
        journey_activate(journey=journey, user=user, now=now)
        started = time.perf_counter()
        runs = delivery_catch_up(journey_destination_id=pair.pk, now=now)
        seconds = time.perf_counter() - started
    events = sum(run.delivered for run in runs)
    nbytes = sum(run.bytes for run in runs)
    return {
        "journeys_per_day": journeys_per_day,
        "events": events,
        "bytes": nbytes,
        "seconds": round(seconds, 3),
        "events_per_second": round(events / seconds) if seconds else None,
        "mb_per_second": round(nbytes / seconds / 1e6, 1) if seconds else None,
        "outcomes": sorted({str(run.outcome) for run in runs}),
    }


def bench_tick(n_journeys: int = 100, *, journeys_per_day: float = 600, now: datetime | None = None) -> dict:
    """One scheduler pass over ``n_journeys`` active journeys, each five minutes behind (as on every tick)."""
    now = now or timezone.now()
    with _scratch() as user:
        destination = destination_create(owner=user, name="Bench files", kind="file", config={})
        base = replace(retail_spec(), journeys_per_day=journeys_per_day)
        for number in range(n_journeys):
            spec = replace(base, name=f"Bench retail {number}", event_provider=f"bench.retail.{number}", seed=number)
            journey = journey_create_from_spec(spec=spec, owner=user)
            destination_attach(journey=journey, destination=destination)
            journey_activate(journey=journey, user=user, now=now - timedelta(minutes=5))
        # Not timed: the first activation's backfill. Only our own pairs, in both passes: a user's
        # journey must never deliver into this temporary folder.
        backfill_runs = delivery_tick(now=now - timedelta(minutes=5), owner=user)
        started = time.perf_counter()
        runs = delivery_tick(now=now, owner=user)
        seconds = time.perf_counter() - started
    return {
        "journeys": n_journeys,
        "journeys_per_day_each": journeys_per_day,
        "runs": len(runs),
        "events": sum(run.delivered for run in runs),
        "seconds": round(seconds, 3),
        "ms_per_journey": round(seconds * 1000 / max(n_journeys, 1), 1),
        "backfill_events": sum(run.delivered for run in backfill_runs),
        "failed_runs": sum(run.outcome != Run.Outcome.SUCCESS for run in runs),
    }
