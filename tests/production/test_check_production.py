"""Production processes refuse to start without their required settings, naming each one missing."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REQUIRED = {
    "SECRET_KEY": "k9$Jf0-unit-test-only-2b7c1e8f9a0d4c6b8e1f3a5c7e9b1d3f5a7c9e1b3d5f7a9c",
    "ALLOWED_HOSTS": "bizflow.example.com",
    "DATABASE_URL": "postgres://bizflow@db.invalid:5432/bizflow",
    "REDIS_URL": "redis://redis.invalid:6379/0",
}


def environment(var_dir: Path, **changes) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {*REQUIRED, "DJANGO_SETTINGS_MODULE", "DEBUG"}}
    env |= {"BIZFLOW_VAR_DIR": str(var_dir), "BIZFLOW_PYTHON": sys.executable, **REQUIRED, **changes}
    return {k: v for k, v in env.items() if v is not None}


def run(args: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def test_it_passes_with_every_required_setting(tmp_path):
    result = run([sys.executable, "manage.py", "check_production"], environment(tmp_path))

    assert result.returncode == 0, result.stderr


def test_it_names_every_missing_setting(tmp_path):
    env = environment(tmp_path, SECRET_KEY=None, REDIS_URL=None)

    result = run([sys.executable, "manage.py", "check_production"], env)

    assert result.returncode != 0
    assert "SECRET_KEY:" in result.stderr and "REDIS_URL:" in result.stderr
    assert "ALLOWED_HOSTS:" not in result.stderr and "DATABASE_URL:" not in result.stderr


def test_it_takes_a_secret_from_a_file(tmp_path):
    key_file = tmp_path / "key"
    key_file.write_text(REQUIRED["SECRET_KEY"])

    result = run(
        [sys.executable, "manage.py", "check_production"],
        environment(tmp_path, SECRET_KEY=None, SECRET_KEY_FILE=str(key_file)),
    )

    assert result.returncode == 0, result.stderr


def test_it_refuses_debug(tmp_path):
    result = run([sys.executable, "manage.py", "check_production"], environment(tmp_path, DEBUG="true"))

    assert result.returncode != 0 and "DEBUG is on" in result.stderr


def test_every_serve_role_refuses_before_starting_anything(tmp_path):
    for role in ("release", "web", "worker", "beat", ""):
        result = run(["bash", "scripts/serve.sh", *([role] if role else [])], environment(tmp_path, DATABASE_URL=None))

        assert result.returncode != 0, role
        assert "Not starting" in result.stderr and "DATABASE_URL:" in result.stderr, role
    assert not (tmp_path / "staticfiles").exists()  # collectstatic never ran
