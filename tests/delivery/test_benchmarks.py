"""The benchmark hooks run the real delivery path and leave nothing behind."""

from django.contrib.auth import get_user_model

from journeys.benchmarks.delivery import bench_backfill_file, bench_tick, retail_spec
from journeys.models import Destination, Journey, Run
from journeys.services.scheduling import journey_activate

from .conftest import T0


def test_it_benchmarks_a_backfill_into_files(db):
    figures = bench_backfill_file(journeys_per_day=2000, now=T0)

    assert figures["events"] > 5000 and figures["bytes"] > figures["events"] * 100
    assert figures["events_per_second"] > 0 and figures["outcomes"] == ["success"]
    assert Journey.objects.count() == Destination.objects.count() == Run.objects.count() == 0
    assert not get_user_model().objects.exists()


def test_it_benchmarks_a_tick_without_touching_the_users_journeys(alice, journey, pair, recorder):
    journey_activate(journey=journey, user=alice, now=T0)

    figures = bench_tick(n_journeys=3, now=T0)

    assert (figures["journeys"], figures["runs"], figures["failed_runs"]) == (3, 3, 0)
    assert figures["backfill_events"] > 1000 and figures["seconds"] > 0
    assert list(Journey.objects.all()) == [journey]
    assert recorder.calls == 0 and not Run.objects.exists()


def test_its_journey_is_the_retail_example():
    spec = retail_spec()

    assert (spec.event_provider, len(spec.steps), spec.steps[2].max_loops) == ("acme.retail", 7, 3)
