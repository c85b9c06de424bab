"""LOG_FORMAT=json: one JSON object a line with the delivery's ids; SENTRY_DSN starts Sentry, its absence nothing."""

import io
import logging
import logging.config
import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from bizflow_studio.logs import ContextFilter, JsonFormatter, log_context, logging_config
from journeys.services.delivery import delivery_run
from journeys.services.scheduling import journey_activate

from ..delivery.conftest import T0

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def json_lines():
    """Records of the ``journeys`` loggers, formatted as LOG_FORMAT=json formats them."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(ContextFilter())
    logger = logging.getLogger("journeys")
    logger.addHandler(handler)
    previous = logger.level
    logger.setLevel(logging.INFO)
    try:
        yield lambda: [orjson.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)


def test_it_writes_one_json_object_per_line_with_the_ids_in_context(json_lines):
    logger = logging.getLogger("journeys.example")
    with log_context(journey="web-shop", destination=7):
        logger.info("first\nsecond line of the same message")
        with log_context(run=42):
            try:
                raise ValueError("boom")
            except ValueError:
                logger.exception("it failed")
    logger.warning("outside")

    first, failed, outside = json_lines()
    assert first["message"] == "first\nsecond line of the same message" and first["level"] == "INFO"
    assert first["logger"] == "journeys.example" and first["time"].endswith("+00:00")
    assert (first["journey"], first["destination"]) == ("web-shop", 7) and "run" not in first
    assert failed["run"] == 42 and failed["level"] == "ERROR" and "ValueError: boom" in failed["exception"]
    assert set(outside) == {"time", "level", "logger", "message"}


def test_it_carries_the_run_journey_and_destination_of_a_delivery(json_lines, alice, journey, pair, recorder):
    journey_activate(journey=journey, user=alice, now=T0)

    outcome = delivery_run(journey_destination_id=pair.pk, now=T0)

    finished = [line for line in json_lines() if line["logger"] == "journeys.services.delivery"]
    assert finished, "the run logs its outcome"
    assert finished[-1]["run"] == outcome.run.pk
    assert finished[-1]["journey"] == journey.slug and finished[-1]["destination"] == pair.destination_id
    assert finished[-1]["journey_destination"] == pair.pk


def test_it_refuses_an_unknown_log_format():
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        logging_config("xml")


def run_settings(code: str, **env) -> subprocess.CompletedProcess:
    """Import the production settings in a fresh interpreter with ``env`` and run ``code``."""
    environ = {k: v for k, v in os.environ.items() if k not in {"SENTRY_DSN", "LOG_FORMAT", "DJANGO_SETTINGS_MODULE"}}
    environ |= {"DJANGO_SETTINGS_MODULE": "bizflow_studio.settings", "SECRET_KEY": "x" * 50, **env}
    setup = "import django; django.setup()\n"
    return subprocess.run(
        [sys.executable, "-c", setup + code], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=60
    )


def test_it_logs_json_from_the_settings_when_asked(tmp_path):
    code = "import logging; logging.getLogger('journeys.x').warning('hello %s', 'there')"

    json_run = run_settings(code, LOG_FORMAT="json", BIZFLOW_VAR_DIR=str(tmp_path))
    plain_run = run_settings(code, BIZFLOW_VAR_DIR=str(tmp_path))

    entry = orjson.loads(json_run.stderr.strip().splitlines()[-1])
    assert entry["message"] == "hello there" and entry["level"] == "WARNING" and entry["logger"] == "journeys.x"
    assert plain_run.stderr.strip().endswith("WARNING journeys.x: hello there")


def test_it_starts_sentry_only_with_a_dsn(tmp_path):
    code = "import sentry_sdk; print(sentry_sdk.get_client().is_active())"
    # A DSN to a port where nothing listens: nothing is sent unless an error is captured.
    dsn = "https://0123456789abcdef0123456789abcdef@127.0.0.1:9/1"

    with_dsn = run_settings(code, SENTRY_DSN=dsn, BIZFLOW_VAR_DIR=str(tmp_path))
    without = run_settings(code, BIZFLOW_VAR_DIR=str(tmp_path))

    assert with_dsn.stdout.strip() == "True", with_dsn.stderr
    assert without.stdout.strip() == "False", without.stderr
