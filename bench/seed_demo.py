"""Benchmark ``manage.py seed_demo`` on the local PostgreSQL.

Drops and recreates a scratch database (``campaign_hub_bench`` unless told otherwise),
migrates it, runs ``seed_demo`` with a fixed seed and end date in a subprocess, and reports
wall-clock seconds, orders per second, the seeding process's peak RSS and the table sizes, as
Markdown ready for ``docs/benchmarks.md``.

    .venv/bin/python bench/seed_demo.py --orders 1000000 --customers 200000

Never point it at a database you care about: it is dropped first.
"""

import argparse
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
TABLES = (
    "orders_order",
    "orders_orderitem",
    "orders_orderevent",
    "customers_customer",
    "orders_product",
    "orders_sku",
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--until", default="2026-01-01", help="Fixed, so every run loads the same data."
    )
    parser.add_argument("--chunk-size", type=int, default=None, help="seed_demo's default.")
    parser.add_argument(
        "--server",
        default=os.environ.get("BENCH_SERVER_URL", "postgres://postgres@127.0.0.1:5432"),
        help="PostgreSQL server URL without a database name.",
    )
    parser.add_argument("--database", default="campaign_hub_bench")
    return parser.parse_args()


def recreate_database(server: str, name: str) -> None:
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        database = sql.Identifier(name)
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(database))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(database))


def run_measured(command: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Run ``command``; return its wall-clock seconds and peak RSS in KiB.

    ``os.wait4`` gives the rusage of exactly this child; ``RUSAGE_CHILDREN`` would also count
    the earlier ``migrate`` process if it were the larger one.
    """
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        sys.exit(f"{' '.join(command)} failed with exit code {process.returncode}")
    return seconds, usage.ru_maxrss


def table_sizes(server: str, name: str) -> list[tuple[str, int, int, int, int]]:
    """(table, rows, heap bytes, index bytes, total bytes) for each demo table."""
    rows = []
    with psycopg.connect(f"{server}/{name}") as conn:
        for table in TABLES:
            count = conn.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
            ).fetchone()[0]
            heap, indexes, total = conn.execute(
                "SELECT pg_table_size(%s), pg_indexes_size(%s), pg_total_relation_size(%s)",
                (table, table, table),
            ).fetchone()
            rows.append((table, count, heap, indexes, total))
    return rows


def server_version(server: str) -> str:
    with psycopg.connect(f"{server}/postgres") as conn:
        return conn.execute("SHOW server_version").fetchone()[0]


def memory_gib() -> float:
    pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    return pages / 2**30


def mib(size: int) -> str:
    return f"{size / 2**20:,.0f} MiB"


def main() -> None:
    args = parse_args()
    env = {**os.environ, "DATABASE_URL": f"{args.server}/{args.database}"}
    python = sys.executable

    print(f"Recreating {args.database} and migrating it...", flush=True)
    recreate_database(args.server, args.database)
    migrate = [python, "manage.py", "migrate", "--noinput", "-v0"]
    subprocess.run(migrate, cwd=ROOT, env=env, check=True)

    seed_command = [
        python, "manage.py", "seed_demo", "--orders", str(args.orders),
        "--customers", str(args.customers), "--seed", str(args.seed), "--until", args.until,
    ]  # fmt: skip
    if args.chunk_size:
        seed_command += ["--chunk-size", str(args.chunk_size)]
    print(f"Running: {' '.join(seed_command[1:])}", flush=True)
    # Other work on the machine slows the run down; the load average says how much there was.
    load_before = os.getloadavg()[0]
    seconds, peak_kib = run_measured(seed_command, env)
    load_after = os.getloadavg()[0]
    sizes = table_sizes(args.server, args.database)

    print()
    print(f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(
        f"- Machine: {os.cpu_count()} cores, {memory_gib():.0f} GiB RAM, "
        f"{platform.system()} {platform.release()}; PostgreSQL {server_version(args.server)} "
        f"on {args.server.rsplit('@', 1)[-1]}; Python {platform.python_version()}"
    )
    print(f"- Command: `{' '.join(['.venv/bin/python', 'bench/seed_demo.py', *sys.argv[1:]])}`")
    print(f"- Seeding: `{' '.join(['manage.py', *seed_command[2:]])}`")
    print(f"- Load average (1 min) before / after the run: {load_before:.2f} / {load_after:.2f}")
    print()
    print("| Measure | Value |")
    print("|---|---|")
    print(f"| Wall-clock time of seed_demo | {seconds:,.1f} s |")
    print(f"| Orders per second | {args.orders / seconds:,.0f} |")
    print(f"| Peak RSS of the seeding process | {peak_kib / 1024:,.0f} MiB |")
    print()
    print("| Table | Rows | Heap | Indexes | Total |")
    print("|---|---:|---:|---:|---:|")
    for table, count, heap, indexes, total in sizes:
        print(f"| {table} | {count:,} | {mib(heap)} | {mib(indexes)} | {mib(total)} |")
    total = sum(row[4] for row in sizes)
    print(f"| **all** | | | | {mib(total)} |")


if __name__ == "__main__":
    main()
