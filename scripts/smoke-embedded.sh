#!/usr/bin/env bash
# Smoke test of the embedded default, as a newcomer meets it: in a clean clone, `make run`
# with no DATABASE_URL (so on the embedded PostgreSQL under var/postgres), sign in as
# demo/demo, GET /orders/ must be 200 and list demo orders, save an order through the Create
# order wizard, the Celery worker must be up, and `manage.py import_orders` must load a small
# file into the same database while make run is up; then stopping make run (SIGTERM, as
# Ctrl-C) must stop the web server, the worker and the database, leaving no process behind.
set -euo pipefail

repo=$(git rev-parse --show-toplevel)
PORT=${SMOKE_PORT:-8765}
work=$(mktemp -d)
log="$work/run.log"
git clone -q "$repo" "$work/app"
cd "$work/app"

# The embedded default: no database or broker from the environment.
env -u DATABASE_URL -u CELERY_BROKER_URL PORT="$PORT" setsid make run >"$log" 2>&1 &
leader=$!

# Processes still working in the clone (make run's children and the embedded PostgreSQL,
# whose working folder is its data folder), as "pid command" lines.
leftovers() {
  local proc cwd
  for proc in /proc/[0-9]*; do
    cwd=$(readlink "$proc/cwd" 2>/dev/null) || continue
    case $cwd in
      "$work" | "$work"/*) echo "${proc#/proc/} $(tr '\0' ' ' <"$proc/cmdline" 2>/dev/null)" ;;
    esac
  done
}

stop_make_run() {  # SIGTERM to make run's group, as Ctrl-C; waits up to 90 s for it to end
  kill -TERM -- "-$leader" 2>/dev/null || true
  for _ in $(seq 1 90); do
    kill -0 "$leader" 2>/dev/null || return 0
    sleep 1
  done
  return 1
}

cleanup() {
  cd /
  stop_make_run || kill -KILL -- "-$leader" 2>/dev/null || true
  local line
  leftovers | while read -r line; do kill -KILL "${line%% *}" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "smoke: $1" >&2
  echo "---- make run output (last 60 lines) ----" >&2
  tail -n 60 "$log" >&2
  exit 1
}

for _ in $(seq 1 600); do
  if grep -q "Campaign Hub is running" "$log" && (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
    break
  fi
  kill -0 "$leader" 2>/dev/null || fail "make run exited early"
  sleep 1
done
grep -q "Campaign Hub is running" "$log" || fail "the server did not start within 10 minutes"
grep -q "Embedded PostgreSQL started" "$log" || fail "make run did not start the embedded PostgreSQL"

.venv/bin/python - "$PORT" <<'PY' || fail "signing in as demo, /orders/ or saving an order through the wizard failed"
import http.cookiejar
import re
import sys
import urllib.parse
import urllib.request

base = f"http://127.0.0.1:{sys.argv[1]}"
jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))


def token(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def post(path: str, page: str, fields: dict[str, str]):
    data = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token(page)}).encode()
    request = urllib.request.Request(f"{base}{path}", data=data, headers={"Referer": base})
    response = opener.open(request)
    return response, response.read().decode()


page = opener.open(f"{base}/accounts/login/").read().decode()
response, body = post(
    "/accounts/login/", page, {"username": "demo", "password": "demo", "next": "/orders/"}
)
assert response.status == 200 and response.url.endswith("/orders/"), (response.status, response.url)
assert re.search(r"ord_[A-Za-z0-9]{24}", body), "no demo order on /orders/"
print("smoke: signed in as demo; /orders/ is 200 and lists demo orders")

# Create order, step by step as a browser without JavaScript posts it (the wizard's
# management field names the step being posted): a source ID and a total amount only.
step = "order_create_view-current_step"
page = opener.open(f"{base}/orders/create/").read().decode()
steps = [
    ("details", {"details-source_id": "smoke-wizard-1", "details-status": "PAID"}),
    ("items", {"items-rows-TOTAL_FORMS": "0", "items-rows-INITIAL_FORMS": "0",
               "items-amount": "45.50"}),
    ("customer", {}),
    ("referrer", {}),
    ("metadata", {}),
]  # fmt: skip
for name, fields in steps:
    response, page = post("/orders/create/", page, {step: name, **fields})
    assert response.status == 200, (name, response.status)
    assert f'name="{step}" value="{name}"' not in page, f"the wizard stayed on {name}"
assert "$45.50" in page, "the Summary does not show the total"
key = re.search(r'name="summary-creation_key" value="([^"]+)"', page).group(1)
response, page = post("/orders/create/", page, {step: "summary", "summary-creation_key": key})
saved = re.search(r"/orders/(ord_[A-Za-z0-9]{24})/$", response.url)
assert response.status == 200 and saved, ("Save did not open the order", response.url)
assert "smoke-wizard-1" in page and "$45.50" in page, "the order's page does not show it"
listing = opener.open(f"{base}/orders/?q=smoke-wizard-1").read().decode()
assert saved.group(1) in listing, "the saved order is not listed on /orders/"
print(f"smoke: saved order {saved.group(1)} through the wizard; /orders/ lists it")
PY

for _ in $(seq 1 60); do
  grep -q "celery@.* ready" "$log" && break
  sleep 1
done
grep -q "celery@.* ready" "$log" || fail "the Celery worker did not report ready"
echo "smoke: the Celery worker is ready on the filesystem broker"

# A command of its own, on the same embedded database while make run holds it.
imported=$(env -u DATABASE_URL -u CELERY_BROKER_URL .venv/bin/python manage.py import_orders \
  docs/examples/orders.csv 2>&1) || fail "import_orders failed: $imported"
count=$(env -u DATABASE_URL -u CELERY_BROKER_URL .venv/bin/python manage.py shell -v 0 -c \
  "from orders.models import Order; print(Order.objects.filter(source_id__in=['shop-1001', 'shop-1002']).count())" \
  2>&1) || fail "counting the imported orders failed: $count"
[ "$count" = "2" ] || fail "import_orders loaded $count of the example file's 2 orders: $imported"
echo "smoke: import_orders loaded docs/examples/orders.csv (2 orders) into the embedded database"

cd /
stop_make_run || fail "make run did not stop within 90 s of SIGTERM"
left=$(leftovers)
[ -z "$left" ] || fail "processes left after make run stopped:
$left"
grep -q "Embedded PostgreSQL stopped" "$log" || fail "make run did not stop the embedded PostgreSQL"
echo "smoke: stopping make run stopped the web server, the worker and the embedded PostgreSQL"

# Everything make run writes lives in .venv/ and var/ (both ignored), none in the checkout.
written=$(git -C "$work/app" status --porcelain)
[ -z "$written" ] || fail "make run wrote into the checkout:
$written"
echo "smoke: the checkout is as cloned (make run wrote only to .venv/ and var/)"
