"""Benchmark ``manage.py import_orders`` on the local PostgreSQL.

Recreates a scratch database (``campaign_hub_import_bench`` unless told otherwise), writes
files of N orders (3 items each on average, JSONL and CSV), then times, each in a fresh
process with its peak RSS (``ru_maxrss`` from ``os.wait4``):

1. ``import_orders`` of the JSONL file into empty tables, then again (unchanged);
2. ``import_orders`` of the CSV file into empty tables;
3. the same rows loaded with raw ``COPY`` into staging tables + one upsert per table (the
   floor: ids and totals precomputed, no validation);
4. django-import-export (``use_bulk``, ``batch_size=1000``, ``skip_diff``) on the first
   ``--iie-orders`` orders only (order rows, no items: its ModelResource cannot nest them),
   next to ``import_orders`` of the same orders' JSONL;
5. ``import_orders`` of a file a tenth the size, for memory against file size.

    .venv/bin/python bench/import_orders.py --orders 200000

Never point it at a database you care about: it is dropped first.
"""

import argparse
import csv
import json
import os
import platform
import random
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
STATUSES = ("PAID", "PAID", "FULFILLED", "CREATED", "CANCELED")
TRUNCATE = (
    "TRUNCATE orders_orderevent, orders_orderitem, orders_order, orders_sku, orders_product, "
    "customers_customer"
)
CSV_HEADER = [
    "source_id",
    "status",
    "created_at",
    "discount_amount",
    "customer_source_id",
    "customer_name",
    "item_product_source_id",
    "item_quantity",
    "item_price",
    "metadata.channel",
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--iie-orders", type=int, default=20_000)
    parser.add_argument(
        "--server",
        default=os.environ.get("BENCH_SERVER_URL", "postgres://postgres@127.0.0.1:5432"),
    )
    parser.add_argument("--database", default="campaign_hub_import_bench")
    parser.add_argument("--workdir", type=Path, default=ROOT / "var" / "bench_import")
    return parser.parse_args()


def orders(count: int, seed: int = 1):
    """Deterministic orders in the reference payload shape; 1–5 items, 3 on average."""
    rng = random.Random(seed)
    start = datetime(2023, 1, 1, tzinfo=UTC)
    for number in range(count):
        items = [
            {
                "product_id": f"prod-{rng.randrange(5000)}",
                "quantity": rng.randint(1, 4),
                "price": rng.randrange(100, 20000),
            }
            for _ in range(rng.randint(1, 5))
        ]
        yield {
            "source_id": f"bench-{number}",
            "status": rng.choice(STATUSES),
            "created_at": (start + timedelta(minutes=number)).isoformat(),
            "discount_amount": rng.choice((0, 0, 100)),
            "customer": {"source_id": f"cust-{rng.randrange(count // 5 + 1)}", "name": "Bench"},
            "items": items,
            "metadata": {"channel": rng.choice(("web", "shop"))},
        }


def write_files(workdir: Path, count: int, stem: str) -> tuple[Path, Path, int]:
    workdir.mkdir(parents=True, exist_ok=True)
    jsonl, csv_path, items = workdir / f"{stem}.jsonl", workdir / f"{stem}.csv", 0
    with jsonl.open("w") as j, csv_path.open("w", newline="") as c:
        writer = csv.writer(c)
        writer.writerow(CSV_HEADER)
        for order in orders(count):
            j.write(json.dumps(order) + "\n")
            for item in order["items"]:
                items += 1
                writer.writerow(
                    [
                        order["source_id"],
                        order["status"],
                        order["created_at"],
                        order["discount_amount"],
                        order["customer"]["source_id"],
                        order["customer"]["name"],
                        item["product_id"],
                        item["quantity"],
                        item["price"],
                        order["metadata"]["channel"],
                    ]
                )
    return jsonl, csv_path, items


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Seconds, peak RSS (MiB) and stdout of a child process."""
    started = time.monotonic()
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    output = process.stdout.read() if process.stdout else ""
    _, status, usage = os.wait4(process.pid, 0)
    if status:
        raise SystemExit(f"{command} failed: {output}")
    return time.monotonic() - started, usage.ru_maxrss / 1024, output.strip()


RAW_LOAD = r'''
import sys, json, psycopg
from core.ids import new_order_id, new_customer_id, new_product_id
path, url = sys.argv[1], sys.argv[2]
with psycopg.connect(url) as conn, conn.cursor() as cur:
    cur.execute("""CREATE TEMP TABLE so (id text, source_id text, status text, amount bigint,
        discount_amount bigint, items_discount_amount bigint, total_discount_amount bigint,
        total_amount bigint, items_count bigint, customer_source text, metadata jsonb,
        created_at timestamptz);
        CREATE TEMP TABLE si (order_source text, position int, product_source text,
        quantity bigint, price bigint, amount bigint)""")
    customers, products = set(), set()
    with cur.copy("COPY so FROM STDIN") as so_copy, open(path) as handle:
        items = []
        for line in handle:
            o = json.loads(line)
            amount = sum(i["quantity"] * i["price"] for i in o["items"])
            so_copy.write_row((new_order_id(), o["source_id"], o["status"], amount,
                o["discount_amount"], 0, o["discount_amount"], amount - o["discount_amount"],
                sum(i["quantity"] for i in o["items"]), o["customer"]["source_id"],
                json.dumps(o["metadata"]), o["created_at"]))
            customers.add(o["customer"]["source_id"])
            for n, i in enumerate(o["items"]):
                products.add(i["product_id"])
                items.append((o["source_id"], n, i["product_id"], i["quantity"], i["price"],
                              i["quantity"] * i["price"]))
    with cur.copy("COPY si FROM STDIN") as si_copy:
        for row in items:
            si_copy.write_row(row)
    with cur.copy(
        "COPY customers_customer (id, source_id, name, email, phone, description, "
        "address_line_1, address_line_2, city, state, postal_code, country, metadata, "
        "created_at, updated_at, orders_total_amount, orders_total_count) FROM STDIN"
    ) as c:
        for s in customers:
            c.write_row((new_customer_id(), s, "Bench", *[""] * 9, "{}", "2024-01-01",
                         "2024-01-01", 0, 0))
    with cur.copy(
        "COPY orders_product (id, source_id, name, metadata, created_at, updated_at) "
        "FROM STDIN"
    ) as c:
        for s in products:
            c.write_row((new_product_id(), s, s, "{}", "2024-01-01", "2024-01-01"))
    cur.execute("""INSERT INTO orders_order (id, source_id, status, amount, initial_amount,
        discount_amount, items_discount_amount, total_discount_amount, total_amount,
        items_count, customer_id, metadata, created_at, updated_at, version)
        SELECT so.id, so.source_id, status, amount, amount, discount_amount, 0,
        total_discount_amount, total_amount, items_count, c.id, so.metadata, so.created_at,
        now(), 1 FROM so JOIN customers_customer c ON c.source_id = so.customer_source
        ON CONFLICT (source_id) DO UPDATE SET status = EXCLUDED.status
        WHERE orders_order.status IS DISTINCT FROM EXCLUDED.status""")
    cur.execute("""INSERT INTO orders_orderitem (order_id, position, related_object,
        product_id, source_id, quantity, price, amount, discount_amount, subtotal_amount,
        metadata) SELECT o.id, si.position, 'product', p.id, si.product_source, si.quantity,
        si.price, si.amount, 0, si.amount, '{}' FROM si
        JOIN orders_order o ON o.source_id = si.order_source
        JOIN orders_product p ON p.source_id = si.product_source""")
'''

IIE_LOAD = r"""
import sys, django
django.setup()
from import_export import resources
from tablib import Dataset
from orders.models import Order

class BulkOrderResource(resources.ModelResource):
    class Meta:
        model = Order
        fields = ("source_id", "status", "amount", "discount_amount", "total_amount",
                  "metadata", "created_at")
        import_id_fields = ("source_id",)
        use_bulk = True
        batch_size = 1000
        skip_diff = True
        use_transactions = True

data = Dataset().load(open(sys.argv[1]).read(), format="csv")
result = BulkOrderResource().import_data(data, raise_errors=True)
print(result.totals)
"""


def main() -> None:
    args = parse_args()
    url = f"{args.server}/{args.database}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings"}
    with psycopg.connect(f"{args.server}/postgres", autocommit=True) as conn:
        name = sql.Identifier(args.database)
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(name))
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)

    def truncate() -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(TRUNCATE)

    command = [PYTHON, "manage.py", "import_orders"]
    started = time.monotonic()
    jsonl, csv_path, items = write_files(args.workdir, args.orders, "orders")
    small_jsonl, _, _ = write_files(args.workdir, args.orders // 10, "small")
    iie_jsonl, _, _ = write_files(args.workdir, args.iie_orders, "iie")
    iie_csv = args.workdir / "iie_orders.csv"
    with iie_csv.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "source_id",
                "status",
                "amount",
                "discount_amount",
                "total_amount",
                "metadata",
                "created_at",
            ]
        )
        for order in orders(args.iie_orders):
            amount = sum(i["quantity"] * i["price"] for i in order["items"])
            writer.writerow(
                [
                    order["source_id"],
                    order["status"],
                    amount,
                    order["discount_amount"],
                    amount - order["discount_amount"],
                    json.dumps(order["metadata"]),
                    order["created_at"][:19].replace("T", " "),
                ]
            )
    generated = time.monotonic() - started
    results = []
    first = timed([*command, str(jsonl)], env)
    results.append(("import_orders JSONL, empty tables", args.orders, *first))
    again = timed([*command, str(jsonl)], env)
    results.append(("import_orders JSONL again (unchanged)", args.orders, *again))
    truncate()
    results.append(
        ("import_orders CSV, empty tables", args.orders, *timed([*command, str(csv_path)], env))
    )
    truncate()
    results.append(
        (
            "raw COPY + one upsert (JSONL)",
            args.orders,
            *timed([PYTHON, "-c", RAW_LOAD, str(jsonl), url], env),
        )
    )
    truncate()
    results.append(
        (
            "import_orders JSONL, 1/10 file",
            args.orders // 10,
            *timed([*command, str(small_jsonl)], env),
        )
    )
    truncate()
    results.append(
        (
            f"import_orders JSONL, {args.iie_orders:,} orders",
            args.iie_orders,
            *timed([*command, str(iie_jsonl)], env),
        )
    )
    truncate()
    results.append(
        (
            f"django-import-export bulk, {args.iie_orders:,} orders (no items)",
            args.iie_orders,
            *timed([PYTHON, "-c", IIE_LOAD, str(iie_csv)], env),
        )
    )

    print(
        f"\n{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.node()}, "
        f"{os.cpu_count()} CPUs, PostgreSQL at {args.server}; {args.orders:,} orders, "
        f"{items:,} items; files generated in {generated:.0f} s\n"
    )
    print("| Case | Orders | Time | Orders/s | Peak RSS | Output |")
    print("|---|---:|---:|---:|---:|---|")
    for label, count, seconds, rss, output in results:
        print(
            f"| {label} | {count:,} | {seconds:.1f} s | {count / seconds:,.0f} | "
            f"{rss:.0f} MiB | {output.splitlines()[-1] if output else ''} |"
        )


if __name__ == "__main__":
    main()
