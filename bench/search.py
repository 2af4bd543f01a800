"""Benchmark searches that find few rows: the orders list, the customers list and the API.

Serves the app with gunicorn in production mode like ``bench/orders_list.py`` (whose helpers
it reuses) against ``--database`` (a loaded copy: it never seeds or drops one), picks real
terms from the data (one customer's email, a fragment of it, an order id, a source-ID
fragment, the rarest name and the most common surname, a term that matches nothing) and times each
case's page: the server-side time from ``Server-Timing``.

Beside each case it times the floor: the page's own SQL, every statement the same request
runs (captured once in-process with the same settings), replayed with psycopg on one
connection, alternating with the requests. Prints a Markdown table with both and their ratio.

    .venv/bin/python bench/search.py --database campaign_hub_bench --requests 40
"""

import argparse
import json
import os
import platform
import secrets
import statistics
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from datetime import date
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.list_floor import run_floor, server_ms  # noqa: E402
from bench.orders_list import (  # noqa: E402
    ROOT,
    SESSION_SNIPPET,
    app_env,
    ensure_vacuumed,
    manage,
    order_count,
    p95,
    wait_until_up,
)

TARGET_P95_MS = 50.0
TARGET_RATIO = 3.0
MISS = "zqxjvkw"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=40, help="Timed requests per case.")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--port", type=int, default=8796)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="campaign_hub_bench")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/1", help="Cache and broker.")
    parser.add_argument("--only", default="", help="Run the cases whose label contains this.")
    parser.add_argument("--explain", action="store_true", help="Print each case's plans.")
    return parser.parse_args()


def pick_terms(dsn: str) -> dict[str, str]:
    """Real values from the loaded data, the same on every run of the same data."""
    with psycopg.connect(dsn) as conn:

        def one(sql: str) -> str:
            row = conn.execute(sql).fetchone()
            if row is None:
                sys.exit(f"No data for: {sql}")
            return str(row[0])

        customer = one(
            "SELECT c.id FROM customers_customer c WHERE c.email <> '' AND EXISTS "
            "(SELECT 1 FROM orders_order o WHERE o.customer_id = c.id) ORDER BY c.id LIMIT 1"
        )
        email, customer_source = conn.execute(
            "SELECT email, source_id FROM customers_customer WHERE id = %s", [customer]
        ).fetchone()
        order_id, source_id = conn.execute(
            "SELECT id, source_id FROM orders_order WHERE source_id IS NOT NULL ORDER BY id LIMIT 1"
        ).fetchone()
        surnames = conn.execute(
            "SELECT split_part(name, ' ', -1) AS surname, count(*) FROM customers_customer "
            "WHERE name <> '' GROUP BY 1 ORDER BY 2, 1"
        ).fetchall()
        # The demo data draws surnames from a short list (none is rare): the rarest name is
        # the rarest first name and surname together.
        rare, rare_count = conn.execute(
            "SELECT name, count(*) FROM customers_customer WHERE name <> '' "
            "GROUP BY 1 ORDER BY 2, 1 LIMIT 1"
        ).fetchone()
    common = surnames[-1][0]
    return {
        "customer": customer,
        "customer_source": customer_source or customer,
        "email": email,
        "email_fragment": email.split("@")[0],  # the local part: words of the email
        "order_id": order_id,
        "source_id": source_id,
        "source_fragment": source_id[len(source_id) // 3 :],  # its end, inside the word
        "rare": rare,
        "rare_count": str(rare_count),
        "common": common,
        "common_count": str(surnames[-1][1]),
    }


def api_filter(field: str, condition: str, value: str) -> str:
    return urllib.parse.urlencode({f"filters[{field}][conditions][{condition}]": value})


def cases(t: dict[str, str]) -> list[tuple[str, str]]:
    def q(value: str) -> str:
        return urllib.parse.quote(value, safe="")

    orders = [
        ("exact email", t["email"]),
        ("email fragment", t["email_fragment"]),
        ("exact order id", t["order_id"]),
        ("source-id fragment", t["source_fragment"]),
        (f"rarest name ({t['rare_count']} customers)", t["rare"]),
        (f"common surname ({t['common_count']} customers)", t["common"]),
        ("no match", MISS),
    ]
    customers = [
        ("exact email", t["email"]),
        ("email fragment", t["email_fragment"]),
        ("exact customer id", t["customer"]),
        ("exact source id", t["customer_source"]),
        (f"rarest name ({t['rare_count']})", t["rare"]),
        (f"common surname ({t['common_count']})", t["common"]),
        ("no match", MISS),
    ]
    api = [
        ("customer_id $is id", api_filter("customer_id", "$is", t["customer"])),
        ("customer_id $is email", api_filter("customer_id", "$is", t["email"])),
        ("customer_id $is no match", api_filter("customer_id", "$is", MISS)),
        ("source_id $is", api_filter("source_id", "$is", t["source_id"])),
        ("source_id $contains", api_filter("source_id", "$contains", t["source_fragment"])),
        ("source_id $contains no match", api_filter("source_id", "$contains", MISS)),
    ]
    return (
        [(f"Orders: {label}", f"/orders/?q={q(v)}") for label, v in orders]
        + [(f"Customers: {label}", f"/customers/?q={q(v)}") for label, v in customers]
        + [(f"API: {label}", f"/v1/orders?limit=10&{query}") for label, query in api]
    )


# Runs each path once in-process (the app's settings, a signed-in user or an API key) and
# prints the SQL it ran: the statements the floor replays.
CAPTURE_SNIPPET = """
import json, os
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
user = get_user_model().objects.get(username="bench")
browser = Client(HTTP_HOST="127.0.0.1")
browser.force_login(user)
api = Client(HTTP_HOST="127.0.0.1", HTTP_X_APP_ID=os.environ["BENCH_APP_ID"],
             HTTP_X_APP_TOKEN=os.environ["BENCH_APP_TOKEN"])
out = {}
for path in json.loads(os.environ["BENCH_PATHS"]):
    client = api if path.startswith("/v1/") else browser
    client.get(path)  # warm: the schema, the content types, the caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    out[path] = [q["sql"] for q in captured.captured_queries]
print("BENCH-JSON " + json.dumps(out))
"""

# Statements replayed as they ran: reads and the transaction control around the counts
# (a count cut short by its statement_timeout is cut short in the replay too).
REPLAYED = ("SELECT", "WITH", "BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def main() -> None:
    args = parse_args()
    dsn = f"{args.server}/{args.database}"
    if order_count(args.server, args.database) == 0:
        sys.exit(f"{args.database} holds no orders: load it with bench/seed_demo.py first.")
    with tempfile.TemporaryDirectory() as static_root:
        env = app_env(args, static_root)
        env.update(
            CELERY_BROKER_URL=args.redis, CACHE_URL=args.redis, API_RATE_LIMIT_PER_MINUTE="0"
        )
        manage(env, "migrate", "--noinput")
        ensure_vacuumed(args.server, args.database)
        manage(env, "collectstatic", "--noinput")
        session = manage(env, "shell", "-c", SESSION_SNIPPET).strip().splitlines()[-1]
        key_lines = manage(env, "create_api_key", f"bench-search-{secrets.token_hex(4)}")
        key = dict(line.split("=", 1) for line in key_lines.split() if "=" in line)
        terms = pick_terms(dsn)
        all_cases = [c for c in cases(terms) if args.only.lower() in c[0].lower()]
        paths = [path for _, path in all_cases]
        captured_env = {
            **env,
            "BENCH_PATHS": json.dumps(paths),
            "BENCH_APP_ID": key["APP_ID"],
            "BENCH_APP_TOKEN": key["APP_TOKEN"],
        }
        output = manage(captured_env, "shell", "-c", CAPTURE_SNIPPET)
        captured = json.loads(output.split("BENCH-JSON ", 1)[1])
        floors = {
            path: [s for s in captured[path] if s.lstrip().upper().startswith(REPLAYED)]
            for path in paths
        }
        if args.explain:
            explain(dsn, all_cases, floors)
        base = f"http://127.0.0.1:{args.port}"
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi:application",
             "--bind", f"127.0.0.1:{args.port}", "--workers", str(args.workers),
             "--log-level", "warning"],
            cwd=ROOT, env=env,
        )  # fmt: skip
        browser = {"Cookie": f"sessionid={session}"}
        api = {"X-App-Id": key["APP_ID"], "X-App-Token": key["APP_TOKEN"]}
        try:
            wait_until_up(f"{base}/accounts/login/")
            load_before = os.getloadavg()[0]
            results = []
            with psycopg.connect(dsn, autocommit=True) as conn:
                for label, path in all_cases:
                    headers = api if path.startswith("/v1/") else browser
                    for _ in range(args.warmup):
                        server_ms(base + path, headers)
                        run_floor(conn, floors[path])
                    page, floor = [], []
                    for _ in range(args.requests):  # interleaved: the same machine state
                        page.append(server_ms(base + path, headers))
                        floor.append(run_floor(conn, floors[path]))
                    results.append((label, path, page, floor, len(floors[path])))
                    print(
                        f"{label}: p95 {p95(page):.1f} ms, floor {statistics.median(floor):.1f}",
                        file=sys.stderr,
                    )
            load_after = os.getloadavg()[0]
        finally:
            server.terminate()
            server.wait(timeout=30)

    orders = order_count(args.server, args.database)
    print(
        f"Measured {date.today()} on {platform.node()} ({os.cpu_count()} cores), "
        f"{args.database}: {orders:,} orders, gunicorn {args.workers} workers, "
        f"{args.requests} timed requests per case (N) after {args.warmup} warm-up, each "
        f"followed by one replay of its SQL; 1-minute load average {load_before:.2f} before "
        f"the timed requests, {load_after:.2f} after.\n"
    )
    print(
        "| Case | page median ms | page p95 ms | floor median ms | floor p95 ms | statements "
        f"| ratio (medians) | p95 ≤ {TARGET_P95_MS:.0f} ms | ≤ {TARGET_RATIO:.0f}× floor |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|:---:|:---:|")
    for label, path, page, floor, statements in results:
        ratio = statistics.median(page) / statistics.median(floor)
        print(
            f"| {label} (`{path}`) | {statistics.median(page):.1f} | {p95(page):.1f} | "
            f"{statistics.median(floor):.1f} | {p95(floor):.1f} | {statements} | "
            f"{ratio:.1f}× | {'yes' if p95(page) <= TARGET_P95_MS else 'no'} | "
            f"{'yes' if ratio <= TARGET_RATIO else 'no'} |"
        )


def explain(dsn: str, all_cases: list[tuple[str, str]], floors: dict[str, list[str]]) -> None:
    """EXPLAIN ANALYZE of each case's slowest statement."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        for label, path in all_cases:
            timings = []
            for sql in floors[path]:
                if sql.startswith(("SELECT", "WITH")) and "set_config" not in sql:
                    timings.append((run_floor(conn, [sql]), sql))
            if not timings:
                continue
            ms, sql = max(timings)
            plan = conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            print(f"### {label} (`{path}`): slowest statement {ms:.1f} ms\n")
            print("```\n" + "\n".join(row[0] for row in plan.fetchall()) + "\n```\n")


if __name__ == "__main__":
    main()
