"""The trigger functions that keep the order statistics (insights/models.py), as SQL.

Migrations create them from here: 0003 with the hours, 0004 with the tracked metadata
properties too. A migration's SQL must not change once it has run, so a later change of the
functions is a new flag here and a new migration, never an edit of what a flag writes.
"""

QUARTER = "date_bin('15 minutes', {}, TIMESTAMPTZ '2000-01-01 00:00:00+00')"
HOUR = "date_bin('1 hour', {}, TIMESTAMPTZ '2000-01-01 00:00:00+00')"
COLUMNS = "bucket, status, orders, amount, total_amount, discount_amount"
METADATA_COLUMNS = "bucket, status, key, value, orders, amount, total_amount, discount_amount"
TOTALS_COLUMNS = "status, key, value, orders, amount, total_amount, discount_amount"
SUMMED = "sum(orders), sum(amount), sum(total_amount), sum(discount_amount)"
NOT_ZERO = (
    "sum(orders) <> 0 OR sum(amount) <> 0 OR sum(total_amount) <> 0 OR sum(discount_amount) <> 0"
)


def _write(change: str, *, hourly: bool) -> str:
    """Insert the quarter-hours' rows of ``change`` (and, when ``hourly``, their hours)."""
    quarters = f"INSERT INTO insights_orderstats ({COLUMNS}) SELECT * FROM change"
    if not hourly:
        return f"WITH change ({COLUMNS}) AS ({change}) {quarters};"
    return f"""WITH change ({COLUMNS}) AS ({change}), quarters AS ({quarters})
    INSERT INTO insights_hourlyorderstats ({COLUMNS})
    SELECT {HOUR.format("bucket")}, status, {SUMMED} FROM change GROUP BY 1, 2
    HAVING {NOT_ZERO};"""


def _per_value(orders: str, sign: str) -> str:
    """Each order of the transition table ``orders`` once per tracked property, with its
    value there (``NULL`` when unset), its hour, and its counts signed by ``sign``."""
    return f"""SELECT {HOUR.format("o.created_at")} AS bucket, o.status, t.key,
               o.metadata -> t.key AS value, {sign}1 AS orders,
               {sign}o.amount::numeric AS amount, {sign}o.total_amount::numeric AS total_amount,
               {sign}o.total_discount_amount::numeric AS discount_amount
        FROM {orders} AS o CROSS JOIN insights_trackedkey AS t"""


def _write_metadata(*parts: str) -> str:
    """Insert the hours' rows of the per-value ``parts``, and the same without the hour."""
    return f"""
    WITH delta ({METADATA_COLUMNS}) AS (
        SELECT bucket, status, key, value, {SUMMED}
        FROM ({" UNION ALL ".join(parts)}) AS change
        GROUP BY bucket, status, key, value
        HAVING {NOT_ZERO}
    ), hours AS (INSERT INTO insights_metadatastats ({METADATA_COLUMNS}) SELECT * FROM delta)
    INSERT INTO insights_metadatatotals ({TOTALS_COLUMNS})
    SELECT status, key, value, {SUMMED} FROM delta GROUP BY status, key, value
    HAVING {NOT_ZERO};"""


def functions(*, hourly: bool, metadata: bool = False) -> str:
    """``CREATE OR REPLACE`` of the four trigger functions on orders_order: the quarter-hours
    always, the hours when ``hourly``, the tracked metadata properties when ``metadata``."""
    added = _write(
        f"SELECT {QUARTER.format('created_at')}, status, count(*), sum(amount), "
        "sum(total_amount), sum(total_discount_amount) FROM added_orders GROUP BY 1, 2",
        hourly=hourly,
    )
    removed = _write(
        f"SELECT {QUARTER.format('created_at')}, status, -count(*), -sum(amount), "
        "-sum(total_amount), -sum(total_discount_amount) FROM removed_orders GROUP BY 1, 2",
        hourly=hourly,
    )
    changed = _write(
        f"""SELECT bucket, status, {SUMMED}
        FROM (
            SELECT {QUARTER.format("created_at")} AS bucket, status, 1 AS orders,
                   amount::numeric AS amount, total_amount::numeric AS total_amount,
                   total_discount_amount::numeric AS discount_amount
            FROM new_orders
            UNION ALL
            SELECT {QUARTER.format("created_at")}, status, -1, -amount, -total_amount,
                   -total_discount_amount
            FROM old_orders
        ) AS delta
        GROUP BY bucket, status
        HAVING {NOT_ZERO}""",
        hourly=hourly,
    )
    emptied = "DELETE FROM insights_orderstats;"
    if hourly:
        emptied += " DELETE FROM insights_hourlyorderstats;"
    if metadata:
        added += _write_metadata(_per_value("added_orders", ""))
        removed += _write_metadata(_per_value("removed_orders", "-"))
        changed += _write_metadata(_per_value("new_orders", ""), _per_value("old_orders", "-"))
        emptied += " DELETE FROM insights_metadatastats; DELETE FROM insights_metadatatotals;"
    bodies = {"added": added, "removed": removed, "changed": changed, "truncated": emptied}
    return "\n".join(
        f"""
CREATE OR REPLACE FUNCTION insights_order_stats_{name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {body}
    RETURN NULL;
END $$;"""
        for name, body in bodies.items()
    )
