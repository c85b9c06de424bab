"""Environment defaults for the test run, loaded with ``-p tests.django_env`` (see pyproject.toml).

pytest-django sets Django up before any conftest.py is imported, so defaults placed in a conftest
come too late; a plugin named with -p is imported first (pytest-django's documented way).
"""

import os

# The suite runs with Django's checks on production-like settings but a fixed test key.
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")
os.environ.setdefault("BIZFLOW_VAR_DIR", os.path.join(os.path.dirname(os.path.dirname(__file__)), "var", "test"))
