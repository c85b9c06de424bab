"""The scheduler pass and the per-pair delivery at thousands of active journeys (``bench --only scheduler``).

The pass is what beat starts every tick: one query for the due journey-destinations, then one delivery
task each, queued in bulk. It is timed against the real broker, into a queue of the benchmark's own
that no worker reads (deleted afterwards), so the figure includes every message's trip to Redis.

The per-pair figure is one worker's run for a pair that is five minutes behind, as on every tick in
steady state (the journey has run for a day: journeys started up to 24 hours ago still send events).
It is measured over a sample of the pairs, in the foreground, and given both as wall-clock time and as
the process's CPU time (the rest is waiting for the database and the disk).

The journeys are copies of the retail example (its rows copied in bulk, each with its own name, event
provider and seed), all active, all delivering to one file destination in a temporary folder; they are
deleted afterwards with the throw-away user and tenant that own them.
"""

from __future__ import annotations

import logging
import statistics
import time
import uuid
from dataclasses import replace
from datetime import datetime, timedelta

from django.db import connection
from django.utils import timezone

from ..engine.generator import to_epoch_ms
from ..models import ErrorRule, Host, Incident, Journey, JourneyDestination, Location, SegmentValue, Step
from ..selectors.journeys import journey_to_spec
from ..services.delivery import delivery_run
from ..services.destinations import destination_create
from ..services.journeys import journey_create_from_spec
from ..services.scheduling import scheduling_pass
from ..services.snapshots import snapshot_text
from . import retail_spec
from .delivery import _scratch

DAY_MS = 86_400_000
WINDOW = timedelta(minutes=5)


def _copy(instance, **changes):
    fields = {
        f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields if not f.primary_key
    }
    return type(instance)(**{**fields, **changes})


def clone_journeys(template: Journey, count: int) -> list[Journey]:
    """``count`` active copies of ``template`` with all their rows and their snapshots, written in bulk."""
    spec = journey_to_spec(template)
    copies = []
    for number in range(count):
        names = {
            "name": f"{template.name} {number}",
            "event_provider": f"{template.event_provider}.{number}",
            "seed": number,
        }
        snapshot = snapshot_text(replace(spec, **names))
        copies.append(
            _copy(
                template,
                slug=f"{template.slug}-{number}",
                state=Journey.State.ACTIVE,
                spec_snapshot=snapshot,
                **names,
            )
        )
    journeys = Journey.objects.bulk_create(copies)
    steps = list(template.steps.order_by("position"))
    new_steps = Step.objects.bulk_create(_copy(step, journey_id=j.pk) for j in journeys for step in steps)
    by_step = {(s.journey_id, s.position): s.pk for s in new_steps}
    position = {s.pk: s.position for s in steps}
    for model in (Location, SegmentValue, Host):
        rows = list(model.objects.filter(journey=template))
        model.objects.bulk_create(_copy(row, journey_id=j.pk) for j in journeys for row in rows)
    for model in (ErrorRule, Incident):
        rows = list(model.objects.filter(journey=template))
        model.objects.bulk_create(
            _copy(row, journey_id=j.pk, step_id=by_step[j.pk, position[row.step_id]]) for j in journeys for row in rows
        )
    return journeys


def _purge(queue: str) -> None:
    """Delete the benchmark's queue and its binding from Redis (nobody reads it)."""
    from bizflow_studio import health

    client = health.broker()
    keys = list(client.scan_iter(match=f"*{queue}*", count=1000))
    if keys:
        client.delete(*keys)


def bench_scheduler(
    n_journeys: int = 1000,
    *,
    journeys_per_day: float = 600,
    sample: int = 100,
    passes: int = 3,
    now: datetime | None = None,
) -> dict:
    """Time the pass over ``n_journeys`` active journeys, and one run each for ``sample`` of their pairs."""
    now = now or timezone.now()
    now_ms = to_epoch_ms(now)
    quiet = logging.getLogger("journeys.services.delivery")
    level, quiet.level = quiet.level, logging.WARNING  # not a line per run
    try:
        return _bench(n_journeys, journeys_per_day, sample, passes, now, now_ms)
    finally:
        quiet.setLevel(level)


def _bench(n_journeys, journeys_per_day, sample, passes, now, now_ms) -> dict:
    with _scratch() as user:
        destination = destination_create(owner=user, name="Bench files", kind="file", config={})
        spec = replace(retail_spec(), name=f"Bench {uuid.uuid4().hex[:6]}", journeys_per_day=journeys_per_day)
        template = journey_create_from_spec(spec=spec, owner=user)
        journeys = clone_journeys(template, n_journeys)
        # In steady state: running for a day, delivered up to five minutes ago.
        cursor = to_epoch_ms(now - WINDOW)
        JourneyDestination.objects.bulk_create(
            JourneyDestination(
                journey=j,
                destination=destination,
                origin_ms=now_ms - DAY_MS,
                cursor_ms=cursor,
                backfill_until_ms=cursor,
            )
            for j in journeys
        )
        queue = f"bizflow-bench-{uuid.uuid4().hex[:8]}"
        pass_seconds, queued = [], 0
        try:
            for _ in range(passes):
                started = time.perf_counter()
                queued = scheduling_pass(now=now, owner=user, queue=queue)
                pass_seconds.append(time.perf_counter() - started)
        finally:
            _purge(queue)
        pair_ids = list(
            JourneyDestination.objects.filter(destination=destination).order_by("id").values_list("id", flat=True)
        )
        chosen = pair_ids[:: max(1, len(pair_ids) // sample)][:sample]
        wall, cpu, events = [], [], 0
        for pair_id in chosen:
            started, started_cpu = time.perf_counter(), time.process_time()
            outcome = delivery_run(journey_destination_id=pair_id, now=now)
            wall.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
            events += outcome.run.delivered
    return {
        "database": connection.vendor,
        "journeys": n_journeys,
        "journeys_per_day_each": journeys_per_day,
        "queued": queued,
        "pass_seconds": round(statistics.median(pass_seconds), 3),
        "sample": len(chosen),
        "pair_ms": round(statistics.mean(wall) * 1000, 1),
        "pair_ms_median": round(statistics.median(wall) * 1000, 1),
        "pair_cpu_ms": round(statistics.mean(cpu) * 1000, 1),
        "events_per_pair": round(events / max(len(chosen), 1), 1),
    }
