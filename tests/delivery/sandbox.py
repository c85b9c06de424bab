"""A throw-away installation for tests that need real separate processes (a killed run, make run).

Its own SQLite file and var directory; commands run as subprocesses with the same interpreter.
Migrating takes seconds, so it is done once per test session and the database file copied.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]

SETUP = """
import os, django
os.environ["DJANGO_SETTINGS_MODULE"] = "bizflow_studio.settings"
django.setup()
"""


class Sandbox:
    def __init__(self, root: Path, template_db: Path | None = None):
        self.root = root
        self.var = root / "var"
        self.var.mkdir(parents=True, exist_ok=True)
        self.db = root / "db.sqlite3"
        if template_db is not None:
            shutil.copy(template_db, self.db)
        self.env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{self.db}",
            "BIZFLOW_VAR_DIR": str(self.var),
            "DJANGO_SETTINGS_MODULE": "bizflow_studio.settings",
            "BIZFLOW_PYTHON": sys.executable,
            "PYTHONPATH": str(PROJECT),
        }
        self.env.pop("REDIS_URL", None)

    def command(self, *args: str) -> list[str]:
        return [sys.executable, str(PROJECT / "manage.py"), *args]

    def manage(self, *args: str, env: dict | None = None, timeout: float = 120) -> str:
        done = subprocess.run(
            self.command(*args),
            cwd=PROJECT,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def python(self, code: str, timeout: float = 120) -> str:
        """Run ``code`` in a fresh interpreter with Django set up; return what it printed."""
        done = subprocess.run(
            [sys.executable, "-c", SETUP + textwrap.dedent(code)],
            cwd=PROJECT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def query(self, sql: str, *params):
        with sqlite3.connect(self.db, timeout=10) as connection:
            return connection.execute(sql, params).fetchall()


def migrated_template(directory: Path) -> Path:
    sandbox = Sandbox(directory)
    sandbox.manage("migrate", "--noinput", "-v0")
    return sandbox.db
