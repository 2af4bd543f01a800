"""The insights strip (issue 20) at scale, beside its own SQL (the floor), in one run.

Serves the app with gunicorn in production mode on ``--database`` as ``bench/list_floor.py``
does (whose helpers this uses), signed in as a Marketing staff user, and times
``/orders/insights/`` (the strip: figures, previous period, per-day or per-week buckets) and
its top-values part (``part=top``) for every kind of filter people use, each beside the same
SQL statements run with psycopg right after it (the floor):

- no filter, and a 90-day created range (both answered by ``insights_orderstats``);
- a status and a metadata condition; a status alone (the orders themselves);
- customer searches: one customer's email, the rarest name, the most common surname, a miss.

Cases are interleaved request by request; p95 is the target's figure (≤ 150 ms), the ratio
(medians) says how close to the database the page is. Prints Markdown.

    .venv/bin/python bench/insights.py --database campaign_hub_bench --requests 30
"""

import sys
import tempfile
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))

from list_floor import (  # noqa: E402  (bench/ is not a package on sys.path)
    SESSION_SNIPPET,
    Case,
    capture_statements,
    manage,
    measure,
    parse_args,
    prepare,
    report,
    show_sql,
)
from search import pick_terms  # noqa: E402

TARGET_P95_MS = 150.0
STRIP = "/orders/insights/"


def strip(label: str, **query: str) -> Case:
    return Case(label, f"{STRIP}?{urlencode(query)}" if query else STRIP)


def cases(dsn: str) -> list[Case]:
    terms = pick_terms(dsn)
    with psycopg.connect(dsn) as conn:
        last = conn.execute("SELECT max(created_at)::date FROM orders_order").fetchone()[0]
    first = last - timedelta(days=89)
    return [
        strip("No filter"),
        strip("Created in 90 days", created_after=f"{first}", created_before=f"{last}"),
        strip("Status + metadata", status="PAID", meta="channel:eq:store"),
        strip(
            "Status alone, 90 days + metadata",
            status="PAID",
            meta="channel:eq:store",
            created_after=f"{first}",
            created_before=f"{last}",
        ),  # fmt: skip
        strip("Customer search: an email", q=terms["email"]),
        strip(f"Customer search: rarest name ({terms['rare_count']} customers)", q=terms["rare"]),
        strip(
            f"Customer search: common surname ({terms['common_count']} customers)",
            q=terms["common"],
        ),
        strip("Customer search: a miss", q="zzqx-nobody"),
        strip("Top values of channel, no filter", part="top", by="channel"),
        strip(
            "Top values of channel, 90 days",
            part="top",
            by="channel",
            created_after=f"{first}",
            created_before=f"{last}",
        ),  # fmt: skip
        strip(
            "Top values of channel, status + metadata",
            part="top",
            by="channel",
            status="PAID",
            meta="channel:eq:store",
        ),  # fmt: skip
    ]


def main() -> None:
    args = parse_args(__doc__.split("\n\n")[0], 8794)
    with tempfile.TemporaryDirectory() as static_root:
        env = prepare(args, static_root)
        session = manage(env, "shell", "-c", SESSION_SNIPPET).strip().splitlines()[-1]
        all_cases = cases(f"{args.server}/{args.database}")
        capture_statements({**env, "BENCH_SESSION": session}, all_cases, {})
        show_sql(all_cases, args.show_sql)
        loads = measure(args, all_cases, env=env, http_headers={"Cookie": f"sessionid={session}"})
    report(
        args, all_cases, loads, 0, "signed in as a Marketing staff user",
        p95_target_ms=TARGET_P95_MS,
    )  # fmt: skip


if __name__ == "__main__":
    main()
