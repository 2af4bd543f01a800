"""PostgreSQL keeps insights_orderstats in step with orders_order (see insights/models.py).

Statement-level triggers with transition tables: one ``INSERT … SELECT … GROUP BY`` per
statement, however many orders it wrote (an import of 100,000 orders adds a few hundred
rows). An update that changes no counted column (metadata, customer, items) nets to zero and
adds nothing. ``TRUNCATE`` of the orders empties the statistics too.

The existing orders are counted in the same transaction; creating the triggers locks the
orders table against writes until then, so none is missed or counted twice.
"""

from django.db import migrations

# The quarter-hour of a creation time; the origin is a whole hour in UTC.
BUCKET = "date_bin('15 minutes', created_at, TIMESTAMPTZ '2000-01-01 00:00:00+00')"
SUMS = "count(*), sum(amount), sum(total_amount), sum(total_discount_amount)"
COLUMNS = "bucket, status, orders, amount, total_amount, discount_amount"

FORWARD = f"""
CREATE FUNCTION insights_order_stats_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO insights_orderstats ({COLUMNS})
    SELECT {BUCKET}, status, {SUMS} FROM added_orders GROUP BY 1, 2;
    RETURN NULL;
END $$;

CREATE FUNCTION insights_order_stats_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO insights_orderstats ({COLUMNS})
    SELECT {BUCKET}, status, -count(*), -sum(amount), -sum(total_amount),
           -sum(total_discount_amount)
    FROM removed_orders GROUP BY 1, 2;
    RETURN NULL;
END $$;

CREATE FUNCTION insights_order_stats_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO insights_orderstats ({COLUMNS})
    SELECT bucket, status, sum(orders), sum(amount), sum(total_amount), sum(discount_amount)
    FROM (
        SELECT {BUCKET} AS bucket, status, 1 AS orders, amount::numeric AS amount,
               total_amount::numeric AS total_amount,
               total_discount_amount::numeric AS discount_amount
        FROM new_orders
        UNION ALL
        SELECT {BUCKET}, status, -1, -amount, -total_amount, -total_discount_amount
        FROM old_orders
    ) AS change
    GROUP BY bucket, status
    HAVING sum(orders) <> 0 OR sum(amount) <> 0 OR sum(total_amount) <> 0
        OR sum(discount_amount) <> 0;
    RETURN NULL;
END $$;

-- DELETE, not TRUNCATE: a TRUNCATE naming both tables (Django's flush) would refuse a nested
-- TRUNCATE of a table it is truncating.
CREATE FUNCTION insights_order_stats_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM insights_orderstats;
    RETURN NULL;
END $$;

CREATE TRIGGER insights_order_stats_insert AFTER INSERT ON orders_order
    REFERENCING NEW TABLE AS added_orders
    FOR EACH STATEMENT EXECUTE FUNCTION insights_order_stats_added();
CREATE TRIGGER insights_order_stats_delete AFTER DELETE ON orders_order
    REFERENCING OLD TABLE AS removed_orders
    FOR EACH STATEMENT EXECUTE FUNCTION insights_order_stats_removed();
CREATE TRIGGER insights_order_stats_update AFTER UPDATE ON orders_order
    REFERENCING OLD TABLE AS old_orders NEW TABLE AS new_orders
    FOR EACH STATEMENT EXECUTE FUNCTION insights_order_stats_changed();
CREATE TRIGGER insights_order_stats_truncate AFTER TRUNCATE ON orders_order
    FOR EACH STATEMENT EXECUTE FUNCTION insights_order_stats_truncated();

INSERT INTO insights_orderstats ({COLUMNS})
SELECT {BUCKET}, status, {SUMS} FROM orders_order GROUP BY 1, 2;
"""

BACKWARD = """
DROP TRIGGER insights_order_stats_insert ON orders_order;
DROP TRIGGER insights_order_stats_delete ON orders_order;
DROP TRIGGER insights_order_stats_update ON orders_order;
DROP TRIGGER insights_order_stats_truncate ON orders_order;
DROP FUNCTION insights_order_stats_added();
DROP FUNCTION insights_order_stats_removed();
DROP FUNCTION insights_order_stats_changed();
DROP FUNCTION insights_order_stats_truncated();
DELETE FROM insights_orderstats;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("insights", "0001_order_stats"),
        ("orders", "0014_move_metadata_and_catalog"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
