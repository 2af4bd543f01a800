"""``GET /v1/orders`` with every kind of condition the filter grammar accepts, beside its SQL.

Serves the app with gunicorn in production mode on ``--database`` (a loaded copy; it never
seeds or drops one) like ``bench/api_list.py``, picks real values from the data (a rare and a
common value of each field, the top of each amount, a day, metadata values), captures the SQL
statements each case's request runs (once, in-process) and times ``--requests`` requests of
100 orders through gunicorn (the app's ``Server-Timing``), each followed by the same
statements run with psycopg (the floor). Cases are interleaved request by request, so a busy
machine slows every case and its floor alike. Prints Markdown: each case's matches, page and
floor p50/p95, their ratio and whether the page's p95 is within 100 ms (issue 21's target).

    .venv/bin/python bench/filters.py --database campaign_hub_bench --requests 30

``--only TEXT`` runs the cases whose label holds TEXT; ``--explain`` prints each case's
slowest statement's plan (EXPLAIN ANALYZE) instead of timing.
"""

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))

from list_floor import Case, measure, prepare, run_floor  # noqa: E402  (bench/ is not a package)
from orders_list import manage, order_count, p95  # noqa: E402

TARGET_P95_MS = 100.0
PAGE = 100
MISS = "zqxjvkw"
MONEY = ("amount", "total_amount", "discount_amount", "items_discount_amount",
         "total_discount_amount")  # fmt: skip

KEY_SNIPPET = """
from core.models import ApiKey
ApiKey.objects.filter(name="bench-filters").delete()
key, token = ApiKey.issue("bench-filters")
print(key.app_id, token)
"""

# Each path twice through Django's test client (the first warms caches), the second one's SQL
# captured; and the exact number of orders its filters match (a COUNT the page never runs).
CAPTURE_SNIPPET = """
import json, os
from urllib.parse import urlsplit
from django.db import connection
from django.http import QueryDict
from django.test import Client
from django.test.utils import CaptureQueriesContext
from api.orders import order_filter_for
headers = json.loads(os.environ["BENCH_HEADERS"])
client = Client(HTTP_HOST="127.0.0.1", headers=headers)
captured = []
for path in json.loads(os.environ["BENCH_PATHS"]):
    first = client.get(path)
    assert first.status_code == 200, (path, first.content[:500])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    matches = order_filter_for(QueryDict(urlsplit(path).query)).qs.order_by().count()
    captured.append({"sql": [q["sql"] for q in queries.captured_queries], "matches": matches})
print("BENCH-JSON " + json.dumps(captured))
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=30, help="Timed requests per case.")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--port", type=int, default=8797)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="campaign_hub_bench")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/1", help="Cache and broker.")
    parser.add_argument("--only", default="", help="Run the cases whose label holds this.")
    parser.add_argument("--explain", action="store_true", help="Print plans instead of timing.")
    return parser.parse_args()


def filters_path(filters: dict[str, dict[str, Any]], junction: str = "") -> str:
    """``{"amount": {"$more_than": 5}}`` → ``/v1/orders?limit=100&filters[amount]…``."""
    pairs = [("limit", str(PAGE))]
    if junction:
        pairs.append(("filters[junction]", junction))
    for field, conditions in filters.items():
        for condition, value in conditions.items():
            values = value if isinstance(value, list) else [value]
            for index, item in enumerate(values):
                pairs.append((f"filters[{field}][conditions][{condition}][{index}]", str(item)))
    return "/v1/orders?" + urlencode(pairs, safe="[]$")


class Picker:
    """Real values from the loaded data, the same on every run of the same data."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn

    def one(self, sql: str, params: list[Any] | None = None) -> Any:
        row = self.conn.execute(sql, params).fetchone()
        if row is None or row[0] is None:
            sys.exit(f"No data for: {sql}")
        return row[0]

    def rare_value(self, column: str) -> Any:
        """A value of ``column`` that 1 to 3 orders hold (a pseudo-random one of them)."""
        return self.one(
            f"SELECT {column} FROM orders_order GROUP BY {column} "
            f"HAVING count(*) BETWEEN 1 AND 3 ORDER BY md5({column}::text) LIMIT 1"
        )

    def money(self, column: str) -> dict[str, int]:
        """A rare value, the top 0.01 % and a band of about 1 % of the non-zero values."""
        top = self.one(
            f"SELECT percentile_disc(0.9999) WITHIN GROUP (ORDER BY {column}) FROM orders_order"
        )
        low, high = self.conn.execute(
            f"SELECT percentile_disc(0.50) WITHIN GROUP (ORDER BY {column}), "
            f"percentile_disc(0.51) WITHIN GROUP (ORDER BY {column}) "
            f"FROM orders_order WHERE {column} > 0"
        ).fetchone()
        return {"rare": self.rare_value(column), "top": top, "low": low, "high": high}

    def metadata_counts(self, key: str) -> list[tuple[str, int]]:
        return self.conn.execute(
            "SELECT metadata->>%s, count(*) FROM orders_order WHERE metadata ? %s "
            "GROUP BY 1 ORDER BY 2, 1",
            [key, key],
        ).fetchall()


def pick_values(dsn: str) -> dict[str, Any]:
    with psycopg.connect(dsn) as conn:
        pick = Picker(conn)
        sources = [
            pick.one(
                "SELECT source_id FROM orders_order WHERE source_id IS NOT NULL "
                "ORDER BY source_id OFFSET %s LIMIT 1",
                [offset],
            )
            for offset in (123_456, 654_321, 987_654)
        ]
        customers = [
            pick.one(
                "SELECT customer_id FROM orders_order WHERE customer_id IS NOT NULL "
                "ORDER BY customer_id OFFSET %s LIMIT 1",
                [offset],
            )
            for offset in (100_000, 500_000)
        ]
        last_day = pick.one("SELECT max(created_at) FROM orders_order").astimezone(UTC).date()
        payment = pick.metadata_counts("payment_method")
        locale = pick.metadata_counts("locale")
        return {
            "sources": sources,
            "customers": customers,
            "money": {column: pick.money(column) for column in MONEY},
            "last_day": last_day,
            "rare_payment": payment[0][0],
            "payments": [payment[0][0], payment[1][0]],
            "rare_locale": locale[0][0],
        }


def cases(v: dict[str, Any]) -> list[tuple[str, str]]:
    """``(label, path)`` of every case."""
    s1, s2, s3 = v["sources"]
    c1, c2 = v["customers"]
    day = v["last_day"] - timedelta(days=200)
    today = date.today()
    rows: list[tuple[str, dict[str, dict[str, Any]], str]] = [
        ("status $in CANCELED, FULFILLED", {"status": {"$in": ["CANCELED", "FULFILLED"]}}, ""),
        ("status $not_in PAID", {"status": {"$not_in": ["PAID"]}}, ""),
        ("source_id $in 2 ids", {"source_id": {"$in": [s1, s2]}}, ""),
        ("source_id $is", {"source_id": {"$is": s3}}, ""),
        ("source_id $is_unknown", {"source_id": {"$is_unknown": ""}}, ""),
        ("source_id $contains rare", {"source_id": {"$contains": s1[-7:]}}, ""),
        ("source_id $contains common, spread", {"source_id": {"$contains": "555"}}, ""),
        # Source IDs grow with time: these are the oldest tenth of the orders, which the walk
        # of the newest first that PostgreSQL plans for a common match meets last.
        ("source_id $contains common, oldest tenth", {"source_id": {"$contains": s1[:6]}}, ""),
        ("source_id $contains miss", {"source_id": {"$contains": MISS}}, ""),
        ("source_id $starts_with rare", {"source_id": {"$starts_with": s2[:-1]}}, ""),
        ("source_id $starts_with common", {"source_id": {"$starts_with": s2[:5]}}, ""),
        ("source_id $starts_with miss", {"source_id": {"$starts_with": MISS}}, ""),
        ("source_id $ends_with rare", {"source_id": {"$ends_with": s3[-6:]}}, ""),
        ("source_id $ends_with common", {"source_id": {"$ends_with": s3[-2:]}}, ""),
        ("source_id $ends_with miss", {"source_id": {"$ends_with": MISS}}, ""),
        ("source_id $not_contain common", {"source_id": {"$not_contain": s1[:6]}}, ""),
        ("customer_id $in 2 ids", {"customer_id": {"$in": [c1, c2]}}, ""),
        ("customer_id $contains rare", {"customer_id": {"$contains": c1[-10:]}}, ""),
        ("customer_id $contains miss", {"customer_id": {"$contains": MISS}}, ""),
        ("customer_id $is_unknown", {"customer_id": {"$is_unknown": ""}}, ""),
    ]
    for column in MONEY:
        m = v["money"][column]
        rows += [
            (f"{column} $is rare", {column: {"$is": m["rare"]}}, ""),
            (f"{column} $more_than top 0.01 %", {column: {"$more_than": m["top"]}}, ""),
            (
                f"{column} range ~1 % of non-zero",
                {column: {"$more_than_equal": m["low"], "$less_than_equal": m["high"]}},
                "",
            ),
        ]
    rows += [
        ("created_at $after/$before a day",
         {"created_at": {"$after": day.isoformat(), "$before": day.isoformat()}}, ""),
        ("created_at $is_days_ago (a day of data)",
         {"created_at": {"$is_days_ago": (today - day).days}}, ""),
        ("created_at $less_than_ago 7", {"created_at": {"$less_than_ago": 7}}, ""),
        ("created_at $less_than_ago (last 30 days of data)",
         {"created_at": {"$less_than_ago": (today - v["last_day"]).days + 30}}, ""),
        ("created_at $more_than_ago 365", {"created_at": {"$more_than_ago": 365}}, ""),
        ("updated_at $after/$before a day",
         {"updated_at": {"$after": day.isoformat(), "$before": day.isoformat()}}, ""),
        ("metadata string $is rare",
         {"metadata.locale": {"$is": v["rare_locale"]}}, ""),
        ("metadata string $is common", {"metadata.channel": {"$is": "web"}}, ""),
        ("metadata string $is_not common", {"metadata.channel": {"$is_not": "web"}}, ""),
        ("metadata string $in 2 values", {"metadata.payment_method": {"$in": v["payments"]}}, ""),
        ("metadata string $contains rare",
         {"metadata.payment_method": {"$contains": v["rare_payment"][1:4]}}, ""),
        ("metadata string $contains common",
         {"metadata.payment_method": {"$contains": "pay"}}, ""),
        ("metadata string $contains a whole rare value",
         {"metadata.payment_method": {"$contains": v["rare_payment"]}}, ""),
        ("metadata string $contains miss", {"metadata.payment_method": {"$contains": MISS}}, ""),
        ("metadata string $starts_with common",
         {"metadata.payment_method": {"$starts_with": "v"}}, ""),
        ("metadata string $ends_with rare",
         {"metadata.payment_method": {"$ends_with": v["rare_payment"][-4:]}}, ""),
        ("metadata string $starts_with miss",
         {"metadata.payment_method": {"$starts_with": MISS}}, ""),
        ("metadata string $not_contain common",
         {"metadata.payment_method": {"$not_contain": "pay"}}, ""),
        ("metadata string $has_value (coupon)", {"metadata.coupon": {"$has_value": ""}}, ""),
        ("metadata string $is_unknown (coupon)", {"metadata.coupon": {"$is_unknown": ""}}, ""),
        # The seed writes string keys only: a number comparison can only be on a key the
        # schema does not define, which no order holds.
        ("metadata number $more_than (key not in the seed)",
         {"metadata.weight_kg": {"$more_than": 5}}, ""),
        ("junction and: status + amount top",
         {"status": {"$in": ["CANCELED"]}, "amount": {"$more_than": v["money"]["amount"]["top"]}},
         "and"),
        ("junction or: source_id $is + customer_id $in",
         {"source_id": {"$is": s1}, "customer_id": {"$in": [c2]}}, "or"),
    ]  # fmt: skip
    return [(label, filters_path(filters, junction)) for label, filters, junction in rows]


def explain(dsn: str, selected: list[Case]) -> None:
    """EXPLAIN ANALYZE of each case's slowest statement."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        for case in selected:
            timings = [
                (run_floor(conn, [sql]), sql)
                for sql in case.statements
                if sql.startswith(("SELECT", "WITH")) and "set_config" not in sql
            ]
            if not timings:
                continue
            ms, sql = max(timings)
            plan = conn.execute(("EXPLAIN (ANALYZE, BUFFERS) " + sql).encode()).fetchall()
            print(f"### {case.label}: slowest statement {ms:.1f} ms\n\n```\n{sql}\n")
            print("\n".join(row[0] for row in plan) + "\n```\n")


def main() -> None:
    args = parse_args()
    dsn = f"{args.server}/{args.database}"
    with tempfile.TemporaryDirectory() as static_root:
        # The rate limit stays on (its cache round trips are part of every request), high
        # enough for the benchmark's own requests.
        env = prepare(
            args,
            static_root,
            API_RATE_LIMIT_PER_MINUTE="1000000",
            CELERY_BROKER_URL=args.redis,
            CACHE_URL=args.redis,
        )
        app_id, token = manage(env, "shell", "-c", KEY_SNIPPET).strip().splitlines()[-1].split()
        headers = {"X-App-Id": app_id, "X-App-Token": token}
        values = pick_values(dsn)
        selected = [Case(label, path) for label, path in cases(values) if args.only in label]
        captured_env = {
            **env,
            "BENCH_HEADERS": json.dumps(headers),
            "BENCH_PATHS": json.dumps([case.path for case in selected]),
        }
        output = manage(captured_env, "shell", "-c", CAPTURE_SNIPPET)
        captured = json.loads(output.split("BENCH-JSON ", 1)[1])
        matches = {}
        for case, found in zip(selected, captured, strict=True):
            case.statements = found["sql"]
            matches[case.label] = found["matches"]
        if args.explain:
            explain(dsn, selected)
            return
        started = datetime.now(UTC)
        loads = measure(args, selected, env=env, http_headers=headers)
    report(args, selected, matches, loads, started)


def report(
    args: argparse.Namespace,
    selected: list[Case],
    matches: dict[str, int],
    loads: tuple[float, float],
    started: datetime,
) -> None:
    orders = order_count(args.server, args.database)
    print(
        f"Measured {started:%Y-%m-%d %H:%M} UTC on {platform.node()} ({os.cpu_count()} cores), "
        f"{args.database}: {orders:,} orders; gunicorn {args.workers} workers; with an API "
        f"key; N = {args.requests} requests of {PAGE} orders per case after {args.warmup} "
        "warm-up, every case and its floor interleaved request by request; 1-minute load "
        f"average {loads[0]:.2f} before, {loads[1]:.2f} after.\n"
    )
    print(
        "| Case | matches | queries | page p50 ms | page p95 ms | floor p50 ms | floor p95 ms "
        f"| ratio (p50) | p95 ≤ {TARGET_P95_MS:g} ms |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|:---:|")
    for case in selected:
        page, floor = statistics.median(case.page_ms), statistics.median(case.floor_ms)
        met = p95(case.page_ms) <= TARGET_P95_MS
        print(
            f"| {case.label} | {matches[case.label]:,} | {len(case.statements)} | {page:.1f} | "
            f"{p95(case.page_ms):.1f} | {floor:.1f} | {p95(case.floor_ms):.1f} | "
            f"{page / floor:.1f}× | {'yes' if met else '**no**'} |"
        )
    print("\nPaths:\n")
    for case in selected:
        print(f"- {case.label}: `{case.path}`")


if __name__ == "__main__":
    main()
