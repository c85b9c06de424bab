from journeys.benchmarks import branching_retail_spec
from journeys.benchmarks.engine import bench_engine
from journeys.engine.spec import validate


def test_it_benchmarks_a_branching_journey_beside_the_retail_example():
    spec = branching_retail_spec()
    assert validate(spec) == [] and spec.has_variants
    assert any(way.delay_shape == "lognormal" for step in spec.steps for way in step.ways())
    assert any(way.ends_journey for step in spec.steps for way in step.ways())
    figures = {journey: bench_engine(20_000, hours=2, journey=journey) for journey in ("retail", "branching")}
    assert figures["branching"]["journey"] == "Retail order delivery (branching)"
    for f in figures.values():
        assert f["events"] > 1000 and f["events_per_cpu_second"] > 0 and f["cpu_seconds"] > 0
