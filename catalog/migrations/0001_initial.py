"""Products and SKUs move here from orders (issue 17): the tables orders_product and orders_sku
stay as they are."""

import django.db.models.deletion
from django.db import migrations, models

import core.ids
from core.model_moves import content_type_mover


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("orders", "0013_wizard_draft"),
        # The Marketing group's grants exist (under "orders") before they move.
        ("core", "0001_marketing_group"),
    ]

    operations = [
        # The tables are orders', made by its migrations and kept with their names, indexes and
        # constraints: only the migration state changes hands.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Product",
                    fields=[
                        (
                            "id",
                            models.CharField(
                                default=core.ids.new_product_id,
                                editable=False,
                                max_length=29,
                                primary_key=True,
                                serialize=False,
                            ),
                        ),
                        (
                            "source_id",
                            models.CharField(
                                blank=True,
                                error_messages={
                                    "unique": "Another product already uses this source ID."
                                },
                                max_length=255,
                                null=True,
                                unique=True,
                                verbose_name="source ID",
                            ),
                        ),
                        ("name", models.CharField(max_length=255)),
                        (
                            "price",
                            models.BigIntegerField(
                                blank=True, help_text="Minor units (7700 = 77.00).", null=True
                            ),
                        ),
                        ("metadata", models.JSONField(blank=True, default=dict)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        "db_table": "orders_product",
                        "ordering": ["name", "id"],
                        "indexes": [models.Index(fields=["name"], name="product_name_idx")],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("price__isnull", True), ("price__gte", 0), _connector="OR"
                                ),
                                name="product_price_not_negative",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="SKU",
                    fields=[
                        (
                            "id",
                            models.CharField(
                                default=core.ids.new_sku_id,
                                editable=False,
                                max_length=28,
                                primary_key=True,
                                serialize=False,
                            ),
                        ),
                        (
                            "source_id",
                            models.CharField(
                                blank=True,
                                error_messages={
                                    "unique": "Another SKU already uses this source ID."
                                },
                                max_length=255,
                                null=True,
                                unique=True,
                                verbose_name="source ID",
                            ),
                        ),
                        ("sku", models.CharField(max_length=255, verbose_name="SKU name")),
                        (
                            "price",
                            models.BigIntegerField(
                                blank=True, help_text="Minor units (7700 = 77.00).", null=True
                            ),
                        ),
                        ("metadata", models.JSONField(blank=True, default=dict)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "product",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="skus",
                                to="catalog.product",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "SKU",
                        "verbose_name_plural": "SKUs",
                        "db_table": "orders_sku",
                        "ordering": ["sku", "id"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("price__isnull", True), ("price__gte", 0), _connector="OR"
                                ),
                                name="sku_price_not_negative",
                            )
                        ],
                    },
                ),
            ],
        ),
        # Permissions (and so the Marketing group's grants) follow the models.
        migrations.RunPython(*content_type_mover("orders", "catalog", ["product", "sku"])),
    ]
