#!/usr/bin/env bash
# Every target of issue 18 and issue 21's filters beside its floor, then the figures of record
# they must not regress, one after another in one run, each on a copy of the loaded 1M-order
# database (the source is only read). Prints each command and the 1-minute load average before
# it; each script prints its own Markdown (N, load, medians, p95, floor, ratio).
#
#   bench/floors.sh [source database, default campaign_hub_bench] [--quick]
#
# --quick skips the figures of record (list, import, seed). About 30 minutes in all on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
SERVER=${BENCH_SERVER_URL:-postgres://postgres@127.0.0.1:5432}
SOURCE=${1:-campaign_hub_bench}
QUICK=${2:-}

copy() {  # a fresh copy of the source database named $1
  psql "$SERVER/postgres" -q -v ON_ERROR_STOP=1 \
    -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1 TEMPLATE $SOURCE"
}

run() {
  echo
  echo "## \`$*\` (load $(cut -d' ' -f1 /proc/loadavg), $(date -u '+%Y-%m-%d %H:%M UTC'))"
  echo
  "$@"
}

copy bench_floor_read
copy bench_floor_write
run "$PY" bench/search.py --database bench_floor_read --requests 30
run "$PY" bench/list_floor.py --database bench_floor_read --requests 40
run "$PY" bench/api_list.py --database bench_floor_read --requests 40
run "$PY" bench/filters.py --database bench_floor_read --requests 30
run "$PY" bench/api_writes.py --database bench_floor_write
run "$PY" bench/exports.py --database bench_floor_read --case plain-copy --runs 5
run "$PY" bench/insights.py --database bench_floor_read --requests 30
if [ "$QUICK" != "--quick" ]; then
  run "$PY" bench/orders_list.py --database bench_floor_read --requests 30
  run "$PY" bench/import_orders.py --orders 200000 --cases jsonl,raw
  run "$PY" bench/seed_demo.py --orders 200000 --customers 40000 --database bench_floor_seed
fi
