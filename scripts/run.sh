#!/usr/bin/env bash
# `make run`: without DATABASE_URL, start the embedded PostgreSQL (data in var/postgres) first;
# then migrate, load demo data on the first run, and start the web server and a Celery worker
# together; the worker also runs beat (--beat), so the export reaper and purge run on schedule.
# Ctrl-C (or SIGTERM, or closing the terminal) stops the web server, the worker and the
# embedded PostgreSQL, and leaves no process behind.
set -euo pipefail
PY=${PY:-.venv/bin/python}
export DJANGO_SETTINGS_MODULE=config.settings
PORT=${PORT:-8000}

answers() {  # something accepts connections on the port
  (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null
}
if answers; then
  echo "Port $PORT is in use by another program: stop it, or choose another port:" \
    "PORT=8001 make run" >&2
  exit 1
fi

embedded=false
own_database=false
if [ -z "${DATABASE_URL:-}" ]; then
  embedded=true
  # Started here (not by the first manage.py) so that no single command owns it: this script
  # stops it on the way out, unless it was already running (another `make run` of this
  # checkout uses it). On a platform without the wheel this prints one line and stops.
  started=$("$PY" -m config.embedded_postgres start) || exit 1
  echo "$started"
  case $started in *started:*) own_database=true ;; esac
fi

web=
worker=
running() {  # any process left in the job's process group (set -m below gives it one)
  [ -n "$1" ] && kill -0 -- "-$1" 2>/dev/null
}
stop() {
  # Once stopping, a further signal is ignored, never allowed to cut the clean-up short: make
  # passes a SIGTERM sent to its group on to this script, so it arrives twice, and a second
  # Ctrl-C would otherwise leave the worker or the database running.
  trap '' INT TERM HUP
  trap - EXIT
  set +e +m
  echo "Stopping (the worker finishes its current tasks first)..."
  # The web server's group holds the autoreloader and its child; the worker is asked alone,
  # so that its warm shutdown stops its pool and beat in order.
  [ -n "$web" ] && kill -TERM -- "-$web" 2>/dev/null
  [ -n "$worker" ] && kill -TERM "$worker" 2>/dev/null
  for _ in $(seq 1 300); do
    running "$web" || running "$worker" || break
    sleep 0.1
  done
  for job in $web $worker; do kill -KILL -- "-$job" 2>/dev/null; done
  if $own_database; then
    "$PY" -m config.embedded_postgres stop
  elif $embedded; then
    echo "The embedded PostgreSQL was running before and is left running;" \
      "stop it with: $PY -m config.embedded_postgres stop"
  fi
}
trap stop INT TERM HUP EXIT

"$PY" manage.py migrate --noinput
"$PY" manage.py seed_demo --orders 500 --customers 120 --seed 42 --if-empty
if $embedded; then
  "$PY" manage.py ensure_demo_user
fi

# Job control gives each background job a process group of its own, so stop() can end a job
# with all its children (a plain `kill` of the runserver pid would orphan its reloaded child).
set -m
"$PY" -m celery -A config worker --beat --loglevel=INFO --concurrency=2 --without-gossip --without-mingle &
worker=$!
"$PY" manage.py runserver "127.0.0.1:$PORT" &
web=$!

# The address is printed once the web server answers on it (its start-up checks take a few
# seconds), so a browser opened at once finds it; not if the web server stopped meanwhile.
until answers; do
  running "$web" || { echo "The web server did not start (see above)." >&2; exit 1; }
  sleep 0.2
done
echo
echo "  Campaign Hub is running on http://127.0.0.1:$PORT/ with a Celery worker."
if $embedded; then
  echo "  Database: the embedded PostgreSQL in ${VAR_DIR:-var}/postgres. Sign in as demo / demo."
  echo "  Ctrl-C stops the web server, the worker and the database."
else
  echo "  Database: DATABASE_URL. Ctrl-C stops the web server and the worker."
fi
echo
wait -n
