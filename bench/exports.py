"""Benchmark the orders export at a million orders against raw COPY and django-import-export.

Uses the ``campaign_hub_bench`` database that ``bench/seed_demo.py`` loads (migrated here,
never dropped). Exports 13 standard fields and 2 ``metadata.<key>`` fields:

1. our export, run by a real Celery worker (``--pool=solo``, a fresh process per case) on
   Redis, for the CANCELED orders (about 100,000) and for all 1,000,000; the time is the
   export's own (``finished_at - started_at``, what a user waits once a worker takes it)
   and the worker's peak RSS comes from ``os.wait4``;
2. ``psql -c "COPY (<the same SELECT, same formatting>) TO STDOUT CSV"`` into a file;
3. django-import-export's ``Resource.export()`` of the same fields, on the ~100,000 CANCELED
   orders only (``--iex-all`` for all of them: it takes minutes and GBs).

    .venv/bin/python bench/exports.py
"""

import argparse
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
FIELDS = [
    "id",
    "source_id",
    "created_at",
    "updated_at",
    "status",
    "amount",
    "discount_amount",
    "items_discount_amount",
    "total_discount_amount",
    "total_amount",
    "customer_id",
    "referrer_id",
    "metadata",
    "metadata.payment_method",
    "metadata.channel",
]
CASES = {"100k (CANCELED)": {"status": ["CANCELED"]}, "1M (all)": {}}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="campaign_hub_bench")
    parser.add_argument("--iex-all", action="store_true", help="import-export on all orders")
    return parser.parse_args()


def setup(args: argparse.Namespace, media: str, queue: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"{args.server}/{args.database}",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
        CELERY_QUEUE=queue,
        MEDIA_ROOT=media,
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    os.environ.update(env)
    import django

    django.setup()
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    return env


def run_worker_export(env: dict[str, str], filters: dict) -> tuple[float, float, int, int]:
    """(export seconds, wall seconds, rows, worker peak RSS in KiB) of one export."""
    from config.celery import app
    from exports.models import Export
    from exports.services import schedule_export

    name = f"bench-{uuid.uuid4().hex[:6]}@localhost"
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo",
         "--without-gossip", "--without-mingle", "--loglevel=WARNING", "-n", name],
        cwd=ROOT, env=env,
    )  # fmt: skip
    while not app.control.ping(destination=[name], timeout=1.0):
        time.sleep(0.5)
    start = time.perf_counter()
    export = schedule_export(None, Export.Channel.API, fields=FIELDS, filters=filters)
    while export.status not in (Export.Status.DONE, Export.Status.ERROR):
        time.sleep(0.2)
        export.refresh_from_db()
    wall = time.perf_counter() - start
    if export.status != Export.Status.DONE:
        sys.exit(f"export failed: {export.error}")
    worker.terminate()
    _, _, usage = os.wait4(worker.pid, 0)
    return export.duration_seconds or 0.0, wall, export.rows_done, usage.ru_maxrss


def copy_statement(filters: dict) -> str:
    """Our exporter's exact ``COPY (SELECT …) TO STDOUT (FORMAT csv)``, parameters inlined."""
    from django.db import connection

    from exports.csv_writer import copy_sql
    from orders.filters import OrderFilter
    from orders.models import Order
    from orders.reference_filters import filters_query

    queryset = OrderFilter(filters_query(filters, "-created_at"), queryset=Order.objects.all()).qs
    sql, params = copy_sql(queryset, FIELDS)
    with connection.cursor() as cursor:
        return cursor.mogrify(sql, params)


def run_psql(args: argparse.Namespace, statement: str, out: str) -> float:
    start = time.perf_counter()
    with open(out, "wb") as handle:
        subprocess.run(
            ["psql", "-X", "-q", f"{args.server}/{args.database}", "-c", statement],
            stdout=handle,
            check=True,
        )
    return time.perf_counter() - start


def run_import_export(filters: dict) -> tuple[float, int, int]:
    """(seconds, rows, peak RSS KiB of this process) of ``Resource.export()``."""
    from import_export import fields, resources

    from orders.filters import OrderFilter
    from orders.models import Order
    from orders.reference_filters import filters_query

    class OrderExportResource(resources.ModelResource):
        customer_id = fields.Field(attribute="customer_id", column_name="customer_id")
        referrer_id = fields.Field(attribute="referrer_id", column_name="referrer_id")
        payment_method = fields.Field(column_name="metadata.payment_method")
        channel = fields.Field(column_name="metadata.channel")

        class Meta:
            model = Order
            fields = (*FIELDS[:13], "payment_method", "channel")

        def dehydrate_payment_method(self, order: Order) -> object:
            return order.metadata.get("payment_method")

        def dehydrate_channel(self, order: Order) -> object:
            return order.metadata.get("channel")

    queryset = OrderFilter(filters_query(filters, "-created_at"), queryset=Order.objects.all()).qs
    start = time.perf_counter()
    dataset = OrderExportResource().export(queryset=queryset)
    text = dataset.csv
    seconds = time.perf_counter() - start
    assert text
    return seconds, len(dataset), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main() -> None:
    args = parse_args()
    media = tempfile.mkdtemp(prefix="bench-exports-")
    env = setup(args, media, f"bench_exports_{uuid.uuid4().hex[:6]}")
    python = platform.python_version()
    print(f"Machine: {os.cpu_count()} cores, {platform.platform()}, Python {python}")
    results = {}
    for label, filters in CASES.items():
        export_s, wall_s, rows, rss = run_worker_export(env, filters)
        copy_s = run_psql(args, copy_statement(filters), f"{media}/psql.csv")
        results[label] = (export_s, wall_s, rows, rss, copy_s)
        print(
            f"{label}: export {export_s:.2f} s (wall {wall_s:.2f} s), {rows:,} rows, "
            f"worker peak RSS {rss / 1024:.0f} MiB; psql COPY {copy_s:.2f} s",
            flush=True,
        )
    iex_filters = {} if args.iex_all else CASES["100k (CANCELED)"]
    iex_s, iex_rows, iex_rss = run_import_export(iex_filters)
    print(
        f"django-import-export: {iex_s:.2f} s for {iex_rows:,} rows, "
        f"peak RSS {iex_rss / 1024:.0f} MiB"
    )

    print("\n| Case | Rows | Our export (worker) | psql COPY | Ratio | Worker peak RSS |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, (export_s, _wall, rows, rss, copy_s) in results.items():
        print(f"| {label} | {rows:,} | {export_s:.2f} s | {copy_s:.2f} s | "
              f"{export_s / copy_s:.2f}× | {rss / 1024:.0f} MiB |")  # fmt: skip
    small, big = results["100k (CANCELED)"], results["1M (all)"]
    print(f"\nRSS 1M / 100k: {big[3] / small[3]:.2f}×")
    print(f"import-export on {iex_rows:,} rows: {iex_s:.2f} s vs our {small[0]:.2f} s on "
          f"{small[2]:,} rows: {iex_s / small[0]:.1f}× slower")  # fmt: skip


if __name__ == "__main__":
    main()
