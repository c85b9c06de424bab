import pytest

from journeys.benchmarks.preview import bench_preview


@pytest.mark.django_db
def test_it_renders_a_20_step_preview_in_under_150_ms():
    milliseconds = bench_preview(steps=20)
    print(f"preview of a 20-step journey: {milliseconds:.1f} ms")
    assert milliseconds < 150
