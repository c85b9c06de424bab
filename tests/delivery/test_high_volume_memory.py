"""A delivery run streams: at the largest volume a journey may have, a long window written to files stays in a
bounded amount of memory (the generator's blocks and one batch at a time, never the window)."""

import json
import tracemalloc
from datetime import timedelta
from pathlib import Path

import pytest

from journeys.engine.generator import to_epoch_ms
from journeys.engine.jsonformat import spec_from_dict
from journeys.engine.limits import current_limits
from journeys.models import Journey, JourneyDestination, Run
from journeys.services.delivery import delivery_run
from journeys.services.destinations import destination_attach, destination_create
from journeys.services.journeys import journey_create_from_spec
from journeys.services.tenancy import tenant_create

from .conftest import T0

RETAIL = Path(__file__).resolve().parents[2] / "journeys" / "examples" / "retail-order-delivery.json"
PEAK_BYTES = 200 * 1024 * 1024


@pytest.mark.slow
def test_it_delivers_a_long_window_at_the_volume_ceiling_in_bounded_memory(alice, settings, tmp_path):
    settings.BIZFLOW_EVENTS_DIR = tmp_path
    tenant = tenant_create(name="Big", owner=alice, events_per_day_cap=None, journeys_per_day_cap=None)
    data = {**json.loads(RETAIL.read_text()), "journeys_per_day": current_limits().journeys_per_day}
    journey = journey_create_from_spec(spec=spec_from_dict(data), owner=alice, tenant=tenant)
    Journey.objects.filter(pk=journey.pk).update(state=Journey.State.ACTIVE)
    files = destination_create(owner=alice, tenant=tenant, name="Files", kind="file", config={"fsync": False})
    pair = destination_attach(journey=journey, destination=files)
    # Live for days, last delivered three hours ago: the run has three hours of a million journeys a day to send.
    cursor = to_epoch_ms(T0 - timedelta(hours=3))
    JourneyDestination.objects.filter(pk=pair.pk).update(
        origin_ms=to_epoch_ms(T0 - timedelta(days=3)), cursor_ms=cursor, cursor_skip=0, backfill_until_ms=cursor
    )

    tracemalloc.start()
    try:
        delivery_run(journey_destination_id=pair.pk, now=T0)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    run = Run.objects.get(journey_destination=pair)
    written = sum(path.stat().st_size for path in tmp_path.rglob("*.ndjson"))
    assert run.outcome == Run.Outcome.SUCCESS and run.delivered > 500_000
    assert written > 100 * 1024 * 1024  # far more written than held
    assert peak < PEAK_BYTES, f"peak {peak / 2**20:.0f} MiB for {written / 2**20:.0f} MiB written"
