"""Writes of the insights app: folding the order statistics back into one row per group.

The triggers on orders_order only ever add rows to ``OrderStats`` and ``HourlyOrderStats``
(insights/models.py), so writers never wait for each other there; ``compact_order_stats``
keeps the tables small by replacing the rows of each (quarter-hour or hour, status) with one
row holding their sums.
"""

from dataclasses import asdict, dataclass
from typing import Any

from django.db import connection, transaction

from orders.models import Order

from .models import HourlyOrderStats, OrderStats

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

    def as_dict(self) -> dict[str, int | bool]:
        return asdict(self)


def compact_order_stats() -> Compaction:
    """Fold every (quarter-hour, status) of ``OrderStats`` and every (hour, status) of
    ``HourlyOrderStats`` that has more than one row, or one row of zeros, into at most one row
    holding the sums, in one transaction.

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
        quarters = _fold(cursor, OrderStats._meta.db_table)
        hours = _fold(cursor, HourlyOrderStats._meta.db_table)
    return Compaction(True, *quarters, *hours)


def _fold(cursor: Any, table: str) -> tuple[int, int]:
    """Compact ``table``: (rows deleted, rows written in their place)."""
    cursor.execute(
        f"""
        WITH gone AS (
            DELETE FROM {table} AS row
            USING (
                SELECT bucket, status FROM {table}
                GROUP BY bucket, status
                HAVING count(*) > 1 OR NOT ({_NOT_ALL_ZERO})
            ) AS folded
            WHERE row.bucket = folded.bucket AND row.status = folded.status
            RETURNING row.bucket, row.status, row.orders, row.amount, row.total_amount,
                      row.discount_amount
        ), added AS (
            INSERT INTO {table} (bucket, status, {_COUNTED})
            SELECT bucket, status, sum(orders), sum(amount), sum(total_amount),
                   sum(discount_amount)
            FROM gone
            GROUP BY bucket, status
            HAVING {_NOT_ALL_ZERO}
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM gone), (SELECT count(*) FROM added)
        """  # noqa: S608  # table names are the models'; no value is interpolated
    )
    removed, added = cursor.fetchone()
    return removed, added
