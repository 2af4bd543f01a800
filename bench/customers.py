"""Benchmark the customers list and a segment page at 200,000 customers / 1,000,000 orders.

Reuses ``campaign_hub_bench`` (loaded by ``bench/seed_demo.py``; this script never seeds or
drops it), migrates it, saves a "High spenders" segment, serves the app with gunicorn in
production mode and times each case like ``bench/orders_list.py`` (``Server-Timing``).

    .venv/bin/python bench/customers.py --requests 40
"""

import os
import platform
import statistics
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from orders_list import (  # noqa: E402  (bench/ is not a package on sys.path)
    ROOT,
    SESSION_SNIPPET,
    TARGET_P95_MS,
    app_env,
    manage,
    order_count,
    p95,
    parse_args,
    timed_get,
    wait_until_up,
)

SEGMENT_SNIPPET = """
from customers.models import Segment
segment, _ = Segment.objects.update_or_create(
    name="Bench high spenders", defaults={"conditions": {"min_total_spent": 300000}})
print(segment.pk)
"""


def cases(segment: str) -> list[tuple[str, str]]:
    return [
        ("Customers, first page", "/customers/"),
        ("Customers by total spent", "/customers/?sort=-orders_total_amount"),
        ("Customers by last order", "/customers/?sort=-orders_last_order_date"),
        (
            "Spent ≥ 1,000.00 and ≥ 5 orders, by order count",
            "/customers/?spent_min=1000&orders_min=5&sort=-orders_total_count",
        ),
        ("Customers in a segment", f"/customers/?segment={segment}"),
        ("Customers, page 100", "/customers/?page=100"),
        ("Segment page", f"/customers/segments/{segment}/"),
        ("Orders of a segment's members", f"/orders/?segment={segment}"),
    ]


def main() -> None:
    args = parse_args()
    if order_count(args.server, args.database) == 0:
        sys.exit(f"{args.database} is empty: load it with bench/seed_demo.py first")
    with tempfile.TemporaryDirectory() as static_root:
        env = app_env(args, static_root)
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput")
        session = manage(env, "shell", "-c", SESSION_SNIPPET).strip().splitlines()[-1]
        segment = manage(env, "shell", "-c", SEGMENT_SNIPPET).strip().splitlines()[-1]
        base = f"http://127.0.0.1:{args.port}"
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi:application",
             "--bind", f"127.0.0.1:{args.port}", "--workers", str(args.workers),
             "--log-level", "warning"],
            cwd=ROOT, env=env,
        )  # fmt: skip
        try:
            wait_until_up(f"{base}/accounts/login/")
            results = []
            for label, path in cases(segment):
                for _ in range(args.warmup):
                    timed_get(base + path, session)
                samples = [timed_get(base + path, session) for _ in range(args.requests)]
                results.append((label, path, [s for s, _ in samples], [c for _, c in samples]))
                print(f"{label}: p95 {p95(results[-1][2]):.1f} ms", file=sys.stderr)
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(
        f"Measured {date.today()} on {platform.node()} ({os.cpu_count()} cores), "
        f"{order_count(args.server, args.database):,} orders, gunicorn {args.workers} "
        f"workers, {args.requests} timed requests per case after {args.warmup} warm-up.\n"
    )
    print("| Case | server median ms | server p95 ms | client p95 ms | p95 ≤ 100 ms |")
    print("|---|---:|---:|---:|:---:|")
    for label, path, server_ms, client_ms in results:
        ok = "yes" if p95(server_ms) <= TARGET_P95_MS else "no"
        print(
            f"| {label} (`{path}`) | {statistics.median(server_ms):.1f} | "
            f"{p95(server_ms):.1f} | {p95(client_ms):.1f} | {ok} |"
        )


if __name__ == "__main__":
    main()
