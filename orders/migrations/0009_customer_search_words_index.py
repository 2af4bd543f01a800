"""A word index of customers' names and emails for the orders list's free-text search.

The search finds customers whose name or email has a word starting with each searched word.
A GIN index over the words as a tsvector answers that exactly (no recheck), so a common
surname among 200,000 customers costs a few milliseconds, where the trigram indexes of
``0005_search_indexes`` (``LIKE '%text%'``) re-read every candidate row.

The expression is ``customers.models.name_and_email_words``, which the search matches
against. Written in SQL because the index lives on another app's table; ``customers/0004``
declares it in ``Customer.Meta.indexes``.
"""

from django.db import migrations

FORWARD = [
    "CREATE INDEX IF NOT EXISTS customer_search_words_idx ON customers_customer USING gin "
    "((array_to_tsvector(array_remove(regexp_split_to_array("
    "lower(name || ' ' || email), '[^[:alnum:]]+'), ''))))",
]
BACKWARD = ["DROP INDEX IF EXISTS customer_search_words_idx"]


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0008_order_creation_key"),
        ("customers", "0003_marketing_segment_permissions"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
