"""Counting rows of tables that grow to millions without ``COUNT(*)`` over all of them."""

import json

from django.db import connections
from django.db.models import Model, QuerySet

# Below this many rows an exact COUNT(*) is cheap, and exact page links matter more.
ESTIMATE_THRESHOLD = 10_000


def _is_whole_table(queryset: QuerySet) -> bool:
    query = queryset.query
    return not (query.where or query.distinct or query.is_sliced or query.combinator)


def table_row_estimate(model: type[Model], using: str = "default") -> int | None:
    """The number of rows PostgreSQL's statistics give ``model``'s table (``reltuples``, kept
    current by ANALYZE); ``None`` elsewhere, or when the table was never analyzed."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)",
            [connection.ops.quote_name(model._meta.db_table)],
        )
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] >= 0 else None


def planner_row_estimate(queryset: QuerySet) -> int | None:
    """How many rows PostgreSQL's planner expects ``queryset`` to return; ``None`` elsewhere.

    An unfiltered queryset reads ``pg_class.reltuples`` (kept current by autovacuum's ANALYZE);
    a filtered one, or a table never analyzed, reads the row estimate of ``EXPLAIN``. Both
    answer in about a millisecond whatever the table's size, and neither is exact.
    """
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    if _is_whole_table(queryset):
        rows = table_row_estimate(queryset.model, queryset.db)
        # reltuples is -1 until the table is first analyzed; EXPLAIN still has an idea.
        if rows is not None:
            return rows
    plan = json.loads(queryset.explain(format="json"))
    return int(plan[0]["Plan"]["Plan Rows"])
