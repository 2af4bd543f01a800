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

``--case plain-copy`` instead times the cost of formatting the cells: all 1,000,000 orders with
the 12 standard fields other than ``metadata`` (``PLAIN_FIELDS``), ``--runs`` times, the three
figures interleaved in each run and their medians compared:

1. our export, run by one real Celery worker for all runs (export's own time, as above);
2. the plain COPY: ``COPY (SELECT <the same 12 raw columns> FROM … ORDER BY …) TO STDOUT``,
   the same query with no formatting at all (PostgreSQL's own text for each column), the floor;
3. our own COPY: the exporter's exact ``COPY (SELECT <the formatted cells> …)``, through psql.

Wall-clock times on a shared machine move with its load, so each run also measures CPU seconds,
which move far less: the worker process's own during the export, and the server backend's for
the plain and the own COPY, each streamed once more through psycopg and thrown away (read from
``/proc/<backend pid>/stat``, so only when the server runs on this machine).

    .venv/bin/python bench/exports.py --case plain-copy --runs 5
"""

import argparse
import os
import platform
import resource
import shutil
import statistics
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
# The standard fields but the whole-metadata JSON: ids, text, timestamps and amounts.
PLAIN_FIELDS = [field for field in FIELDS[:13] if field != "metadata"]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="campaign_hub_bench")
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--iex-all", action="store_true", help="import-export on all orders")
    parser.add_argument(
        "--case",
        choices=["standard", "plain-copy"],
        default="standard",
        help="plain-copy: 1M orders, 12 fields, against a COPY of the raw columns",
    )
    parser.add_argument("--runs", type=int, default=5, help="runs of the plain-copy case")
    return parser.parse_args()


def setup(args: argparse.Namespace, media: str, queue: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"{args.server}/{args.database}",
        CELERY_BROKER_URL=args.broker,
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


def start_worker(env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    """A Celery worker (``--pool=solo``) of its own, once it answers a ping."""
    from config.celery import app

    name = f"bench-{uuid.uuid4().hex[:6]}@localhost"
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo",
         "--without-gossip", "--without-mingle", "--loglevel=WARNING", "-n", name],
        cwd=ROOT, env=env,
    )  # fmt: skip
    while not app.control.ping(destination=[name], timeout=1.0):
        time.sleep(0.5)
    return worker, name


def stop_worker(worker: subprocess.Popen) -> int:
    """Stop the worker; its peak RSS in KiB."""
    worker.terminate()
    _, _, usage = os.wait4(worker.pid, 0)
    return usage.ru_maxrss


def export_once(fields: list[str], filters: dict) -> tuple[float, float, int]:
    """(export seconds, wall seconds, rows) of one export run by a running worker; the
    file is deleted afterwards."""
    from exports.models import Export
    from exports.services import schedule_export

    start = time.perf_counter()
    export = schedule_export(None, Export.Channel.API, fields=fields, filters=filters)
    while export.status not in (Export.Status.DONE, Export.Status.ERROR):
        time.sleep(0.2)
        export.refresh_from_db()
    wall = time.perf_counter() - start
    if export.status != Export.Status.DONE:
        sys.exit(f"export failed: {export.error}")
    export.file.delete(save=False)
    return export.duration_seconds or 0.0, wall, export.rows_done


def run_worker_export(env: dict[str, str], filters: dict) -> tuple[float, float, int, int]:
    """(export seconds, wall seconds, rows, worker peak RSS in KiB) of one export."""
    worker, _ = start_worker(env)
    export_s, wall, rows = export_once(FIELDS, filters)
    return export_s, wall, rows, stop_worker(worker)


def copy_statement(filters: dict, fields: list[str] = FIELDS) -> str:
    """Our exporter's exact ``COPY (SELECT …) TO STDOUT (FORMAT csv)``, parameters inlined."""
    from django.db import connection

    from exports.csv_writer import copy_sql
    from orders.filters import OrderFilter
    from orders.models import Order
    from orders.reference_filters import filters_query

    queryset = OrderFilter(filters_query(filters, "-created_at"), queryset=Order.objects.all()).qs
    sql, params = copy_sql(queryset, fields)
    with connection.cursor() as cursor:
        return cursor.mogrify(sql, params)


def plain_copy_statement(filters: dict, fields: list[str]) -> str:
    """The same query with the raw columns instead of the formatted cells: the floor."""
    from django.db import connection

    from orders.filters import OrderFilter
    from orders.models import Order
    from orders.reference_filters import filters_query

    queryset = OrderFilter(filters_query(filters, "-created_at"), queryset=Order.objects.all()).qs
    sql, params = queryset.values_list(*fields).query.sql_with_params()
    with connection.cursor() as cursor:
        return cursor.mogrify(f"COPY ({sql}) TO STDOUT (FORMAT csv)", params)


def run_psql(args: argparse.Namespace, statement: str, out: str) -> float:
    return run_psql_with_cpu(args, statement, out)[0]


def run_psql_with_cpu(args: argparse.Namespace, statement: str, out: str) -> tuple[float, float]:
    """(wall seconds, psql's own CPU seconds) of ``statement`` run by psql into ``out``."""
    start = time.perf_counter()
    with open(out, "wb") as handle:
        psql = subprocess.Popen(
            ["psql", "-X", "-q", f"{args.server}/{args.database}", "-c", statement], stdout=handle
        )
        _, status, usage = os.wait4(psql.pid, 0)
    if status:
        sys.exit(f"psql failed ({status})")
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime


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


def process_cpu(pid: int) -> float | None:
    """CPU seconds (user + system) a process of this machine has used, if it can be read."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def backend_cpu(args: argparse.Namespace, statement: str) -> float | None:
    """The server backend's CPU seconds for ``statement`` (a COPY … TO STDOUT), its rows read
    and thrown away; ``None`` when the server's processes are not on this machine."""
    import psycopg

    with psycopg.connect(f"{args.server}/{args.database}", autocommit=True) as connection:
        before = process_cpu(connection.info.backend_pid)
        with connection.cursor() as cursor, cursor.copy(statement) as copy:
            for _ in copy:
                pass
        after = process_cpu(connection.info.backend_pid)
    return None if before is None or after is None else after - before


def seconds(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f} s"


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def run_plain_copy(args: argparse.Namespace, env: dict[str, str], media: str) -> None:
    """Our export, the plain COPY and our own COPY, interleaved ``--runs`` times; medians."""
    print(f"Fields ({len(PLAIN_FIELDS)}): {', '.join(PLAIN_FIELDS)}; sort -created_at; all orders")
    plain_sql = plain_copy_statement({}, PLAIN_FIELDS)
    own_sql = copy_statement({}, PLAIN_FIELDS)
    print(f"Plain COPY: {plain_sql}\nOwn COPY: {own_sql}")
    print(f"Load average before: {load_average()}", flush=True)
    worker, _ = start_worker(env)
    times: dict[str, list[float]] = {"export": [], "plain": [], "own": []}
    cpu: dict[str, list[float]] = {
        "worker": [],
        "plain psql": [],
        "plain backend": [],
        "own backend": [],
    }
    rows = 0
    try:
        for run in range(1, args.runs + 1):
            worker_before = process_cpu(worker.pid)
            export_s, _wall, rows = export_once(PLAIN_FIELDS, {})
            worker_after = process_cpu(worker.pid)
            plain_s, plain_psql_cpu = run_psql_with_cpu(args, plain_sql, f"{media}/plain.csv")
            own_s = run_psql(args, own_sql, f"{media}/own.csv")
            for key, value in (("export", export_s), ("plain", plain_s), ("own", own_s)):
                times[key].append(value)
            measured = {
                "worker": None if worker_before is None else worker_after - worker_before,
                "plain psql": plain_psql_cpu,
                "plain backend": backend_cpu(args, plain_sql),
                "own backend": backend_cpu(args, own_sql),
            }
            for key, value in measured.items():
                if value is not None:
                    cpu[key].append(value)
            print(
                f"run {run}: export {export_s:.2f} s, plain COPY {plain_s:.2f} s, "
                f"own COPY {own_s:.2f} s ({export_s / plain_s:.2f}× plain, "
                f"{export_s / own_s:.2f}× own); CPU: worker {seconds(measured['worker'])}, "
                f"psql (plain) {seconds(measured['plain psql'])}, "
                f"backend plain {seconds(measured['plain backend'])}, "
                f"own {seconds(measured['own backend'])}; load {load_average()}",
                flush=True,
            )
    finally:
        stop_worker(worker)
    export_m, plain_m, own_m = (statistics.median(times[key]) for key in ("export", "plain", "own"))
    print(f"Load average after: {load_average()}")
    print(f"\n| 1,000,000 orders, {len(PLAIN_FIELDS)} fields, median of {args.runs} | Time | "
          "Our export ÷ it |")  # fmt: skip
    print("|---|---:|---:|")
    print(f"| Our export (worker, {rows:,} rows) | {export_m:.2f} s | 1.00× |")
    print(f"| Our own COPY (formatted cells, psql) | {own_m:.2f} s | {export_m / own_m:.2f}× |")
    print(f"| Plain COPY of the raw columns (psql) | {plain_m:.2f} s | {export_m / plain_m:.2f}× |")
    print(f"\nOwn COPY ÷ plain COPY: {own_m / plain_m:.2f}×")
    if cpu["plain backend"] and cpu["own backend"] and cpu["worker"]:
        worker_cpu, psql_cpu, plain_cpu, own_cpu = (
            statistics.median(cpu[key])
            for key in ("worker", "plain psql", "plain backend", "own backend")
        )
        print(
            f"CPU seconds, medians: the server backend {own_cpu:.2f} s for the own COPY, "
            f"{plain_cpu:.2f} s for the plain one ({own_cpu / plain_cpu:.2f}×); the worker "
            f"{worker_cpu:.2f} s per export, psql {psql_cpu:.2f} s per plain COPY; "
            f"worker + own backend ÷ psql + plain backend: "
            f"{(worker_cpu + own_cpu) / (psql_cpu + plain_cpu):.2f}×"
        )


def main() -> None:
    args = parse_args()
    media = tempfile.mkdtemp(prefix="bench-exports-")
    env = setup(args, media, f"bench_exports_{uuid.uuid4().hex[:6]}")
    python = platform.python_version()
    print(f"Machine: {os.cpu_count()} cores, {platform.platform()}, Python {python}")
    if args.case == "plain-copy":
        run_plain_copy(args, env, media)
        shutil.rmtree(media, ignore_errors=True)
        return
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
