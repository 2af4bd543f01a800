"""Metadata schemas and their properties move here from orders (issue 17): the tables
orders_metadataschema and orders_metadataproperty stay as they are."""

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
                    name="MetadataSchema",
                    fields=[
                        (
                            "id",
                            models.CharField(
                                default=core.ids.new_metadata_schema_id,
                                editable=False,
                                max_length=27,
                                primary_key=True,
                                serialize=False,
                            ),
                        ),
                        (
                            "related_object",
                            models.CharField(
                                choices=[
                                    ("order", "Order"),
                                    ("customer", "Customer"),
                                    ("order_item", "Order item"),
                                ],
                                max_length=16,
                                unique=True,
                            ),
                        ),
                        (
                            "allow_defined_only",
                            models.BooleanField(
                                default=False,
                                help_text="Reject metadata keys that are not defined below.",
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        "db_table": "orders_metadataschema",
                        "ordering": ["related_object"],
                    },
                ),
                migrations.CreateModel(
                    name="MetadataProperty",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("name", models.CharField(max_length=100)),
                        (
                            "type",
                            models.CharField(
                                choices=[
                                    ("string", "Text"),
                                    ("number", "Number"),
                                    ("boolean", "Yes / no"),
                                    ("date", "Date"),
                                    ("datetime", "Date and time"),
                                    ("object", "Object"),
                                    ("image_url", "Image URL"),
                                    ("geopoint", "Geopoint"),
                                ],
                                default="string",
                                max_length=16,
                            ),
                        ),
                        (
                            "array",
                            models.BooleanField(default=False, help_text="Holds a list of values."),
                        ),
                        ("optional", models.BooleanField(default=True)),
                        (
                            "deleted",
                            models.BooleanField(
                                default=False,
                                help_text="Soft-deleted: old values stay readable, new ones are not asked.",
                            ),
                        ),
                        (
                            "eq",
                            models.JSONField(
                                blank=True, default=list, verbose_name="allowed values"
                            ),
                        ),
                        (
                            "ne",
                            models.JSONField(
                                blank=True, default=list, verbose_name="forbidden values"
                            ),
                        ),
                        (
                            "lt",
                            models.DecimalField(
                                blank=True, decimal_places=10, max_digits=30, null=True
                            ),
                        ),
                        (
                            "lte",
                            models.DecimalField(
                                blank=True, decimal_places=10, max_digits=30, null=True
                            ),
                        ),
                        (
                            "gt",
                            models.DecimalField(
                                blank=True, decimal_places=10, max_digits=30, null=True
                            ),
                        ),
                        (
                            "gte",
                            models.DecimalField(
                                blank=True, decimal_places=10, max_digits=30, null=True
                            ),
                        ),
                        ("min_length", models.PositiveIntegerField(blank=True, null=True)),
                        ("max_length", models.PositiveIntegerField(blank=True, null=True)),
                        ("exact_length", models.PositiveIntegerField(blank=True, null=True)),
                        (
                            "schema",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="properties",
                                to="metadata.metadataschema",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name_plural": "metadata properties",
                        "db_table": "orders_metadataproperty",
                        "ordering": ["schema", "name"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("schema", "name"), name="metadata_property_uniq"
                            )
                        ],
                    },
                ),
            ],
        ),
        # Permissions (and so the Marketing group's grants) follow the models.
        migrations.RunPython(
            *content_type_mover("orders", "metadata", ["metadataschema", "metadataproperty"])
        ),
    ]
