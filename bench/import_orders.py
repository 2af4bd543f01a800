"""Benchmark ``manage.py import_orders`` on the local PostgreSQL.

Recreates a scratch database (``campaign_hub_import_bench`` unless told otherwise), writes
files of N orders (3 items each on average, JSONL and CSV), then times, each in a fresh
process with its peak RSS (``ru_maxrss`` from ``os.wait4``):

1. ``import_orders`` of the JSONL file into empty tables, then again (unchanged);
2. the same rows loaded with raw ``COPY`` into staging tables + one upsert per table (the
   floor: ids and totals precomputed, no validation, no events);
3. ``import_orders`` of the CSV file into empty tables;
4. ``import_orders`` of a file a tenth the size, for memory against file size;
5. django-import-export on the first ``--iie-orders`` orders (default 20,000), the same
   orders with their items: four bulk ``ModelResource`` imports timed together in one
   process (customers, products, orders, items; ``use_bulk``, ``batch_size=1000``,
   ``skip_diff``, ``CachedInstanceLoader`` by source_id, ``CachedForeignKeyWidget`` for the
   foreign keys, ``force_init_instance`` for the items, which have no key of their own),
   between two runs of ``import_orders`` on the same orders' JSONL.

    .venv/bin/python bench/import_orders.py --orders 200000
    .venv/bin/python bench/import_orders.py --orders 1000000 --cases jsonl,raw

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
    parser.add_argument(
        "--cases",
        default="jsonl,again,raw,csv,small,iie",
        help="which cases to run (comma-separated; default all): jsonl, again (needs jsonl), "
        "raw, csv, small, iie",
    )
    parser.add_argument(
        "--tracked-channel",
        action="store_true",
        help="define metadata.channel in the order schema first, so the insights statistics "
        "count its values as the orders are written (their cost to an import)",
    )
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
import sys, time, django
django.setup()
from django.db import connection
from import_export import fields, resources, widgets
from import_export.instance_loaders import CachedInstanceLoader
from tablib import Dataset
from catalog.models import Product
from customers.models import Customer
from orders.models import Order, OrderItem


class Bulk:
    # django-import-export's bulk mode at its best: bulk_create in batches, no diffs, one
    # query to find existing rows by source_id (CachedInstanceLoader), and foreign keys
    # resolved from one cached query per table (CachedForeignKeyWidget).
    use_bulk = True
    batch_size = 1000
    skip_diff = True
    skip_html_diff = True
    use_transactions = True
    clean_model_instances = False


class CustomerResource(resources.ModelResource):
    class Meta(Bulk):
        model = Customer
        fields = ("source_id", "name")
        import_id_fields = ("source_id",)
        instance_loader_class = CachedInstanceLoader


class ProductResource(resources.ModelResource):
    class Meta(Bulk):
        model = Product
        fields = ("source_id", "name")
        import_id_fields = ("source_id",)
        instance_loader_class = CachedInstanceLoader


class OrderResource(resources.ModelResource):
    customer = fields.Field(
        attribute="customer",
        column_name="customer",
        widget=widgets.CachedForeignKeyWidget(Customer, field="source_id"),
    )

    class Meta(Bulk):
        model = Order
        fields = ("source_id", "status", "amount", "initial_amount", "discount_amount",
                  "total_discount_amount", "total_amount", "items_count", "customer",
                  "metadata", "created_at")
        import_id_fields = ("source_id",)
        instance_loader_class = CachedInstanceLoader


class ItemResource(resources.ModelResource):
    order = fields.Field(
        attribute="order",
        column_name="order",
        widget=widgets.CachedForeignKeyWidget(Order, field="source_id"),
    )
    product = fields.Field(
        attribute="product",
        column_name="product",
        widget=widgets.CachedForeignKeyWidget(Product, field="source_id"),
    )

    class Meta(Bulk):
        model = OrderItem
        fields = ("order", "position", "related_object", "product", "source_id", "quantity",
                  "price", "amount", "discount_amount", "subtotal_amount")
        # Lines have no key of their own: every row is new (no lookup at all).
        force_init_instance = True


folder = sys.argv[1]
totals = []
for name, resource in (("customers", CustomerResource), ("products", ProductResource),
                       ("orders", OrderResource), ("items", ItemResource)):
    started = time.monotonic()
    data = Dataset().load(open(f"{folder}/iie_{name}.csv").read(), format="csv")
    result = resource().import_data(data, raise_errors=True)
    totals.append(f"{name} {result.totals['new']} new in {time.monotonic() - started:.1f} s")
with connection.cursor() as cursor:
    cursor.execute("SELECT count(*) FROM orders_order")
    orders = cursor.fetchone()[0]
    cursor.execute("SELECT count(*) FROM orders_orderitem")
    items = cursor.fetchone()[0]
print(f"{'; '.join(totals)}; stored {orders} orders, {items} items")
"""


def write_iie_files(workdir: Path, count: int) -> None:
    """The same orders as four CSV files, one per django-import-export resource: customers,
    products, orders (totals precomputed: a ModelResource computes nothing) and items."""
    customers: dict[str, str] = {}
    products: dict[str, str] = {}
    with (
        (workdir / "iie_orders.csv").open("w", newline="") as orders_file,
        (workdir / "iie_items.csv").open("w", newline="") as items_file,
    ):
        order_writer, item_writer = csv.writer(orders_file), csv.writer(items_file)
        order_writer.writerow(
            [
                "source_id",
                "status",
                "amount",
                "initial_amount",
                "discount_amount",
                "total_discount_amount",
                "total_amount",
                "items_count",
                "customer",
                "metadata",
                "created_at",
            ]
        )
        item_writer.writerow(
            [
                "order",
                "position",
                "related_object",
                "product",
                "source_id",
                "quantity",
                "price",
                "amount",
                "discount_amount",
                "subtotal_amount",
            ]
        )
        for order in orders(count):
            amount = sum(i["quantity"] * i["price"] for i in order["items"])
            customers.setdefault(order["customer"]["source_id"], order["customer"]["name"])
            order_writer.writerow(
                [
                    order["source_id"],
                    order["status"],
                    amount,
                    amount,
                    order["discount_amount"],
                    order["discount_amount"],
                    amount - order["discount_amount"],
                    sum(i["quantity"] for i in order["items"]),
                    order["customer"]["source_id"],
                    json.dumps(order["metadata"]),
                    order["created_at"][:19].replace("T", " "),
                ]
            )
            for position, item in enumerate(order["items"]):
                products.setdefault(item["product_id"], item["product_id"])
                line = item["quantity"] * item["price"]
                item_writer.writerow(
                    [
                        order["source_id"],
                        position,
                        "product",
                        item["product_id"],
                        item["product_id"],
                        item["quantity"],
                        item["price"],
                        line,
                        0,
                        line,
                    ]
                )
    for name, rows in (("customers", customers), ("products", products)):
        with (workdir / f"iie_{name}.csv").open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["source_id", "name"])
            writer.writerows(rows.items())


TRACK_CHANNEL = """
from insights.services import track_metadata_keys
from metadata.models import MetadataProperty, MetadataSchema
schema, _ = MetadataSchema.objects.get_or_create(related_object="order")
MetadataProperty.objects.create(schema=schema, name="channel", type="string", optional=True)
assert track_metadata_keys().added == ["channel"]
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
    if args.tracked_channel:
        subprocess.run(
            [PYTHON, "manage.py", "shell", "-c", TRACK_CHANNEL], cwd=ROOT, env=env, check=True
        )

    def truncate() -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(TRUNCATE)

    command = [PYTHON, "manage.py", "import_orders"]
    cases = set(args.cases.split(","))
    started = time.monotonic()
    jsonl, csv_path, items = write_files(args.workdir, args.orders, "orders")
    if "small" in cases:
        small_jsonl, _, _ = write_files(args.workdir, args.orders // 10, "small")
    if "iie" in cases:
        iie_jsonl, _, _ = write_files(args.workdir, args.iie_orders, "iie")
        write_iie_files(args.workdir, args.iie_orders)
    generated = time.monotonic() - started
    results = []
    if "jsonl" in cases:
        first = timed([*command, str(jsonl)], env)
        results.append(("import_orders JSONL, empty tables", args.orders, *first))
    if "again" in cases:
        again = timed([*command, str(jsonl)], env)
        results.append(("import_orders JSONL again (unchanged)", args.orders, *again))
    if "raw" in cases:
        truncate()
        raw = timed([PYTHON, "-c", RAW_LOAD, str(jsonl), url], env)
        results.append(("raw COPY + one upsert (JSONL)", args.orders, *raw))
    if "csv" in cases:
        truncate()
        csv_run = timed([*command, str(csv_path)], env)
        results.append(("import_orders CSV, empty tables", args.orders, *csv_run))
    if "small" in cases:
        truncate()
        small = timed([*command, str(small_jsonl)], env)
        results.append(("import_orders JSONL, 1/10 file", args.orders // 10, *small))
    if "iie" in cases:
        # Side by side on the same orders: import_orders, django-import-export, and
        # import_orders again (the machine may be shared: two runs show the noise).
        for run in (1, 2):
            truncate()
            ours = timed([*command, str(iie_jsonl)], env)
            results.append(
                (f"import_orders JSONL, {args.iie_orders:,} orders (run {run})", args.iie_orders)
                + ours
            )
            if run == 1:
                truncate()
                iie = timed([PYTHON, "-c", IIE_LOAD, str(args.workdir)], env)
                results.append(
                    (
                        f"django-import-export bulk, {args.iie_orders:,} orders with their items",
                        args.iie_orders,
                        *iie,
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
