"""What the filter grammar's money conditions need at a million orders (issue 21,
``bench/filters.py``).

1. B-tree indexes on the three discounts, (column, id) like ``order_amount_idx``: without them
   ``discount_amount $is 20074`` or a range of ``total_discount_amount`` reads every order
   (about 200 ms at a million, 500 ms for the top of a range). Partial, on the orders that
   have the discount (``> 0``; 15 %, 30 % and 41 % of the demo orders): a condition that only
   orders without one meet selects too many orders to want an index, and the three take 49 MB
   at a million orders instead of 168 MB. Built ``CONCURRENTLY``, so orders can still be written
   while they build.
2. Finer statistics for the five amounts (a histogram of 1,000 buckets instead of 100). With
   100, ``amount > <its 99.99th percentile>`` (100 orders) was estimated at about 3,800, so
   PostgreSQL walked ``order_created_idx`` newest first expecting to meet 101 of them soon, and
   read all million orders (300-500 ms) instead of the 100 the amount index points to (1 ms).
   ``ANALYZE`` of those columns makes the figures current at once instead of at the next
   autovacuum (which waits for a tenth of the orders to change); about 2 s at a million orders.
"""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models

MONEY = (
    "amount",
    "total_amount",
    "discount_amount",
    "items_discount_amount",
    "total_discount_amount",
)
STATISTICS = 1000


def statistics_sql(target: int) -> str:
    columns = ", ".join(f"ALTER COLUMN {column} SET STATISTICS {target}" for column in MONEY)
    return f"ALTER TABLE orders_order {columns}"


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [
        ("customers", "0004_declare_sql_indexes"),
        ("orders", "0014_move_metadata_and_catalog"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="order",
            index=models.Index(
                condition=models.Q(discount_amount__gt=0),
                fields=["discount_amount", "id"],
                name="order_discount_idx",
            ),
        ),
        AddIndexConcurrently(
            model_name="order",
            index=models.Index(
                condition=models.Q(items_discount_amount__gt=0),
                fields=["items_discount_amount", "id"],
                name="order_items_discount_idx",
            ),
        ),
        AddIndexConcurrently(
            model_name="order",
            index=models.Index(
                condition=models.Q(total_discount_amount__gt=0),
                fields=["total_discount_amount", "id"],
                name="order_total_discount_idx",
            ),
        ),
        migrations.RunSQL(
            [statistics_sql(STATISTICS), f"ANALYZE orders_order ({', '.join(MONEY)})"],
            statistics_sql(-1),  # back to default_statistics_target
        ),
    ]
