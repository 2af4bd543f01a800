"""Counting rows of tables that grow to millions without ``COUNT(*)`` over all of them."""

import json
import time

from django.db import connections
from django.db.models import Model, QuerySet


def _is_whole_table(queryset: QuerySet) -> bool:
    query = queryset.query
    return not (query.where or query.distinct or query.is_sliced or query.combinator)


# reltuples changes only when (auto)vacuum or ANALYZE runs, minutes apart on a busy table; a
# process reuses what it read for this long instead of asking on every page.
ROW_ESTIMATE_TTL_SECONDS = 30.0
_row_estimates: dict[tuple[str, str], tuple[float, int | None]] = {}


def table_row_estimate(model: type[Model], using: str = "default") -> int | None:
    """The number of rows PostgreSQL's statistics give ``model``'s table (``reltuples``, kept
    current by ANALYZE); ``None`` when the table was never analyzed.

    Read at most every ``ROW_ESTIMATE_TTL_SECONDS`` per process and table: it is an estimate
    that moves with ANALYZE, and a query less on every list page.
    """
    connection = connections[using]
    key = (using, model._meta.db_table)
    now = time.monotonic()
    cached = _row_estimates.get(key)
    if cached is not None and cached[0] > now:
        return cached[1]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)",
            [connection.ops.quote_name(model._meta.db_table)],
        )
        row = cursor.fetchone()
    rows = int(row[0]) if row and row[0] >= 0 else None
    _row_estimates[key] = (now + ROW_ESTIMATE_TTL_SECONDS, rows)
    return rows


def forget_row_estimates() -> None:
    """Drop the remembered ``table_row_estimate`` figures (after an ANALYZE, in tests)."""
    _row_estimates.clear()


def planner_row_estimate(queryset: QuerySet) -> int:
    """How many rows PostgreSQL's planner expects ``queryset`` to return.

    An unfiltered queryset reads ``pg_class.reltuples`` (kept current by autovacuum's ANALYZE);
    a filtered one, or a table never analyzed, reads the row estimate of ``EXPLAIN``. Both
    answer in about a millisecond whatever the table's size, and neither is exact.
    """
    if _is_whole_table(queryset):
        rows = table_row_estimate(queryset.model, queryset.db)
        # reltuples is -1 until the table is first analyzed; EXPLAIN still has an idea.
        if rows is not None:
            return rows
    plan = json.loads(queryset.explain(format="json"))
    return int(plan[0]["Plan"]["Plan Rows"])
