#!/usr/bin/env bash
# Starts the web app on 127.0.0.1:8000. Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBUG="${DEBUG:-true}"
exec .venv/bin/python manage.py runserver 127.0.0.1:8000
