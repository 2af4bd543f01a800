"""Drop the ``*_like`` indexes Django's PostgreSQL backend adds beside every indexed text
column (primary keys, unique fields, foreign keys) of the orders, their items and events,
and the customers.

Each is a second B-tree on the column with ``varchar_pattern_ops``, there only to answer
``LIKE 'prefix%'`` (``startswith``) under a non-C collation. Nothing asks that of these
columns: order, item and event lookups are by equality (the plain unique or foreign-key
index serves them), text searches are ``LIKE '%…%'`` (trigram indexes), and the customer
type-ahead's ``pk__startswith`` is one arm of an ``OR`` whose ``source_id__istartswith`` arm
no index serves, so it is a scan with or without one. Yet every INSERT writes them: three of
``orders_order``'s seventeen indexes, two of ``orders_orderitem``'s six.

Products and SKUs keep theirs: the catalogue search asks ``pk__startswith`` of them, and
they are small. The names are looked up in ``pg_indexes`` (Django derives them from a hash).
Reversing recreates them the way Django's schema editor does. An ``AlterField`` on one of
these columns in a later migration may add its ``_like`` index back; drop it there too.
"""

from django.db import migrations

TABLES = ("orders_order", "orders_orderitem", "orders_orderevent", "customers_customer")
MODELS = (("orders", "Order"), ("orders", "OrderItem"), ("orders", "OrderEvent"))
MODELS += (("customers", "Customer"),)


def drop(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT indexname FROM pg_indexes
            WHERE schemaname = current_schema() AND tablename = ANY(%s)
              AND indexdef LIKE '%%pattern_ops%%'
            ORDER BY indexname
            """,
            [list(TABLES)],
        )
        names = [name for (name,) in cursor.fetchall()]
    for name in names:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


def recreate(apps, schema_editor):
    for app_label, model_name in MODELS:
        model = apps.get_model(app_label, model_name)
        for field in model._meta.local_fields:
            statement = schema_editor._create_like_index_sql(model, field)
            if statement is not None:
                schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0010_order_status_amount_index"),
        ("customers", "0003_marketing_segment_permissions"),
    ]

    operations = [migrations.RunPython(drop, recreate)]
