"""The preview at the largest volume a journey may have: its sample draws only the blocks it shows, so one
request stays small. Time is measured by ``manage.py bench --only preview``; here, memory, with room to spare."""

import tracemalloc

from django.urls import reverse

from journeys.benchmarks.preview import bench_spec
from journeys.engine.limits import current_limits
from journeys.services.journeys import journey_create_from_spec
from journeys.services.tenancy import tenant_create

PEAK_BYTES = 100 * 1024 * 1024


def test_it_renders_the_preview_of_a_journey_at_the_volume_ceiling_in_bounded_memory(alice_client, alice):
    tenant = tenant_create(name="Big", owner=alice, journeys_per_day_cap=None)
    spec = bench_spec(20, journeys_per_day=current_limits().journeys_per_day)
    journey = journey_create_from_spec(spec=spec, owner=alice, tenant=tenant)
    alice_client.get(reverse("journey_preview", args=[journey.slug]))  # warm: templates, timezones

    tracemalloc.start()
    try:
        response = alice_client.get(reverse("journey_preview", args=[journey.slug]))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert response.status_code == 200 and response.content.decode().count('class="sample-journey"') == 3
    assert peak < PEAK_BYTES, f"peak {peak / 2**20:.0f} MiB"
