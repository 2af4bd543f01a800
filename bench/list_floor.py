"""The dashboard lists' first pages beside their own SQL (the floor), in one run.

Serves the app with gunicorn in production mode on ``--database`` (like
``bench/orders_list.py``), signs in a staff user of the Marketing group (not a superuser, so
permission checks do their real work), and for each case:

1. captures, once and in-process (``CaptureQueriesContext`` around a Django test client
   request, after a warm-up request), the SQL statements the page runs;
2. times ``--requests`` requests through gunicorn (the app's ``Server-Timing``) and, right
   after each one, the same statements run with psycopg on one open connection, rows fetched
   (the floor: what the page's database work costs a client that does nothing else).

A third case, the segments page (the smallest dashboard page), shows what any page costs
before its own work, beside that page's own SQL.

Cases are interleaved request by request, so a busy machine slows both sides alike; the
ratio (page ÷ floor, medians) is the figure to compare between runs. Prints Markdown.

    .venv/bin/python bench/list_floor.py --database campaign_hub_bench --requests 60

``bench/api_list.py`` times ``GET /v1/orders`` the same way with the helpers here.
"""

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))

from orders_list import (  # noqa: E402  (bench/ is not a package on sys.path)
    ROOT,
    app_env,
    ensure_vacuumed,
    manage,
    order_count,
    p95,
    wait_until_up,
)

BENCH_USERNAME = "bench-marketing"

# A staff user in the Marketing group (core.roles), signed in with a session in the session
# store, as a browser would be after logging in.
SESSION_SNIPPET = f"""
from importlib import import_module
from django.conf import settings
from django.contrib.auth import get_user_model, BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import Group
from core.roles import MARKETING_GROUP
user, _ = get_user_model().objects.get_or_create(
    username="{BENCH_USERNAME}", defaults={{"is_staff": True, "is_superuser": False}})
user.groups.add(Group.objects.get(name=MARKETING_GROUP))
store = import_module(settings.SESSION_ENGINE).SessionStore()
store[SESSION_KEY] = str(user.pk)
store[BACKEND_SESSION_KEY] = "core.auth.DashboardBackend"
store[HASH_SESSION_KEY] = user.get_session_auth_hash()
store.create()
print(store.session_key)
"""

# Runs each path twice through Django's test client (the first warms caches, as the timed
# requests are warm too) and prints the second one's SQL as JSON, one list per path.
CAPTURE_SNIPPET = """
import json, os
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
headers = json.loads(os.environ["BENCH_HEADERS"])
client = Client(HTTP_HOST="127.0.0.1", headers=headers)
if os.environ.get("BENCH_SESSION"):
    client.cookies["sessionid"] = os.environ["BENCH_SESSION"]
captured = []
for path in json.loads(os.environ["BENCH_PATHS"]):
    assert client.get(path).status_code == 200, path
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    captured.append([query["sql"] for query in queries.captured_queries])
print(json.dumps(captured))
"""


@dataclass
class Case:
    label: str
    path: str
    statements: list[str] = field(default_factory=list)
    page_ms: list[float] = field(default_factory=list)
    floor_ms: list[float] = field(default_factory=list)


def capture_statements(env: dict[str, str], cases: list[Case], headers: dict[str, str]) -> None:
    """Fill each case's ``statements`` with the SQL its request runs (in-process, once)."""
    out = manage(
        {
            **env,
            "BENCH_HEADERS": json.dumps(headers),
            "BENCH_PATHS": json.dumps([c.path for c in cases]),
        },
        "shell",
        "-c",
        CAPTURE_SNIPPET,
    )
    for case, statements in zip(cases, json.loads(out.strip().splitlines()[-1]), strict=True):
        case.statements = statements


def run_floor(conn: psycopg.Connection, statements: list[str]) -> float:
    """ms to run ``statements`` in order on an autocommit connection and fetch their rows.
    The captured statements include the request's ``BEGIN`` / ``COMMIT`` when it has them
    (the API runs each request in a transaction)."""
    started = time.perf_counter()
    savepoint = None
    for sql in statements:
        if sql.startswith("SAVEPOINT "):
            savepoint = sql.removeprefix("SAVEPOINT ")
        try:
            cursor = conn.execute(sql.encode(), prepare=False)
            if cursor.description is not None:
                cursor.fetchall()
        except psycopg.errors.QueryCanceled:
            # A bounded count's timeout. When the captured request's count finished in time,
            # its RELEASE SAVEPOINT follows and would fail in the aborted transaction: roll
            # back to the savepoint as the app does (harmless when a ROLLBACK TO follows too).
            if savepoint is not None:
                conn.execute(f"ROLLBACK TO SAVEPOINT {savepoint}".encode())
    return (time.perf_counter() - started) * 1000


def server_ms(url: str, headers: dict[str, str]) -> float:
    """The app's own time (``Server-Timing``) for one GET that must answer 200."""
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()
        timing = response.headers.get("Server-Timing", "")
        if response.status != 200 or "app;dur=" not in timing:
            sys.exit(f"{url} answered {response.status} without Server-Timing")
    return float(timing.split("dur=")[1])


def measure(
    args: object,
    cases: list[Case],
    *,
    env: dict[str, str],
    http_headers: dict[str, str],
) -> tuple[float, float]:
    """Serve the app and time every case beside its floor, interleaved; returns the 1-minute
    load average before and after the timed requests."""
    base = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application",
         "--bind", f"127.0.0.1:{args.port}", "--workers", str(args.workers),
         "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        wait_until_up(f"{base}/accounts/login/")
        with psycopg.connect(env["DATABASE_URL"], autocommit=True) as conn:
            for _ in range(args.warmup):
                for case in cases:
                    server_ms(base + case.path, http_headers)
                    run_floor(conn, case.statements)
            load_before = os.getloadavg()[0]
            for _ in range(args.requests):
                for case in cases:
                    case.page_ms.append(server_ms(base + case.path, http_headers))
                    case.floor_ms.append(run_floor(conn, case.statements))
            load_after = os.getloadavg()[0]
    finally:
        server.terminate()
        server.wait(timeout=30)
    return load_before, load_after


def report(
    args: object,
    cases: list[Case],
    loads: tuple[float, float],
    target: float,
    what: str,
    *,
    p95_target_ms: float | None = None,
) -> None:
    """Markdown: each case's page and floor times and their ratio; the verdict column checks
    the ratio against ``target``, or the page's p95 against ``p95_target_ms`` when given."""
    orders = order_count(args.server, args.database)
    print(
        f"Measured {date.today()} on {platform.node()} ({os.cpu_count()} cores), "
        f"{args.database}: {orders:,} orders; gunicorn {args.workers} workers; {what}; "
        f"N = {args.requests} interleaved requests per case after {args.warmup} warm-up; "
        f"1-minute load average {loads[0]:.2f} before, {loads[1]:.2f} after.\n"
    )
    verdict = f"p95 ≤ {p95_target_ms:g} ms" if p95_target_ms is not None else f"≤ {target:g}×"
    print(
        "| Case | queries | page median ms | page p95 ms | floor median ms | floor p95 ms "
        f"| ratio (medians) | {verdict} | page min ms | floor min ms | ratio (minimums) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|:---:|---:|---:|---:|")
    for case in cases:
        page, floor = statistics.median(case.page_ms), statistics.median(case.floor_ms)
        ratio = page / floor
        met = p95(case.page_ms) <= p95_target_ms if p95_target_ms is not None else ratio <= target
        # The fastest of each: the run least slowed by other work on the machine; on a busy
        # machine their ratio says more about a quiet one than the medians' does.
        fastest_page, fastest_floor = min(case.page_ms), min(case.floor_ms)
        print(
            f"| {case.label} (`{case.path}`) | {len(case.statements)} | {page:.1f} | "
            f"{p95(case.page_ms):.1f} | {floor:.1f} | {p95(case.floor_ms):.1f} | "
            f"{ratio:.1f}× | {'yes' if met else 'no'} | {fastest_page:.1f} | "
            f"{fastest_floor:.1f} | {fastest_page / fastest_floor:.1f}× |"
        )


def parse_args(description: str, port: int) -> object:
    import argparse

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--requests", type=int, default=60, help="Timed requests per case.")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--port", type=int, default=port)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="campaign_hub_bench")
    parser.add_argument("--show-sql", action="store_true", help="Print each case's statements.")
    return parser.parse_args()


def prepare(args: object, static_root: str, **extra_env: str) -> dict[str, str]:
    """Migrate, vacuum once if needed, collect static files; the app's environment."""
    if order_count(args.server, args.database) == 0:
        sys.exit(f"{args.database} has no orders: load it with bench/seed_demo.py first.")
    env = {**app_env(args, static_root), **extra_env}
    manage(env, "migrate", "--noinput")
    ensure_vacuumed(args.server, args.database)
    manage(env, "collectstatic", "--noinput")
    return env


def show_sql(cases: list[Case], enabled: bool, out: Callable[..., None] = print) -> None:
    if enabled:
        for case in cases:
            out(f"### {case.label}", file=sys.stderr)
            for sql in case.statements:
                out(f"  {sql[:300]}", file=sys.stderr)


TARGET_RATIO = 4.0


def main() -> None:
    args = parse_args(__doc__.split("\n\n")[0], 8792)
    with tempfile.TemporaryDirectory() as static_root:
        env = prepare(args, static_root)
        session = manage(env, "shell", "-c", SESSION_SNIPPET).strip().splitlines()[-1]
        cases = [
            Case("Orders list, first page", "/orders/"),
            Case("Customers list, first page", "/customers/"),
            # Not a target: the least a dashboard page does (session, user, the shell's
            # template, a short list), beside its own SQL; what every page costs first.
            Case("Dashboard shell: the segments page", "/customers/segments/"),
        ]
        capture_statements({**env, "BENCH_SESSION": session}, cases, {})
        show_sql(cases, args.show_sql)
        loads = measure(args, cases, env=env, http_headers={"Cookie": f"sessionid={session}"})
    report(args, cases, loads, TARGET_RATIO, "signed in as a Marketing staff user")


if __name__ == "__main__":
    main()
