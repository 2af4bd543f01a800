#!/usr/bin/env bash
# `make run`: migrate, load demo data on first run, then the web server and a Celery worker
# together; the worker also runs beat (--beat), so the export reaper and purge run on schedule.
# Ctrl-C (or SIGTERM) stops both.
set -euo pipefail
PY=${PY:-.venv/bin/python}
export DJANGO_SETTINGS_MODULE=config.settings
PORT=${PORT:-8000}

"$PY" manage.py migrate --noinput
"$PY" manage.py seed_demo --orders 500 --customers 120 --seed 42 --if-empty
embedded=$("$PY" -c "import django; django.setup(); from django.conf import settings; print(settings.EMBEDDED_DATABASE)")
if [ "$embedded" = "True" ]; then
  "$PY" manage.py ensure_demo_user
fi

stop() {
  trap - INT TERM EXIT
  kill 0 2>/dev/null || true
}
trap stop INT TERM EXIT

"$PY" -m celery -A config worker --beat --loglevel=INFO --concurrency=2 --without-gossip --without-mingle &
"$PY" manage.py runserver "127.0.0.1:$PORT" &

sleep 2
echo
echo "  Campaign Hub is running on http://127.0.0.1:$PORT/ with a Celery worker."
if [ "$embedded" = "True" ]; then
  echo "  Sign in as demo / demo (embedded default only). Ctrl-C stops both."
fi
echo
wait -n
