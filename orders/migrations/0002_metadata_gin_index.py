"""A GIN index on order metadata for the list page's metadata filters.

Replaced by ``order_metadata_idx`` in ``0005_search_indexes``.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("orders", "0001_initial")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS order_metadata_gin_idx "
            "ON orders_order USING gin (metadata jsonb_path_ops)",
            "DROP INDEX IF EXISTS order_metadata_gin_idx",
        )
    ]
