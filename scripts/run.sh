#!/usr/bin/env bash
# `make run`: the whole app in the foreground, as one group of processes:
#   - a private Redis on a unix socket under var/redis/ (only when REDIS_URL is not set),
#   - the web app on 127.0.0.1:8000 (PORT to change it),
#   - a Celery worker (delivers events) and Celery beat (starts a scheduler pass every tick).
# Ctrl-C or TERM stops all of them; so does any one of them stopping.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${BIZFLOW_PYTHON:-.venv/bin/python}"
VAR="${BIZFLOW_VAR_DIR:-var}"
export DEBUG="${DEBUG:-true}"
mkdir -p "$VAR"

pids=()
stop_all() {
  trap - INT TERM EXIT
  if ((${#pids[@]})); then
    echo "Stopping..."
    kill -TERM "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
  fi
}
trap 'stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM
trap stop_all EXIT

if [[ -z "${REDIS_URL:-}" ]]; then
  "$PY" -m bizflow_studio.private_redis serve "$VAR/redis" &
  pids+=($!)
  REDIS_URL="$("$PY" -m bizflow_studio.private_redis wait "$VAR/redis/redis.sock")"
  export REDIS_URL
  echo "Private Redis: $REDIS_URL"
fi

"$PY" -m celery -A bizflow_studio worker --loglevel=INFO --concurrency=2 --hostname "bizflow-$$@%h" &
pids+=($!)
"$PY" -m celery -A bizflow_studio beat --loglevel=INFO &
pids+=($!)
"$PY" manage.py runserver "127.0.0.1:${PORT:-8000}" &
pids+=($!)
# Beat's first pass comes a whole tick after it starts: queue one now, so that journeys activated
# since the last run (the demo's, on a first start) begin their backfill straight away.
"$PY" manage.py tick --enqueue

wait -n "${pids[@]}"
