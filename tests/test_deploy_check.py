"""Django's deployment checklist passes with the production settings the README documents."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k9$Jf0-unit-test-only-2b7c1e8f9a0d4c6b8e1f3a5c7e9b1d3f5a7c9e1b3d5f7a9c",
    "ALLOWED_HOSTS": "bizflow.example.com",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "SECURE_HSTS_PRELOAD": "true",
}


def check_deploy(extra: dict, var_dir: Path) -> subprocess.CompletedProcess:
    # Only the machine's own environment: nothing a test set for itself (such as the browser tests'
    # DJANGO_ALLOW_ASYNC_UNSAFE) belongs in a production check.
    leaked = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in leaked} | extra | {"BIZFLOW_VAR_DIR": str(var_dir)}
    env["DJANGO_SETTINGS_MODULE"] = "bizflow_studio.settings"
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )


def test_it_passes_the_deployment_checklist_with_the_documented_production_settings(tmp_path):
    result = check_deploy(PRODUCTION, tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_would_warn_without_them(tmp_path):
    result = check_deploy({"DEBUG": "false", "SECRET_KEY": PRODUCTION["SECRET_KEY"]}, tmp_path)

    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr  # HSTS not set
