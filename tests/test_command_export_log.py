"""export_log: a journey's event log from the command line, the same bytes as the engine writes."""

import gzip
import subprocess
import sys
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from journeys.engine.eventlog import log_chunks
from journeys.selectors.journeys import journey_to_spec
from journeys.services.imports import journey_import_text

EXAMPLE = Path(__file__).resolve().parent.parent / "journeys" / "examples" / "retail-order-delivery.json"
pytestmark = pytest.mark.django_db


@pytest.fixture
def retail():
    owner = User.objects.create_user("alice")
    return journey_import_text(text=EXAMPLE.read_text(), owner=owner)


def export(slug, *extra, start="2026-11-02T00:00:00Z", end="2026-11-02T03:00:00Z"):
    call_command("export_log", slug, "--start", start, "--end", end, *extra, stderr=StringIO())


@pytest.mark.parametrize("log_format", ["xes", "ocel", "csv"])
def test_it_writes_the_engines_log(retail, tmp_path, log_format):
    out = tmp_path / "log"

    export(retail.slug, "--format", log_format, "--output", str(out))

    start, end = datetime(2026, 11, 2, tzinfo=UTC), datetime(2026, 11, 2, 3, tzinfo=UTC)
    assert out.read_bytes() == b"".join(log_chunks(journey_to_spec(retail), start, end, log_format))
    assert out.stat().st_size > 1000


def test_it_gzips_on_request(retail, tmp_path):
    plain, packed = tmp_path / "log.csv", tmp_path / "log.csv.gz"

    export(retail.slug, "--format", "csv", "--output", str(plain))
    export(retail.slug, "--format", "csv", "--gzip", "--output", str(packed))

    assert gzip.decompress(packed.read_bytes()) == plain.read_bytes()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["nope", "--format", "xes"], "no journey with slug 'nope'"),
        (["{slug}", "--format", "bpmn"], "--format: 'bpmn' is not one of xes, ocel, csv"),
        (["{slug}", "--format", "xes", "--start", "yesterday"], "--start: 'yesterday' is not an ISO 8601"),
        (
            ["{slug}", "--format", "xes", "--end", "2026-11-02T03:00:00"],
            "--end: '2026-11-02T03:00:00' needs a timezone",
        ),
        (["{slug}", "--format", "xes", "--end", "2026-11-01T00:00:00Z"], "--end must be after --start"),
        (["{slug}", "--format", "xes", "--output", "/no/such/dir/log.xes"], "--output: cannot write"),
    ],
)
def test_it_refuses_bad_input_in_one_line(retail, arguments, message):
    arguments = [a.replace("{slug}", retail.slug) for a in arguments]
    options = {"--start": "2026-11-02T00:00:00Z", "--end": "2026-11-02T01:00:00Z"}
    for flag in ("--start", "--end"):
        if flag in arguments:
            options.pop(flag)
    extra = [part for flag, value in options.items() for part in (flag, value)]

    with pytest.raises(CommandError, match=message.replace("(", r"\(")):
        call_command("export_log", *arguments, *extra, stderr=StringIO())


def test_it_exits_non_zero_with_one_line_on_stderr(tmp_path):
    run = subprocess.run(
        [sys.executable, "manage.py", "export_log", "nope", "--start", "x", "--end", "y", "--format", "xes"],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "tests.settings", "BIZFLOW_VAR_DIR": str(tmp_path)},
    )

    assert run.returncode != 0
    assert run.stderr.strip().count("\n") == 0
    assert run.stderr.strip() == "CommandError: --start: 'x' is not an ISO 8601 date-time (e.g. 2026-11-22T08:00:00Z)"


def test_it_names_a_missing_option_in_one_line(retail):
    with pytest.raises(CommandError, match="^--format is required$"):
        call_command("export_log", retail.slug, "--start", "2026-11-02T00:00:00Z", "--end", "2026-11-02T01:00:00Z")
