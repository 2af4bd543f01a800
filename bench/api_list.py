"""``GET /v1/orders`` beside its own SQL (the floor), in one run.

Serves the app with gunicorn in production mode on ``--database`` (like
``bench/orders_list.py``), issues an API key, captures the SQL statements each case's request
runs (once, in-process, ``CaptureQueriesContext``; its ``BEGIN`` / ``COMMIT`` included), then
times ``--requests`` requests through gunicorn (the app's ``Server-Timing``), each followed by
the same statements run with psycopg, rows fetched. Cases are interleaved
request by request; the ratio is page median ÷ floor median. Prints Markdown.

    .venv/bin/python bench/api_list.py --database campaign_hub_bench --requests 60

Cases: the first page of 100; page 50 of 100; the first 100 PAID orders (a status filter).
"""

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from list_floor import (  # noqa: E402  (bench/ is not a package on sys.path)
    Case,
    capture_statements,
    manage,
    measure,
    parse_args,
    prepare,
    report,
    show_sql,
)

TARGET_RATIO = 2.0

KEY_SNIPPET = """
from core.models import ApiKey
ApiKey.objects.filter(name="bench-api-list").delete()
key, token = ApiKey.issue("bench-api-list")
print(key.app_id, token)
"""


def main() -> None:
    args = parse_args(__doc__.split("\n\n")[0], 8793)
    with tempfile.TemporaryDirectory() as static_root:
        # The rate limit stays on (its cache round trips are part of every request), high
        # enough for the benchmark's own requests.
        env = prepare(args, static_root, API_RATE_LIMIT_PER_MINUTE="1000000")
        app_id, token = manage(env, "shell", "-c", KEY_SNIPPET).strip().splitlines()[-1].split()
        headers = {"X-App-Id": app_id, "X-App-Token": token}
        cases = [
            Case("First page of 100", "/v1/orders?limit=100"),
            Case("Page 50 of 100", "/v1/orders?page=50&limit=100"),
            Case(
                "Status PAID, first 100",
                "/v1/orders?limit=100&filters[status][conditions][$in][0]=PAID",
            ),
        ]
        capture_statements(env, cases, headers)
        show_sql(cases, args.show_sql)
        loads = measure(args, cases, env=env, http_headers=headers)
    report(args, cases, loads, TARGET_RATIO, "with an API key")


if __name__ == "__main__":
    main()
