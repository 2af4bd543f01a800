"""An index for the orders list's commonest narrowing with a money sort: status and a
created range, largest amounts first (``?status=PAID&created_after=…&sort=-amount``).

With only ``order_amount_idx`` (amount, id) PostgreSQL walks the amounts from the top and
reads every order from the table to check its status and date: thousands of random reads
for one page at a million orders. This index keeps status first, then the sort (amount,
id), then ``created_at``, so the date range is checked inside the index (a condition on a
later column of a B-tree) and the table is read only for orders that pass both.

Built ``CONCURRENTLY``, so orders can still be written while it builds; ``0012`` declares it
in ``Order.Meta.indexes``.
"""

from django.db import migrations


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [("orders", "0009_customer_search_words_index")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS order_status_amount_idx "
            "ON orders_order (status, amount, id, created_at)",
            "DROP INDEX CONCURRENTLY IF EXISTS order_status_amount_idx",
        )
    ]
