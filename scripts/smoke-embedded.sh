#!/usr/bin/env bash
# Smoke test of the embedded default, as a newcomer meets it: in a clean clone, `make run`,
# sign in as demo/demo, GET /orders/ must be 200 and list demo orders, the Celery worker must
# be up; then stop it all.
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
cleanup() {
  kill -TERM -- "-$leader" 2>/dev/null || true
  sleep 2
  kill -KILL -- "-$leader" 2>/dev/null || true
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

.venv/bin/python - "$PORT" <<'PY' || fail "signing in as demo and opening /orders/ failed"
import http.cookiejar
import re
import sys
import urllib.parse
import urllib.request

base = f"http://127.0.0.1:{sys.argv[1]}"
jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
page = opener.open(f"{base}/accounts/login/").read().decode()
token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
data = urllib.parse.urlencode(
    {"username": "demo", "password": "demo", "csrfmiddlewaretoken": token, "next": "/orders/"}
).encode()
request = urllib.request.Request(f"{base}/accounts/login/", data=data, headers={"Referer": base})
response = opener.open(request)
body = response.read().decode()
assert response.status == 200 and response.url.endswith("/orders/"), (response.status, response.url)
assert re.search(r"ord_[A-Za-z0-9]{24}", body), "no demo order on /orders/"
print("smoke: signed in as demo; /orders/ is 200 and lists demo orders")
PY

for _ in $(seq 1 60); do
  grep -q "celery@.* ready" "$log" && break
  sleep 1
done
grep -q "celery@.* ready" "$log" || fail "the Celery worker did not report ready"
echo "smoke: the Celery worker is ready on the filesystem broker"
