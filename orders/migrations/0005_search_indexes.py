"""Indexes for the orders list's metadata filters and free-text search.

- ``metadata`` gets a GIN index with the default ``jsonb_ops`` class, which serves both
  "contains" (``@>``) and "has key" (``?``) conditions; it replaces the ``jsonb_path_ops``
  one, which serves only the former.
- Search uses ``UPPER(column) LIKE UPPER('%text%')`` (Django's ``icontains``); trigram GIN
  indexes on exactly those expressions let PostgreSQL answer it without a scan.

Written in SQL because the customer indexes live on another app's table; ``0012`` and
``customers/0004`` declare all of them in the models' ``Meta.indexes``.
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "DROP INDEX IF EXISTS order_metadata_gin_idx",
    "CREATE INDEX IF NOT EXISTS order_metadata_idx ON orders_order USING gin (metadata)",
    "CREATE INDEX IF NOT EXISTS order_source_id_trgm_idx ON orders_order "
    "USING gin (UPPER(source_id::text) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS customer_name_trgm_idx ON customers_customer "
    "USING gin (UPPER(name::text) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS customer_email_trgm_idx ON customers_customer "
    "USING gin (UPPER(email::text) gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS customer_email_trgm_idx",
    "DROP INDEX IF EXISTS customer_name_trgm_idx",
    "DROP INDEX IF EXISTS order_source_id_trgm_idx",
    "DROP INDEX IF EXISTS order_metadata_idx",
    "CREATE INDEX IF NOT EXISTS order_metadata_gin_idx "
    "ON orders_order USING gin (metadata jsonb_path_ops)",
]


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0004_status_sort_index"),
        ("customers", "0001_initial"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
