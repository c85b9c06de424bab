"""Refuse to start production processes without their required settings (scripts/serve.sh runs this first)."""

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

# Each is read from NAME or from the file named by NAME_FILE (bizflow_studio/env.py).
REQUIRED = {
    "SECRET_KEY": "a long random key that signs sessions (else each install makes one up under var/)",
    "ALLOWED_HOSTS": "the host names the app answers to, comma-separated",
    "DATABASE_URL": "the PostgreSQL database, e.g. postgres://bizflow@db:5432/bizflow (else a SQLite file)",
    "REDIS_URL": "the Redis that carries the task queue, e.g. redis://redis:6379/0",
}


def missing_settings(environ=None) -> list[str]:
    environ = os.environ if environ is None else environ
    return [name for name in REQUIRED if not (environ.get(name) or environ.get(f"{name}_FILE"))]


class Command(BaseCommand):
    help = "Check that the environment holds every setting production needs; exit non-zero, naming them, if not."

    def handle(self, *args, **options):
        problems = [f"  {name}: {REQUIRED[name]}" for name in missing_settings()]
        if settings.DEBUG:
            problems.append("  DEBUG is on: production runs with DEBUG=false (`make run` is the development server)")
        if problems:
            raise CommandError(
                "Not starting: production needs these set in the environment (README, Production):\n"
                + "\n".join(problems)
            )
        if options["verbosity"] > 1:
            self.stdout.write("Production settings: all required values are set.")
