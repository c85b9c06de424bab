# Environment defaults for tests live in tests/django_env.py: pytest-django reads the settings
# before this file is imported.
