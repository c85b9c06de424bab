# BizFlow Studio: `make run` to try it, `make test` to check it. See README.md.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
# Django 6 needs Python 3.12 or newer: take the first interpreter on this machine that is.
PYTHON ?= $(shell for p in python3.13 python3.12 python3 /root/.pyenv/versions/3.13*/bin/python3 /root/.pyenv/versions/3.12*/bin/python3; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 && { command -v $$p || echo $$p; } && break; done)

.PHONY: run serve test test-fast setup lint bench clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@test -n "$(PYTHON)" || { echo "Python 3.12 or newer is needed (Django 6)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

setup: $(VENV)/.installed
	mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo

run: setup
	scripts/run.sh

# Production: gunicorn, a Celery worker and beat in the foreground, from the environment alone (README, Production).
serve: $(VENV)/.installed
	scripts/serve.sh

test: $(VENV)/.installed
	scripts/ensure-chromium.sh
	$(PY) -m pytest $(PYTEST_ARGS)

test-fast: $(VENV)/.installed
	$(PY) -m pytest -m "not browser and not slow" $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .

bench: $(VENV)/.installed
	mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py bench

clean:
	rm -rf $(VENV) var .pytest_cache

# Retake the README's screenshots in headless Chromium: docs/editor.png, docs/preview.png and
# docs/journey-delivery.png at desktop width, docs/phone-*.png at a phone's 390 x 844.
screenshots: $(VENV)/.installed
	scripts/ensure-chromium.sh
	BIZFLOW_SCREENSHOTS=docs $(PY) -m pytest tests/browser -k "imports_the_reference or delivers_a_journey or phone_layout or branching_journey" -q
