"""The preview benchmark runs and measures something. Its target (a 20-step preview under 150 ms) is a
figure that `manage.py bench` prints and the README reports, not an assertion: a timed test would
fail on a busy machine whatever the code did."""

import math

import pytest

from journeys.benchmarks.preview import bench_preview


@pytest.mark.django_db
def test_it_measures_the_preview_of_a_20_step_journey():
    milliseconds = bench_preview(steps=20, repeats=3)
    print(f"preview of a 20-step journey: {milliseconds:.1f} ms")
    assert math.isfinite(milliseconds) and milliseconds > 0
