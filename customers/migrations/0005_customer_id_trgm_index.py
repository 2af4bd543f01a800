"""A trigram index on the customers' ids (issue 21).

The filter grammar's text conditions on an order's customer or referrer ID (``$contains``,
``$not_contain``, ``$starts_with``, ``$ends_with``) find the customers first, by
``UPPER(id) LIKE UPPER('%text%')``. Without an index that reads every customer's id: 75 ms at
200,000 customers, for every such request. With it, under a millisecond. 29 MB at 200,000
customers; built in 4.6 s there.

Built ``CONCURRENTLY``, so customers can be written meanwhile.
"""

import django.contrib.postgres.indexes
import django.db.models.functions.text
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [
        ("customers", "0004_declare_sql_indexes"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="customer",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.indexes.OpClass(
                    django.db.models.functions.text.Upper("id"), name="gin_trgm_ops"
                ),
                name="customer_id_trgm_idx",
            ),
        ),
    ]
