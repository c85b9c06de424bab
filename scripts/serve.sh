#!/usr/bin/env bash
# `make serve`: the production processes, from the environment alone (README, "Production").
#
#   scripts/serve.sh release   one-off set-up: check the settings, migrate, collectstatic
#   scripts/serve.sh web       gunicorn on HOST:PORT (bizflow_studio/gunicorn.conf.py)
#   scripts/serve.sh worker    a Celery worker (CELERY_CONCURRENCY processes, named CELERY_HOSTNAME)
#   scripts/serve.sh beat      Celery beat: exactly one in the whole installation
#   scripts/serve.sh           all of them on this machine, in the foreground: release first, then
#                              web, worker and beat as one group (Ctrl-C or TERM stops all; so does
#                              any one of them stopping)
#
# Each role refuses to start, naming what is missing, without SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL
# and REDIS_URL (manage.py check_production). A container or a Procfile runs one role per process.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${BIZFLOW_PYTHON:-.venv/bin/python}"
export DEBUG="${DEBUG:-false}"
role="${1:-all}"

check() { "$PY" manage.py check_production; }
# With LOG_FORMAT=json every line is a JSON object: no start-up banner from Celery.
celery=("$PY" -m celery -A bizflow_studio)
[[ "${LOG_FORMAT:-plain}" == json ]] && celery+=(--quiet)

case "$role" in
  release)
    check
    "$PY" manage.py migrate --noinput
    exec "$PY" manage.py collectstatic --noinput -v0
    ;;
  web)
    check
    exec "$PY" -m gunicorn -c bizflow_studio/gunicorn.conf.py bizflow_studio.wsgi
    ;;
  worker)
    check
    exec "${celery[@]}" worker --loglevel="${LOG_LEVEL:-INFO}" \
      --concurrency="${CELERY_CONCURRENCY:-2}" --hostname="${CELERY_HOSTNAME:-worker@%h}"
    ;;
  beat)
    check
    exec "${celery[@]}" beat --loglevel="${LOG_LEVEL:-INFO}"
    ;;
  all) ;;
  *)
    echo "usage: $0 [release|web|worker|beat]" >&2
    exit 2
    ;;
esac

"$0" release
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

for each in worker beat web; do
  "$0" "$each" &
  pids+=($!)
done
# Beat's first pass comes a whole tick after it starts: queue one now.
"$PY" manage.py tick --enqueue
wait -n "${pids[@]}"
