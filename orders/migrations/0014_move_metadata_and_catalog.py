"""Metadata schemas, products and SKUs now belong to the metadata and catalog apps (their
0001 migrations): order items point to catalog's models, and orders forgets the four models.
State only: the tables, their rows, indexes and constraints stay as they are."""

import django.db.models.deletion
from django.db import migrations, models

from core.model_moves import move_content_types

MOVED = {"metadata": ["metadataschema", "metadataproperty"], "catalog": ["product", "sku"]}


def sweep_content_types(apps, schema_editor):
    # On a new database a data migration that ran between the new apps' 0001 and this one
    # (customers 0003 creates the permissions of every model in the state) made the orders
    # content types again; fold them, and any grant of theirs, into the new apps' ones.
    for label, models_ in MOVED.items():
        move_content_types(apps, "orders", label, models_)


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0013_wizard_draft"),
        ("metadata", "0001_initial"),
        ("catalog", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="orderitem",
                    name="product",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="catalog.product",
                    ),
                ),
                migrations.AlterField(
                    model_name="orderitem",
                    name="sku",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="catalog.sku",
                    ),
                ),
                migrations.DeleteModel(name="MetadataProperty"),
                migrations.DeleteModel(name="MetadataSchema"),
                migrations.DeleteModel(name="SKU"),
                migrations.DeleteModel(name="Product"),
            ],
        ),
        migrations.RunPython(sweep_content_types, migrations.RunPython.noop),
    ]
