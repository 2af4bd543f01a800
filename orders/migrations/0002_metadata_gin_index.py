"""A GIN index on order metadata for the list page's metadata filters (PostgreSQL only).

The embedded SQLite default has no GIN indexes; there the migration does nothing.
"""

from django.db import migrations


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS order_metadata_gin_idx "
            "ON orders_order USING gin (metadata jsonb_path_ops)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS order_metadata_gin_idx")


class Migration(migrations.Migration):
    dependencies = [("orders", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]
