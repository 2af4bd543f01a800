"""The order indexes that ``0005_search_indexes`` and ``0010_order_status_amount_index`` create
in SQL, declared in ``Order.Meta.indexes``.

State only: those migrations have already built them under these names (a new database runs
them first), so nothing is sent to the database.
"""

import django.contrib.postgres.indexes
import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("orders", "0011_drop_unused_like_indexes")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(
                    model_name="order",
                    index=models.Index(
                        fields=["status", "amount", "id", "created_at"],
                        name="order_status_amount_idx",
                    ),
                ),
                migrations.AddIndex(
                    model_name="order",
                    index=django.contrib.postgres.indexes.GinIndex(
                        fields=["metadata"], name="order_metadata_idx"
                    ),
                ),
                migrations.AddIndex(
                    model_name="order",
                    index=django.contrib.postgres.indexes.GinIndex(
                        django.contrib.postgres.indexes.OpClass(
                            django.db.models.functions.text.Upper("source_id"),
                            name="gin_trgm_ops",
                        ),
                        name="order_source_id_trgm_idx",
                    ),
                ),
            ]
        )
    ]
