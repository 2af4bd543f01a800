"""Writes of the insights app: folding the order statistics back into one row per group, and
choosing the metadata properties they count.

The triggers on orders_order only ever add rows to ``OrderStats``, ``HourlyOrderStats`` and
``MetadataStats`` (insights/models.py), so writers never wait for each other there;
``compact_order_stats`` keeps the tables small by replacing the rows of each group
((quarter-hour or hour, status), and the metadata value for the last) with one row holding
their sums. ``track_metadata_keys`` makes ``MetadataStats`` count the order schema's text and
yes/no properties; the periodic task runs both.
"""

from dataclasses import asdict, dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction

from metadata.models import MetadataProperty, MetadataSchema
from orders.models import Order

from .models import HourlyOrderStats, MetadataStats, MetadataTotals, OrderStats, TrackedKey
from .trigger_sql import HOUR, METADATA_COLUMNS, TOTALS_COLUMNS

# The advisory lock name (hashed as ``orders.locks`` hashes its names) one compaction holds.
COMPACTION_LOCK = "insights:compact_order_stats"

_COUNTED = "orders, amount, total_amount, discount_amount"
_NOT_ALL_ZERO = (
    "sum(orders) <> 0 OR sum(amount) <> 0 OR sum(total_amount) <> 0 OR sum(discount_amount) <> 0"
)


@dataclass(frozen=True)
class Compaction:
    """What one ``compact_order_stats`` did."""

    ran: bool  # False: another compaction was running, this one did nothing
    removed: int = 0  # quarter-hours' rows deleted
    added: int = 0  # rows written in their place (groups that sum to nothing get none)
    hourly_removed: int = 0  # the same for the hours' rows
    hourly_added: int = 0
    metadata_removed: int = 0  # and for the metadata values' rows, per hour
    metadata_added: int = 0
    totals_removed: int = 0  # and in all
    totals_added: int = 0

    def as_dict(self) -> dict[str, int | bool]:
        return asdict(self)


def compact_order_stats() -> Compaction:
    """Fold every (quarter-hour, status) of ``OrderStats``, (hour, status) of
    ``HourlyOrderStats``, (hour, status, key, value) of ``MetadataStats`` and (status, key,
    value) of ``MetadataTotals`` that has more than one row, or one row of zeros, into at
    most one row holding the sums, in one transaction.

    Exact while orders are being written: for each table, one statement deletes the rows its
    snapshot sees and inserts their sums, so a row a writer commits meanwhile is neither deleted nor
    counted, and it stays as it was. Rows are never updated, so there is no update to lose.
    Only one compaction runs at a time: a second returns at once (``ran=False``) while the
    first holds its advisory lock.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_try_advisory_xact_lock(hashtextextended(%s, 0))", [COMPACTION_LOCK]
        )
        if not cursor.fetchone()[0]:
            return Compaction(ran=False)
        # A TRUNCATE of the orders empties the statistics with a DELETE (its trigger) whose
        # snapshot would miss rows this compaction inserts: the orders' lowest lock, which
        # only TRUNCATE (and ALTER, DROP) waits for, makes them take turns. Writers of
        # orders are not held up by it. Its own statement, so the next one's snapshot is
        # taken after any TRUNCATE it waited for had committed.
        cursor.execute(f"LOCK TABLE {Order._meta.db_table} IN ACCESS SHARE MODE")
        quarters = _fold(cursor, OrderStats._meta.db_table, ["bucket", "status"])
        hours = _fold(cursor, HourlyOrderStats._meta.db_table, ["bucket", "status"])
        values = _fold(cursor, MetadataStats._meta.db_table, ["bucket", "status", "key", "value"])
        totals = _fold(cursor, MetadataTotals._meta.db_table, ["status", "key", "value"])
    return Compaction(True, *quarters, *hours, *values, *totals)


def _fold(cursor: Any, table: str, group: list[str]) -> tuple[int, int]:
    """Compact ``table`` by the columns ``group``: (rows deleted, rows written in their
    place). A metadata value may be NULL (not set), which equality would never match."""
    columns = ", ".join(group)
    same = " AND ".join(
        f"row.{column} IS NOT DISTINCT FROM folded.{column}"
        if column == "value"
        else f"row.{column} = folded.{column}"
        for column in group
    )
    cursor.execute(
        f"""
        WITH gone AS (
            DELETE FROM {table} AS row
            USING (
                SELECT {columns} FROM {table}
                GROUP BY {columns}
                HAVING count(*) > 1 OR NOT ({_NOT_ALL_ZERO})
            ) AS folded
            WHERE {same}
            RETURNING {", ".join(f"row.{column}" for column in group)}, row.orders,
                      row.amount, row.total_amount, row.discount_amount
        ), added AS (
            INSERT INTO {table} ({columns}, {_COUNTED})
            SELECT {columns}, sum(orders), sum(amount), sum(total_amount),
                   sum(discount_amount)
            FROM gone
            GROUP BY {columns}
            HAVING {_NOT_ALL_ZERO}
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM gone), (SELECT count(*) FROM added)
        """  # noqa: S608  # table and column names are the models'; no value is interpolated
    )
    removed, added = cursor.fetchone()
    return removed, added


# The schema types whose values ``MetadataStats`` counts: a few values each, compared by
# equality. Numbers, dates and texts of other kinds are left to the orders themselves.
TRACKED_TYPES = (MetadataProperty.Type.STRING, MetadataProperty.Type.BOOLEAN)


@dataclass(frozen=True)
class Tracking:
    """What one ``track_metadata_keys`` changed."""

    added: list[str]
    removed: list[str]

    def as_dict(self) -> dict[str, list[str]]:
        return asdict(self)


def tracked_keys_wanted(using: str = DEFAULT_DB_ALIAS) -> set[str]:
    """The order schema's live text and yes/no properties that hold one value (not a list)."""
    return set(
        MetadataProperty.objects.using(using)
        .filter(
            schema__related_object=MetadataSchema.RelatedObject.ORDER,
            deleted=False,
            array=False,
            type__in=TRACKED_TYPES,
        )
        .values_list("name", flat=True)
    )


def track_metadata_keys(using: str = DEFAULT_DB_ALIAS) -> Tracking:
    """Make ``MetadataStats`` count exactly ``tracked_keys_wanted``: a property newly wanted
    is counted over every order, one no longer wanted is forgotten.

    Exact while orders are being written: the orders are locked against writes (reads go
    on) from before the counting until the transaction commits, and every write after it
    counts the new property in its own statement (the triggers read ``TrackedKey``). A large
    table holds writers up for as long as the count takes (a few seconds at a million
    orders), so this runs in the worker, not in a request (``seed_demo`` runs it before it
    loads its orders, which are then counted as they are written)."""
    wanted = tracked_keys_wanted(using)
    tracked_keys = TrackedKey.objects.using(using)
    if wanted == set(tracked_keys.values_list("key", flat=True)):
        return Tracking([], [])
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        # Not while a compaction runs: it could write back the sums of rows deleted here.
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [COMPACTION_LOCK])
        # SHARE ROW EXCLUSIVE waits for writers in flight, holds new ones, and is taken by
        # one tracking at a time: the tracked keys are read again under it.
        cursor.execute(f"LOCK TABLE {Order._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")
        tracked = set(tracked_keys.values_list("key", flat=True))
        added, removed = sorted(wanted - tracked), sorted(tracked - wanted)
        # An added key starts from nothing, whatever an earlier tracking of it left.
        for model in (MetadataStats, MetadataTotals):
            model.objects.using(using).filter(key__in=[*removed, *added]).delete()
        tracked_keys.filter(key__in=removed).delete()
        tracked_keys.bulk_create(TrackedKey(key=key) for key in added)
        cursor.execute(
            f"""
            WITH hours AS (
                INSERT INTO {MetadataStats._meta.db_table} ({METADATA_COLUMNS})
                SELECT {HOUR.format("o.created_at")}, o.status, t.key, o.metadata -> t.key,
                       count(*), sum(o.amount), sum(o.total_amount),
                       sum(o.total_discount_amount)
                FROM {Order._meta.db_table} AS o CROSS JOIN unnest(%s::text[]) AS t (key)
                GROUP BY 1, 2, 3, 4
                RETURNING {METADATA_COLUMNS}
            )
            INSERT INTO {MetadataTotals._meta.db_table} ({TOTALS_COLUMNS})
            SELECT status, key, value, sum(orders), sum(amount), sum(total_amount),
                   sum(discount_amount)
            FROM hours GROUP BY 1, 2, 3
            """,  # noqa: S608  # table names are the models'; the keys are a parameter
            [added],
        )
    return Tracking(added, removed)
