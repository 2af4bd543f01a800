"""Benchmark the orders list (and the admin's orders changelist) at a million orders.

Uses the ``campaign_hub_bench`` database that ``bench/seed_demo.py`` loads, seeding it first
when it is missing or holds fewer orders than asked. Then it migrates it, serves the app with
gunicorn in production mode on 127.0.0.1, signs a bench user in, and times each case over
``--requests`` requests (after a warm-up): the server-side time from the ``Server-Timing``
header and the client's wall time over loopback. Prints Markdown for ``docs/benchmarks.md``.

    .venv/bin/python bench/orders_list.py --orders 1000000 --requests 40

Cases: the first page; a deep page (page 1,000 of 50 rows); status + created range + a
metadata condition sorted by amount; a free-text search; the project admin's orders changelist;
the notifications bell fragment (the smallest signed-in response, for scale) and, for
comparison, a stock Django admin's changelist (``bench/stock_admin_settings.py``).
"""

import argparse
import os
import platform
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date, timedelta
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
TARGET_P95_MS = 100.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=40, help="Timed requests per case.")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--port", type=int, default=8791)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="campaign_hub_bench")
    parser.add_argument("--explain", action="store_true", help="Print each case's plan.")
    return parser.parse_args()


def order_count(server: str, name: str) -> int:
    try:
        with psycopg.connect(f"{server}/{name}") as conn:
            row = conn.execute("SELECT count(*) FROM orders_order").fetchone()
            return int(row[0])
    except psycopg.Error:
        return 0


def ensure_seeded(args: argparse.Namespace) -> None:
    have = order_count(args.server, args.database)
    if have >= args.orders:
        print(f"Reusing {args.database}: {have:,} orders.", file=sys.stderr)
        return
    print(f"{args.database} has {have:,} orders; seeding {args.orders:,}.", file=sys.stderr)
    subprocess.run(
        [
            sys.executable,
            "bench/seed_demo.py",
            "--orders",
            str(args.orders),
            "--customers",
            str(args.customers),
            "--server",
            args.server,
            "--database",
            args.database,
        ],
        cwd=ROOT,
        check=True,
    )


VACUUMED_TABLES = ("orders_order", "customers_customer")


def ensure_vacuumed(server: str, name: str) -> None:
    """VACUUM (ANALYZE) the list's tables when they were never vacuumed.

    Right after a bulk load nothing is marked all-visible, so PostgreSQL's index-only scans
    (the deep page's ``OFFSET``, counts) read every row from the heap. A server with stock
    settings vacuums a freshly loaded table within a minute (autovacuum); one with autovacuum
    off never does, and would measure a state production does not run in. This does what
    autovacuum would, once.
    """
    with psycopg.connect(f"{server}/{name}", autocommit=True) as conn:
        rows = conn.execute(
            "SELECT relname FROM pg_stat_user_tables WHERE relname = ANY(%s) "
            "AND last_vacuum IS NULL AND last_autovacuum IS NULL",
            [list(VACUUMED_TABLES)],
        ).fetchall()
        for (table,) in rows:
            print(f"VACUUM (ANALYZE) {table}: never vacuumed since loading.", file=sys.stderr)
            conn.execute(f"VACUUM (ANALYZE) {table}")


def app_env(args: argparse.Namespace, static_root: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_ENV="production",
        DJANGO_SETTINGS_MODULE="bench.stock_admin_settings",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"{args.server}/{args.database}",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
        # A cache the web processes share, as the README asks of production (rate limits,
        # sessions).
        CACHE_URL="redis://127.0.0.1:6379/1",
        SECURE_SSL_REDIRECT="false",
        STATIC_ROOT=static_root,
        LOG_LEVEL="WARNING",
    )
    return env


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


SESSION_SNIPPET = """
from django.contrib.auth import get_user_model, BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from importlib import import_module
from django.conf import settings
user, _ = get_user_model().objects.get_or_create(
    username="bench", defaults={"is_staff": True, "is_superuser": True})
store = import_module(settings.SESSION_ENGINE).SessionStore()
store[SESSION_KEY] = str(user.pk)
store[BACKEND_SESSION_KEY] = "core.auth.DashboardBackend"
store[HASH_SESSION_KEY] = user.get_session_auth_hash()
store.create()
print(store.session_key)
"""

FACTS_SNIPPET = """
from django.db.models import Max
from customers.models import Customer
from orders.models import Order
name = Customer.objects.exclude(name="").order_by("id").values_list("name", flat=True).first()
print(name.split()[-1], Order.objects.aggregate(latest=Max("created_at"))["latest"].date())
"""


EXPLAIN_SNIPPET = """
import os
from django.http import QueryDict
from orders.filters import OrderFilter
from orders.models import Order
from orders.selectors import order_list_query
for path in os.environ["BENCH_PATHS"].split("|"):
    query = QueryDict(path.partition("?")[2])
    page, per_page = int(query.get("page", 1)), int(query.get("per_page", 50))
    queryset = OrderFilter(query, queryset=Order.objects.all()).qs
    # The query the list runs (orders.selectors.order_list_page).
    rows = order_list_query(queryset, (page - 1) * per_page, per_page + 1)
    print("###", path)
    print(rows.explain(analyze=True, buffers=True))
"""


def cases(surname: str, until: date) -> list[tuple[str, str]]:
    """The measured pages; the date range is the last 90 days of the loaded data."""
    start = until - timedelta(days=90)
    return [
        ("First page", "/orders/"),
        ("Deep page (page 1,000 of 50)", "/orders/?page=1000&per_page=50"),
        (
            "Paid + created in 90 days + payment_method is Visa, by amount",
            f"/orders/?status=PAID&created_after={start}&created_before={until}"
            "&meta=payment_method:eq:Visa&sort=-amount",
        ),
        (f"Free-text search '{surname}'", f"/orders/?q={surname}"),
        ("Project admin's orders changelist", "/admin/orders/order/"),
        # For scale, not a target: the smallest signed-in dashboard response (session, user,
        # one count, a few lines of template), what any page costs before its own work.
        ("Reference: the notifications bell fragment", "/notifications/bell/"),
        ("Stock Django admin's orders changelist", "/stock-admin/orders/order/"),
    ]


def wait_until_up(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.3)
    sys.exit(f"gunicorn did not answer {url} within {timeout:.0f} s")


def timed_get(url: str, session: str) -> tuple[float, float]:
    """(server ms from Server-Timing, client ms) for one GET."""
    request = urllib.request.Request(url, headers={"Cookie": f"sessionid={session}"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()
        header = response.headers.get("Server-Timing", "")
        if response.status != 200 or "app;dur=" not in header:
            sys.exit(f"{url} answered {response.status} without Server-Timing")
    client_ms = (time.perf_counter() - started) * 1000
    return float(header.split("dur=")[1]), client_ms


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def main() -> None:
    args = parse_args()
    ensure_seeded(args)
    with tempfile.TemporaryDirectory() as static_root:
        env = app_env(args, static_root)
        manage(env, "migrate", "--noinput")
        ensure_vacuumed(args.server, args.database)
        manage(env, "collectstatic", "--noinput")
        session = manage(env, "shell", "-c", SESSION_SNIPPET).strip().splitlines()[-1]
        facts = manage(env, "shell", "-c", FACTS_SNIPPET).strip().splitlines()[-1].split()
        surname, until = facts[0], date.fromisoformat(facts[1])
        if args.explain:
            paths = [path for _, path in cases(surname, until) if path.startswith("/orders/")]
            print(manage({**env, "BENCH_PATHS": "|".join(paths)}, "shell", "-c", EXPLAIN_SNIPPET))
        base = f"http://127.0.0.1:{args.port}"
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi:application",
             "--bind", f"127.0.0.1:{args.port}", "--workers", str(args.workers),
             "--log-level", "warning"],
            cwd=ROOT, env=env,
        )  # fmt: skip
        try:
            wait_until_up(f"{base}/accounts/login/")
            load_before = os.getloadavg()[0]
            results = []
            for label, path in cases(surname, until):
                for _ in range(args.warmup):
                    timed_get(base + path, session)
                samples = [timed_get(base + path, session) for _ in range(args.requests)]
                server_ms = [s for s, _ in samples]
                client_ms = [c for _, c in samples]
                results.append((label, path, server_ms, client_ms))
                print(f"{label}: p95 {p95(server_ms):.1f} ms", file=sys.stderr)
        finally:
            server.terminate()
            server.wait(timeout=30)

    stock_admin_median = statistics.median(results[-1][2])
    orders = order_count(args.server, args.database)
    print(
        f"Measured {date.today()} on {platform.node()} ({os.cpu_count()} cores), "
        f"{orders:,} orders, gunicorn {args.workers} workers, {args.requests} timed "
        f"requests per case after {args.warmup} warm-up; 1-minute load average "
        f"{load_before:.2f} before the timed requests, {os.getloadavg()[0]:.2f} after.\n"
    )
    print(
        "| Case | server median ms | server p95 ms | client p95 ms | p95 ≤ 100 ms "
        f"| share of stock admin median ({stock_admin_median:.1f} ms) | ≤ 1/10 of it |"
    )
    print("|---|---:|---:|---:|:---:|---:|:---:|")
    for label, path, server_ms, client_ms in results:
        median = statistics.median(server_ms)
        is_list = path.startswith("/orders/")
        tenth = "—" if not is_list else ("yes" if median <= stock_admin_median / 10 else "no")
        print(
            f"| {label} (`{path}`) | {median:.1f} | {p95(server_ms):.1f} | "
            f"{p95(client_ms):.1f} | {'yes' if p95(server_ms) <= TARGET_P95_MS else 'no'} | "
            f"1/{stock_admin_median / median:.1f} | {tenth} |"
        )


if __name__ == "__main__":
    main()
