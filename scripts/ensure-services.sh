#!/usr/bin/env bash
# Makes sure the services the test suite needs answer on 127.0.0.1: Redis always, and
# PostgreSQL when DATABASE_URL names a server on this machine (without DATABASE_URL the suite
# runs on the embedded PostgreSQL, which starts itself). Starts them when they are installed
# but stopped, and says exactly what is missing otherwise.
set -u

REDIS_PORT=${REDIS_PORT:-6379}

# The port of DATABASE_URL's server when it is on this machine; fails otherwise.
local_postgres_port() {
  local netloc=${DATABASE_URL:-}
  [ -n "$netloc" ] || return 1
  netloc=${netloc#*://}
  netloc=${netloc%%/*}
  netloc=${netloc##*@}
  local host=${netloc%%:*} port=${netloc##*:}
  [ "$port" != "$netloc" ] && [ -n "$port" ] || port=5432
  case $host in
    127.0.0.1 | localhost) echo "$port" ;;
    *) return 1 ;;
  esac
}

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() {  # port, name
  for _ in $(seq 1 30); do
    listening "$1" && return 0
    sleep 1
  done
  echo "ensure-services: $2 was started but does not answer on 127.0.0.1:$1 after 30 s." >&2
  return 1
}

start_postgres() {
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    local version
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    [ -n "$version" ] || return 1
    echo "ensure-services: starting PostgreSQL $version (cluster main)"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || return 1
    return 0
  fi
  return 1
}

start_redis() {
  command -v redis-server >/dev/null 2>&1 || return 1
  echo "ensure-services: starting Redis"
  mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" --save "" \
    --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
}

status=0

if ! PG_PORT=$(local_postgres_port); then
  if [ -n "${DATABASE_URL:-}" ]; then
    echo "ensure-services: DATABASE_URL names a server elsewhere; not checking it here"
  else
    echo "ensure-services: DATABASE_URL is unset; the suite runs on the embedded PostgreSQL"
  fi
elif listening "$PG_PORT"; then
  echo "ensure-services: PostgreSQL answers on 127.0.0.1:$PG_PORT"
elif start_postgres; then
  wait_for "$PG_PORT" PostgreSQL || status=1
else
  cat >&2 <<MSG
ensure-services: PostgreSQL is not running on 127.0.0.1:$PG_PORT and no installed server was found
  to start. Install it (Debian: apt-get install postgresql) with trust authentication for user
  'postgres' on 127.0.0.1, or unset DATABASE_URL to use the embedded PostgreSQL.
MSG
  status=1
fi

if listening "$REDIS_PORT"; then
  echo "ensure-services: Redis answers on 127.0.0.1:$REDIS_PORT"
elif start_redis; then
  wait_for "$REDIS_PORT" Redis || status=1
else
  cat >&2 <<MSG
ensure-services: Redis is not running on 127.0.0.1:$REDIS_PORT and redis-server is not installed.
  Install it (Debian: apt-get install redis-server), or point CELERY_BROKER_URL at a Redis you run.
MSG
  status=1
fi

exit $status
