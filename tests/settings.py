"""Settings for the test suite: production-like, with a fixed test key and a scratch var directory.

pytest-django imports the settings before any conftest.py runs, so these defaults must be set by
the settings module itself (a conftest.py would be too late).
"""

import os
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")
os.environ.setdefault("BIZFLOW_VAR_DIR", str(Path(__file__).resolve().parent.parent / "var" / "test"))

from bizflow_studio.settings import *  # noqa: E402, F403

# Hashing passwords at full strength makes every test that creates a user slow, and proves nothing.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The suite's receivers and brokers listen on 127.0.0.1 over plain http; the tests of the checks
# themselves turn these off with override_settings.
HTTP_ALLOW_PLAIN = True
BIZFLOW_ALLOW_PRIVATE_DESTINATIONS = True

# The suite renders pages without running collectstatic first: plain static names. The production
# storage (hashed, compressed names) has its own tests, which collect into a folder of their own.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - WhiteNoise warns about a missing one
