"""The customer indexes created in SQL (``0002`` here; ``orders/0005`` and ``orders/0009``,
which build them on this table from the orders app), declared in ``Customer.Meta.indexes``.

State only: those migrations have already built them under these names (a new database runs
them first), so nothing is sent to the database.
"""

import django.contrib.postgres.fields
import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0003_marketing_segment_permissions"),
        ("orders", "0011_drop_unused_like_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(
                    model_name="customer",
                    index=models.Index(
                        models.OrderBy(
                            models.F("orders_last_order_date"), descending=True, nulls_last=True
                        ),
                        models.OrderBy(models.F("id"), descending=True),
                        name="customer_last_order_desc_idx",
                    ),
                ),
                migrations.AddIndex(
                    model_name="customer",
                    index=django.contrib.postgres.indexes.GinIndex(
                        django.contrib.postgres.indexes.OpClass(
                            django.db.models.functions.text.Upper("name"), name="gin_trgm_ops"
                        ),
                        name="customer_name_trgm_idx",
                    ),
                ),
                migrations.AddIndex(
                    model_name="customer",
                    index=django.contrib.postgres.indexes.GinIndex(
                        django.contrib.postgres.indexes.OpClass(
                            django.db.models.functions.text.Upper("email"), name="gin_trgm_ops"
                        ),
                        name="customer_email_trgm_idx",
                    ),
                ),
                migrations.AddIndex(
                    model_name="customer",
                    index=django.contrib.postgres.indexes.GinIndex(
                        models.Func(
                            models.Func(
                                models.Func(
                                    django.db.models.functions.text.Lower(
                                        models.Func(
                                            models.F("name"),
                                            models.Value(" "),
                                            models.F("email"),
                                            template="(%(expressions)s)",
                                            arg_joiner=" || ",
                                            output_field=models.TextField(),
                                        )
                                    ),
                                    models.Value("[^[:alnum:]]+"),
                                    function="regexp_split_to_array",
                                    output_field=django.contrib.postgres.fields.ArrayField(
                                        base_field=models.TextField()
                                    ),
                                ),
                                models.Value(""),
                                function="array_remove",
                                output_field=django.contrib.postgres.fields.ArrayField(
                                    base_field=models.TextField()
                                ),
                            ),
                            function="array_to_tsvector",
                            output_field=django.contrib.postgres.search.SearchVectorField(),
                        ),
                        name="customer_search_words_idx",
                    ),
                ),
            ]
        )
    ]
