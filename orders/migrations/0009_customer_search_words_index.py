"""A word index of customers' names and emails for the orders list's free-text search
(PostgreSQL only).

The search finds customers whose name or email has a word starting with each searched word.
A GIN index over the words as a tsvector answers that exactly (no recheck), so a common
surname among 200,000 customers costs a few milliseconds, where the trigram indexes of
``0005_search_indexes`` (``LIKE '%text%'``) re-read every candidate row.

The expression must stay identical to ``orders.filters.CUSTOMER_WORDS_SQL``. The embedded
SQLite default has no such index; there the migration does nothing.
"""

from django.db import migrations

FORWARD = [
    "CREATE INDEX IF NOT EXISTS customer_search_words_idx ON customers_customer USING gin "
    "((array_to_tsvector(array_remove(regexp_split_to_array("
    "lower(name || ' ' || email), '[^[:alnum:]]+'), ''))))",
]
BACKWARD = ["DROP INDEX IF EXISTS customer_search_words_idx"]


def run(statements):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0008_order_creation_key"),
        ("customers", "0003_marketing_segment_permissions"),
    ]

    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
