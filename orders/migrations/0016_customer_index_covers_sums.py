"""``order_customer_idx`` also holds what the insights strip sums (issue 20).

A customer search's strip sums the orders of every customer it finds: a common surname is
4,688 customers and 16,150 orders of a million, on 12,911 pages of the table read at random.
With the status, the three amounts and the creation time in the index, PostgreSQL reads them
from it alone (an index-only scan) and never visits the table: about 45 ms instead of 110
(``bench/insights.py``).

The index's key stays (customer, created_at), which the customer's orders page walks; the
other columns are carried in its leaves only (``INCLUDE``). Every column it adds is in another
index already, so updates that could skip the indexes (HOT) still can. It takes 85 MB instead of
48 MB at a million orders.

Built ``CONCURRENTLY`` under a temporary name, then swapped for the old one, so orders can be
written meanwhile.
"""

from django.db import migrations, models

OLD = "(customer_id, created_at)"
NEW = "(customer_id, created_at) INCLUDE (status, amount, total_amount, total_discount_amount)"


def swap(columns: str) -> list[str]:
    return [
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS order_customer_idx_swap "
        f"ON orders_order USING btree {columns}",
        "DROP INDEX CONCURRENTLY IF EXISTS order_customer_idx",
        "ALTER INDEX order_customer_idx_swap RENAME TO order_customer_idx",
    ]


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [
        ("orders", "0015_discount_indexes_money_statistics"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(swap(NEW), reverse_sql=swap(OLD))],
            state_operations=[
                migrations.RemoveIndex(model_name="order", name="order_customer_idx"),
                migrations.AddIndex(
                    model_name="order",
                    index=models.Index(
                        fields=["customer", "created_at"],
                        include=["status", "amount", "total_amount", "total_discount_amount"],
                        name="order_customer_idx",
                    ),
                ),
            ],
        ),
    ]
