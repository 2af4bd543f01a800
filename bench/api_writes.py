"""Benchmark API writes under concurrent clients, beside the database's floor (pgbench).

Serves the app with gunicorn in production mode on 127.0.0.1 (like ``bench/orders_list.py``),
issues a bench API key and runs ``--clients`` client threads, each with its own HTTP
connection (asking for keep-alive), for ``--seconds`` per case after a warm-up. Then, in
the same run, runs ``bench/api_writes.sql`` with pgbench and the same number of clients:
the create's transaction as plain SQL (advisory locks, customer upsert, order, 2 items,
event, summary update), the floor the project's figure is compared with. Prints Markdown.

    .venv/bin/python bench/api_writes.py --database bench_writes

Cases:

- ``create``: ``POST /v1/orders`` of a new order (a new source ID) with 2 catalogue items
  (by source ID), an existing customer (by source ID, the profile it has) and metadata;
- ``update``: ``PUT /v1/orders/{id}`` of an existing order (random among the loaded ones):
  a new status, a new cart of 2 items and new metadata;
- ``import``: ``POST /v1/orders/import`` of 10 new orders like the create's; the figure is
  orders imported per second end to end, by a Celery worker (``--import-concurrency``
  processes) started for it, from the first request to the last action finished.

Queries per write are counted in-process (one request through Django's test client under
``CaptureQueriesContext``, after a warm-up request), BEGIN and COMMIT left out.

gunicorn runs ``--workers`` sync workers: (2 × cores) + 1, gunicorn's own advice for
production, is 5 on 2 cores; the sync worker class is gunicorn's default and the one the
README's deployment runs (``gunicorn config.wsgi:application --workers N``). A sync worker
closes the connection after each response whatever the client asks (gunicorn's docs: it does
not support persistent connections), so each client reconnects for every request, as behind
a proxy that does not keep connections to the app open. The client threads share the machine
with the server and PostgreSQL, as pgbench does.

CPU per request: the CPU time the gunicorn processes, their PostgreSQL backends and this
process's client threads used during the timed seconds (``/proc``), over the requests
answered. Other work on the machine slows orders/s down but hardly moves these: compare them
across runs on a busy machine.

The bench database is written to (new orders, customers' summaries): use a copy.
"""

import argparse
import http.client
import json
import os
import platform
import random
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))

from orders_list import manage  # noqa: E402  (bench/ is not a package on sys.path)

ROOT = Path(__file__).resolve().parent.parent
SQL_SCRIPT = ROOT / "bench" / "api_writes.sql"
TARGET_ORDERS_PER_SECOND = 250.0
IMPORT_BATCH = 10


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="bench_writes")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/7", help="Cache and broker.")
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=30.0, help="Timed seconds per case.")
    parser.add_argument("--warmup", type=float, default=3.0, help="Warm-up seconds per case.")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker.")
    parser.add_argument("--import-concurrency", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--port", type=int, default=8793)
    parser.add_argument("--cases", default="create,update,import")
    parser.add_argument("--pgbench", default=shutil.which("pgbench") or "pgbench")
    return parser.parse_args()


def app_env(args: argparse.Namespace, static_root: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_ENV="production",
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,testserver",
        DATABASE_URL=f"{args.server}/{args.database}",
        CELERY_BROKER_URL=args.redis,
        CELERY_QUEUE=f"bench_writes_{os.getpid()}",
        # A cache the web processes share, as the README asks of production.
        CACHE_URL=args.redis,
        SECURE_SSL_REDIRECT="false",
        STATIC_ROOT=static_root,
        LOG_LEVEL="WARNING",
        # The bench's clients share one key: a limit they never reach, still counted.
        API_RATE_LIMIT_PER_MINUTE="100000000",
    )
    return env


KEY_SNIPPET = """
import secrets
from core.models import ApiKey
key, token = ApiKey.issue(f"bench-{secrets.token_hex(4)}")
print(key.app_id, token)
"""

# One request per case through Django's test client, counted; BEGIN/COMMIT left out.
QUERIES_SNIPPET = """
import json, os
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
app_id, token = os.environ["BENCH_KEY"].split()
client = Client(headers={"X-App-Id": app_id, "X-App-Token": token})
counts = {}
for case, method, path, bodies in json.loads(os.environ["BENCH_REQUESTS"]):
    send = getattr(client, method)
    # warm-up: the key's first use is written (and its cached copy dropped) once a minute
    send(path, json.dumps(bodies[0]), content_type="application/json")
    send(path, json.dumps(bodies[0]), content_type="application/json")
    with CaptureQueriesContext(connection) as queries:
        response = send(path, json.dumps(bodies[1]), content_type="application/json")
    assert response.status_code == 200, response.content
    counts[case] = sum(q["sql"] not in ("BEGIN", "COMMIT") for q in queries.captured_queries)
print(json.dumps(counts))
"""


@dataclass
class Facts:
    customers: list[tuple[str, str, str]]  # source ID, name, email
    products: list[str]  # source IDs
    orders: list[str]  # ids, for updates
    customer_count: int
    product_count: int


def facts(args: argparse.Namespace) -> Facts:
    with psycopg.connect(f"{args.server}/{args.database}") as conn:
        customers = conn.execute(
            "SELECT source_id, name, email FROM customers_customer "
            "WHERE source_id LIKE 'CUST-%%' ORDER BY random() LIMIT 5000"
        ).fetchall()
        products = [
            row[0]
            for row in conn.execute(
                "SELECT source_id FROM orders_product WHERE source_id IS NOT NULL"
            ).fetchall()
        ]
        orders = [
            row[0]
            for row in conn.execute(
                "SELECT id FROM orders_order TABLESAMPLE SYSTEM (1) LIMIT 20000"
            ).fetchall()
        ]
        customer_count = conn.execute(
            "SELECT count(*) FROM customers_customer WHERE source_id LIKE 'CUST-%%'"
        ).fetchone()[0]
    if not customers or not products or not orders:
        sys.exit(f"{args.database} holds no customers, products or orders: load it first.")
    return Facts(customers, products, orders, customer_count, len(products))


class Payloads:
    """Request bodies: every create a new source ID, customers and items drawn at random."""

    def __init__(self, facts: Facts, seed: int) -> None:
        self.facts = facts
        self.random = random.Random(seed)
        self.run = uuid.uuid4().hex[:8]
        self.counter = 0

    def _items(self) -> list[dict]:
        first, second = self.random.sample(self.facts.products, 2)
        return [
            {"source_id": first, "quantity": self.random.randint(1, 3), "price": 1250},
            {"source_id": second, "quantity": 1, "price": 4990, "discount_amount": 500},
        ]

    def order(self) -> dict:
        self.counter += 1
        source_id, name, email = self.random.choice(self.facts.customers)
        return {
            "source_id": f"bench-{self.run}-{self.counter}",
            "status": "PAID",
            "items": self._items(),
            "metadata": {"channel": "web", "locale": "en-GB", "payment_method": "Visa"},
            "customer": {"source_id": source_id, "name": name, "email": email},
        }

    def update(self) -> tuple[str, dict]:
        order_id = self.random.choice(self.facts.orders)
        body = {
            "status": self.random.choice(["PAID", "FULFILLED", "CANCELED"]),
            "discount_amount": 0,
            "items": self._items(),
            "metadata": {
                "channel": "store",
                "coupon": self.random.choice(["WELCOME10", "SPRING15", "LOYALTY5"]),
            },
        }
        return f"/v1/orders/{order_id}", body

    def batch(self) -> list[dict]:
        return [self.order() for _ in range(IMPORT_BATCH)]


@dataclass
class Run:
    latencies_ms: list[float] = field(default_factory=list)
    failures: int = 0
    failure_sample: str = ""
    action_ids: list[str] = field(default_factory=list)
    elapsed: float = 0.0


Request = Callable[[Payloads], tuple[str, str, dict | list]]


def request_for(case: str) -> Request:
    if case == "create":
        return lambda p: ("POST", "/v1/orders", p.order())
    if case == "update":
        return lambda p: ("PUT", *p.update())
    return lambda p: ("POST", "/v1/orders/import", p.batch())


def drive(
    args: argparse.Namespace, key: tuple[str, str], facts: Facts, case: str, seconds: float
) -> Run:
    """``--clients`` threads sending ``case`` requests for ``seconds``."""
    make = request_for(case)
    headers = {
        "X-App-Id": key[0],
        "X-App-Token": key[1],
        "Content-Type": "application/json",
        "Connection": "keep-alive",
    }
    run = Run()
    lock = threading.Lock()
    start_line = threading.Barrier(args.clients + 1)
    stop_at = [0.0]

    def client(index: int) -> None:
        payloads = Payloads(facts, seed=hash((case, index, time.time())))
        conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=60)
        start_line.wait()
        while time.perf_counter() < stop_at[0]:
            method, path, body = make(payloads)
            data = json.dumps(body)
            started = time.perf_counter()
            try:
                conn.request(method, path, data, headers)
                response = conn.getresponse()
                content = response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as error:
                conn.close()
                status, content = 0, str(error).encode()
            took = (time.perf_counter() - started) * 1000
            with lock:
                if status == 200:
                    run.latencies_ms.append(took)
                    if case == "import":
                        run.action_ids.append(json.loads(content)["async_action_id"])
                else:
                    run.failures += 1
                    run.failure_sample = run.failure_sample or f"{status} {content[:300]!r}"
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
    for thread in threads:
        thread.start()
    stop_at[0] = time.perf_counter() + seconds
    started = time.perf_counter()
    start_line.wait()
    for thread in threads:
        thread.join()
    run.elapsed = time.perf_counter() - started
    return run


def wait_for_actions(args: argparse.Namespace, ids: list[str]) -> tuple[int, float]:
    """(orders imported, seconds from the first action created to the last finished)."""
    url = f"{args.server}/{args.database}"
    with psycopg.connect(url, autocommit=True) as conn:
        while True:
            pending = conn.execute(
                "SELECT count(*) FROM async_actions_asyncaction "
                "WHERE id = ANY(%s) AND status NOT IN ('DONE', 'FAILED')",
                [ids],
            ).fetchone()[0]
            if not pending:
                break
            time.sleep(0.5)
        done, span = conn.execute(
            "SELECT sum((result->>'done_count')::int), "
            "extract(epoch FROM max(finished_at) - min(created_at)) "
            "FROM async_actions_asyncaction WHERE id = ANY(%s)",
            [ids],
        ).fetchone()
    return int(done or 0), float(span or 0.0)


def pgbench(args: argparse.Namespace, facts: Facts, seconds: float) -> float:
    """Transactions per second of ``bench/api_writes.sql`` with ``--clients`` clients."""
    result = subprocess.run(
        [args.pgbench, "-n", "-f", str(SQL_SCRIPT), "-c", str(args.clients),
         "-j", str(min(args.clients, os.cpu_count() or 1)), "-T", str(int(seconds)),
         "-D", f"ncustomers={facts.customer_count}", "-D", f"nproducts={facts.product_count}",
         "-D", f"run={random.randint(1, 999_999)}", f"{args.server}/{args.database}"],
        capture_output=True, text=True,
    )  # fmt: skip
    if result.returncode:
        sys.exit(f"pgbench failed:\n{result.stdout}\n{result.stderr}")
    found = re.search(r"tps = ([0-9.]+)", result.stdout)
    failed = re.search(r"number of failed transactions: (\d+)", result.stdout)
    if not found or (failed and int(failed.group(1))):
        sys.exit(f"pgbench did not run cleanly:\n{result.stdout}\n{result.stderr}")
    return float(found.group(1))


def wait_until_up(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/v1/orders")
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.3)
    sys.exit(f"gunicorn did not answer on port {port} within {timeout:.0f} s")


def percentile(values: list[float], share: float) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[int(share * 100) - 1]


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds the processes ``pids`` have used so far (Linux ``/proc``);
    a process gone since counts nothing."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / os.sysconf("SC_CLK_TCK")


def server_pids(master: int) -> list[int]:
    """gunicorn's master and its workers."""
    try:
        with open(f"/proc/{master}/task/{master}/children") as children:
            return [master, *map(int, children.read().split())]
    except OSError:
        return [master]


WEB_APPLICATION_NAME = "bench-writes-web"


class BackendCpu:
    """CPU seconds of the web workers' PostgreSQL backends (their ``application_name`` is
    ``WEB_APPLICATION_NAME``, set through ``PGAPPNAME``), sampled every half second: a
    backend closed during the run (``CONN_MAX_AGE``) counts up to its last sample, one
    opened during it from zero. The Celery worker's and this script's are left out."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.url = f"{args.server}/{args.database}"
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.stopping = threading.Event()

    def _sample(self, conn: psycopg.Connection, *, initial: bool = False) -> None:
        pids = [
            pid
            for (pid,) in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE application_name = %s",
                [WEB_APPLICATION_NAME],
            ).fetchall()
        ]
        for pid in pids:
            used = cpu_seconds([pid])
            self.first.setdefault(pid, used if initial else 0.0)
            self.last[pid] = used

    def _run(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            self._sample(conn, initial=True)
            self.started.set()
            while not self.stopping.wait(0.5):
                self._sample(conn)
            self._sample(conn)

    def __enter__(self) -> "BackendCpu":
        self.started = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        self.started.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.thread.join()

    @property
    def seconds(self) -> float:
        return sum(self.last[pid] - self.first[pid] for pid in self.last)


@dataclass
class CpuUse:
    """CPU seconds used during a timed case: the web workers, their PostgreSQL backends and
    this process's client threads (other work on the machine is not counted)."""

    server: float = 0.0
    database: float = 0.0
    clients: float = 0.0

    def per_request(self, requests: int) -> str:
        if not requests:
            return "—"
        return " / ".join(
            f"{1000 * value / requests:.1f}" for value in (self.server, self.database, self.clients)
        )


def query_counts(env: dict[str, str], key: tuple[str, str], facts: Facts) -> dict[str, int]:
    payloads = Payloads(facts, seed=1)
    update_path, first = payloads.update()
    _, second = payloads.update()
    requests = [
        ("create", "post", "/v1/orders", [payloads.order(), payloads.order()]),
        ("update", "put", update_path, [first, second]),
        ("import", "post", "/v1/orders/import", [payloads.batch(), payloads.batch()]),
    ]
    out = manage(
        {**env, "BENCH_KEY": " ".join(key), "BENCH_REQUESTS": json.dumps(requests)},
        "shell",
        "-c",
        QUERIES_SNIPPET,
    )
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    args = parse_args()
    cases = [case.strip() for case in args.cases.split(",") if case.strip()]
    with tempfile.TemporaryDirectory() as static_root:
        env = app_env(args, static_root)
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput")
        key = tuple(manage(env, "shell", "-c", KEY_SNIPPET).strip().splitlines()[-1].split())
        known = facts(args)
        queries = query_counts(env, key, known)
        print(f"Queries per request (in-process): {queries}", file=sys.stderr)
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi:application",
             "--bind", f"127.0.0.1:{args.port}", "--workers", str(args.workers),
             "--threads", str(args.threads), "--log-level", "warning"],
            cwd=ROOT, env={**env, "PGAPPNAME": WEB_APPLICATION_NAME},
        )  # fmt: skip
        worker = None
        if "import" in cases:
            worker = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "config", "worker",
                 "-c", str(args.import_concurrency), "--without-gossip", "--without-mingle",
                 "--loglevel=WARNING", "-n", f"bench-writes-{os.getpid()}@localhost"],
                cwd=ROOT, env=env,
            )  # fmt: skip
        results = []
        try:
            wait_until_up(args.port)
            load_before = os.getloadavg()
            for case in cases:
                warm = drive(args, key, known, case, args.warmup)
                if case == "import" and warm.action_ids:
                    wait_for_actions(args, warm.action_ids)
                servers = server_pids(server.pid)
                before = (cpu_seconds(servers), time.process_time())
                with BackendCpu(args) as backends:
                    run = drive(args, key, known, case, args.seconds)
                cpu = CpuUse(
                    cpu_seconds(servers) - before[0],
                    backends.seconds,
                    time.process_time() - before[1],
                )
                if run.failures:
                    print(
                        f"{case}: {run.failures} failed, e.g. {run.failure_sample}", file=sys.stderr
                    )
                if case == "import":
                    orders, span = wait_for_actions(args, run.action_ids)
                    rate = orders / span if span else 0.0
                else:
                    rate = len(run.latencies_ms) / run.elapsed
                floor = pgbench(args, known, args.seconds)
                results.append((case, rate, run, floor, cpu))
                print(
                    f"{case}: {rate:.1f} orders/s, "
                    f"p95 {percentile(run.latencies_ms, 0.95):.1f} ms; pgbench {floor:.1f} tps; "
                    f"CPU ms per request (server / PostgreSQL / clients) "
                    f"{cpu.per_request(len(run.latencies_ms))}",
                    file=sys.stderr,
                )
            load_after = os.getloadavg()
        finally:
            server.terminate()
            server.wait(timeout=30)
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=60)

    print(
        f"Measured {date.today()} on {platform.node()} ({os.cpu_count()} cores): "
        f"`{args.database}`, gunicorn {args.workers} workers × {args.threads} threads, "
        f"{args.clients} clients "
        "(one thread and HTTP connection each; a sync worker closes it after each response) "
        f"for {args.seconds:.0f} s per case after "
        f"{args.warmup:.0f} s of warm-up; pgbench `bench/api_writes.sql`, {args.clients} "
        f"clients, {args.seconds:.0f} s, right after each case. Load average (1, 5, 15 min) "
        f"{' / '.join(f'{v:.2f}' for v in load_before)} before, "
        f"{' / '.join(f'{v:.2f}' for v in load_after)} after.\n"
    )
    print(
        "| Case | Queries per request | Requests | Failed | orders/s | p50 ms | p95 ms "
        "| pgbench floor (tps) | floor ÷ ours | ≥ 250 orders/s "
        "| CPU ms per request: server / PostgreSQL / clients |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|:---:|---:|")
    for case, rate, run, floor, cpu in results:
        print(
            f"| {case} | {queries.get(case, '—')} | {len(run.latencies_ms)} | {run.failures} "
            f"| {rate:.1f} | {percentile(run.latencies_ms, 0.50):.1f} "
            f"| {percentile(run.latencies_ms, 0.95):.1f} | {floor:.1f} | {floor / rate:.1f}× "
            f"| {'yes' if rate >= TARGET_ORDERS_PER_SECOND else 'no'} "
            f"| {cpu.per_request(len(run.latencies_ms))} |"
        )
    print(
        "\nCPU per request: the gunicorn processes', their PostgreSQL backends' and the client "
        "threads' CPU time during the timed seconds, over the requests answered (import: the "
        "Celery worker's is not counted). Less sensitive to other work on the machine than "
        "orders/s: on 2 cores, 250 orders/s leaves 8 ms for the three together."
    )
    if "import" in cases:
        print(
            f"\nimport: orders/s is orders imported end to end ({IMPORT_BATCH} per request, "
            f"a Celery worker of {args.import_concurrency} processes); p50/p95 are the "
            "requests' (the job is queued, not run, within them)."
        )


if __name__ == "__main__":
    main()
