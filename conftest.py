import os

# The suite runs with Django's checks on production-like settings but a fixed test key.
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")
os.environ.setdefault("BIZFLOW_VAR_DIR", os.path.join(os.path.dirname(__file__), "var", "test"))
