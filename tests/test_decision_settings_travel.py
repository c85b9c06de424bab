"""A journey's decision settings travel with it: seeded from the example, exported, imported elsewhere."""

import json
import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from journeys.models import DecisionSettings, Journey
from journeys.selectors.journeys import journey_decisions

ROOT = Path(__file__).resolve().parent.parent
DAY = ("--start", "2026-03-02T00:00:00Z", "--end", "2026-03-03T00:00:00Z")


def test_seed_demo_gives_the_loan_journeys_decision_step_its_settings(db):
    out = StringIO()
    call_command("seed_demo", stdout=out)

    slug = re.search(r"Loaded loan-validation.json as (\S+)\.", out.getvalue()).group(1)
    [(settings, decision)] = journey_decisions(Journey.objects.get(slug=slug))
    assert settings.step.event_type == "loan.decided"
    assert decision.decision_service_id == "samples.LoanValidation" and len(decision.runtime_nodes) == 3
    assert decision.input_parameters == {"customer": {"age": 1, "name": "<name>"}, "ageLimit": 1}
    assert DecisionSettings.objects.count() == 1  # the other examples have no decision settings


def _manage(var_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "SECRET_KEY": "test-only", "BIZFLOW_VAR_DIR": str(var_dir)}
    env.update(DJANGO_SUPERUSER_PASSWORD="not-used-here")
    for name in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE"):  # each run's own SQLite database, in var_dir
        env.pop(name, None)
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, capture_output=True, check=True
    )


@pytest.mark.slow
def test_an_exported_loan_journey_imported_into_a_fresh_database_gives_byte_identical_decision_events(tmp_path):
    first, fresh = tmp_path / "first", tmp_path / "fresh"
    _manage(first, "migrate", "-v0")
    seeded = _manage(first, "seed_demo").stdout.decode()
    slug = re.search(r"Loaded loan-validation.json as (\S+)\.", seeded).group(1)
    exported = tmp_path / "loan.json"
    exported.write_bytes(_manage(first, "export_journey", slug).stdout)
    before = _manage(first, "generate_events", slug, "--decisions", *DAY).stdout

    _manage(fresh, "migrate", "-v0")
    _manage(fresh, "createsuperuser", "--noinput", "--username", "demo", "--email", "demo@example.com")
    imported = _manage(fresh, "import_journey", str(exported)).stdout.decode().strip()
    after = _manage(fresh, "generate_events", imported, "--decisions", *DAY).stdout

    assert not (fresh / "bizflow.sqlite3").samefile(first / "bizflow.sqlite3")
    steps = json.loads(exported.read_text())["steps"]
    assert [s["event_type"] for s in steps if "decision_settings" in s] == ["loan.decided"]
    assert before == after and before.count(b"\n") > 300
    events = [json.loads(line) for line in before.splitlines()]
    assert {e["decisionServiceId"] for e in events} == {"samples.LoanValidation"}
    assert {e["runtimeNodeName"] for e in events} == {f"worker{i}.mycluster.mycompany.com" for i in range(3)}
