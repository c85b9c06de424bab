"""generate_events, forecast and bench: the engine from the command line, through the same code."""

import json
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from journeys.engine.forecast import forecast
from journeys.engine.generator import generate
from journeys.selectors.journeys import journey_to_spec
from journeys.services.imports import journey_import_text

EXAMPLE = Path(__file__).resolve().parent.parent / "journeys" / "examples" / "retail-order-delivery.json"
pytestmark = pytest.mark.django_db


@pytest.fixture
def retail():
    owner = User.objects.create_user("alice")
    return journey_import_text(text=EXAMPLE.read_text(), owner=owner)


def test_it_writes_the_engines_events_as_ndjson(retail, tmp_path):
    out = tmp_path / "events.ndjson"

    call_command(
        "generate_events",
        retail.slug,
        "--start",
        "2026-11-02T00:00:00Z",
        "--end",
        "2026-11-02T06:00:00Z",
        "--output",
        str(out),
        stderr=StringIO(),
    )

    start = datetime(2026, 11, 2, tzinfo=UTC)
    expected = b"".join(b.data for b in generate(journey_to_spec(retail), start, start + timedelta(hours=6)))
    assert out.read_bytes() == expected
    assert all(json.loads(line)["event.provider"] == "acme.retail" for line in out.read_text().splitlines())


def test_it_honours_origin_and_seed(retail, tmp_path):
    def run(*extra):
        out = tmp_path / "x.ndjson"
        call_command(
            "generate_events",
            retail.slug,
            "--start",
            "2026-11-02T06:00:00Z",
            "--end",
            "2026-11-02T08:00:00Z",
            "--output",
            str(out),
            *extra,
            stderr=StringIO(),
        )
        return out.read_text().splitlines()

    plain, with_origin, other_seed = run(), run("--origin", "2026-11-01T06:00:00Z"), run("--seed", "99")

    assert len(with_origin) > len(plain)  # journeys started before 06:00 now contribute later steps
    assert set(plain).isdisjoint(other_seed)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope", "--start", "2026-11-02T00:00:00Z", "--end", "2026-11-03T00:00:00Z"], "no journey"),
        (["{slug}", "--start", "yesterday", "--end", "2026-11-03T00:00:00Z"], "not an ISO 8601"),
        (["{slug}", "--start", "2026-11-02T00:00:00", "--end", "2026-11-03T00:00:00Z"], "needs a timezone"),
        (["{slug}", "--start", "2026-11-03T00:00:00Z", "--end", "2026-11-02T00:00:00Z"], "must be after"),
    ],
)
def test_it_explains_bad_arguments(retail, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("generate_events", *[a.format(slug=retail.slug) for a in args])


def test_it_prints_the_forecast_as_json(retail):
    out = StringIO()

    call_command("forecast", retail.slug, stdout=out)

    assert json.loads(out.getvalue()) == json.loads(json.dumps(forecast(journey_to_spec(retail)).to_dict()))


def test_it_benchmarks_the_engine_and_prints_its_figures():
    out = StringIO()

    call_command("bench", "--journeys-per-day", "20000", "--only", "engine", stdout=out)

    text = out.getvalue()
    assert "events/s on one core" in text and "peak memory" in text
    events = int(text.split("engine: ")[1].split(" events")[0].replace(",", ""))
    assert 100_000 < events < 160_000  # 20,000 journeys of ~6.5 events
