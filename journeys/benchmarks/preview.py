"""How long the preview page takes to render on the server, for a journey of a given length.

``bench_preview(steps=20)`` builds a journey with loops, optional steps, errors and every attribute,
renders its preview page through Django's test client (middleware, view, forecast, SVG, sample
events and template) several times, and returns the median in milliseconds. Everything it writes is
rolled back. It needs a configured database, as in the test suite or ``manage.py shell``.
"""

from __future__ import annotations

import statistics
import time
import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse

from ..engine.spec import ErrorRule, JourneySpec, Revenue, Step, Weighted
from ..services.journeys import journey_create_from_spec
from ..services.tenancy import tenant_create

HOUR_WEIGHTS = (1, 1, 1, 1, 2, 3, 3, 4, 6, 9, 9, 10, 10, 9, 9, 6, 4, 3, 3, 2, 1, 1, 1, 1)


def bench_spec(steps: int = 20, *, journeys_per_day: float = 5000) -> JourneySpec:
    """A demanding journey: every third step optional, every fourth looping, errors on every fifth."""

    def step(index: int) -> Step:
        if index == 0:
            return Step("Step 1", "step.1", carries_location=True, carries_segment=True, carries_revenue=True)
        return Step(
            name=f"Step {index + 1}",
            event_type=f"step.{index + 1}",
            drop_off_pct=2.0,
            min_delay_hours=0.05,
            max_delay_hours=0.5,
            max_loops=3 if index % 4 == 2 else 1,
            optional_pct=60.0 if index % 3 == 1 and index < steps - 1 else None,
            carries_segment=index % 2 == 0,
        )

    return JourneySpec(
        name=f"Benchmark, {steps} steps",
        event_provider="bench.preview",
        correlation_field="order.id",
        steps=tuple(step(index) for index in range(steps)),
        seed=42,
        journeys_per_day=journeys_per_day,
        hour_weights=HOUR_WEIGHTS,
        errors=tuple(ErrorRule("failed", index, 4.0) for index in range(4, steps, 5)),
        locations=tuple(Weighted(f"City {n}", 10 - n) for n in range(10)),
        segment_field="loyalty",
        segments=(Weighted("gold", 60), Weighted("silver", 30), Weighted("basic", 10)),
        revenue=Revenue("order.value", 10, 500),
        hosts=(Weighted("HOST-218FBE0DE60A5B16", 1), Weighted("HOST-DA9370FA4A602E97", 1)),
    )


def bench_preview(steps: int = 20, *, repeats: int = 9, journeys_per_day: float = 5000) -> float:
    """Median milliseconds to render the preview of a ``steps``-step journey (after one warm-up)."""
    timings = []
    # The test client calls itself "testserver"; outside the test suite that host must be allowed here.
    with transaction.atomic(), override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
        user = get_user_model().objects.create_user(f"bench-{uuid.uuid4().hex[:12]}")
        # A tenant without caps: the volume may be the engine's ceiling, above a new tenant's default cap.
        tenant = tenant_create(name=user.username, owner=user, events_per_day_cap=None, journeys_per_day_cap=None)
        spec = bench_spec(steps, journeys_per_day=journeys_per_day)
        journey = journey_create_from_spec(spec=spec, owner=user, tenant=tenant)
        client = Client()
        client.force_login(user)
        url = reverse("journey_preview", args=[journey.slug])
        for _ in range(repeats + 1):
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"the preview answered {response.status_code}")
        transaction.set_rollback(True)
    return statistics.median(timings[1:])
