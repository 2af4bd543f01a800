"""Order statistics per metadata value, per hour and in all (insights/models.py): the
triggers write each statement's change per tracked property too, and the order schema's
text and yes/no properties are tracked, every order counted
(``insights.services.track_metadata_keys``)."""

from typing import Any

from django.db import migrations, models

from insights.trigger_sql import functions


def track(apps: Any, schema_editor: Any) -> None:
    from insights.services import track_metadata_keys

    track_metadata_keys()


class Migration(migrations.Migration):
    dependencies = [
        ("insights", "0003_hourly_order_stats"),
        ("metadata", "0001_initial"),
        ("orders", "0015_discount_indexes_money_statistics"),
    ]

    operations = [
        migrations.CreateModel(
            name="TrackedKey",
            fields=[
                ("key", models.CharField(max_length=100, primary_key=True, serialize=False)),
            ],
            options={
                "verbose_name": "tracked metadata property",
                "verbose_name_plural": "tracked metadata properties",
            },
        ),
        migrations.CreateModel(
            name="MetadataStats",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("status", models.CharField(max_length=16)),
                ("orders", models.BigIntegerField()),
                ("amount", models.DecimalField(decimal_places=0, max_digits=40)),
                ("total_amount", models.DecimalField(decimal_places=0, max_digits=40)),
                (
                    "discount_amount",
                    models.DecimalField(
                        decimal_places=0, help_text="Sum of total_discount_amount.", max_digits=40
                    ),
                ),
                (
                    "bucket",
                    models.DateTimeField(
                        help_text="Start of the hour (UTC) the orders were created in."
                    ),
                ),
                ("key", models.CharField(max_length=100)),
                (
                    "value",
                    models.JSONField(
                        help_text="The property's JSON value; NULL: not set.", null=True
                    ),
                ),
            ],
            options={
                "verbose_name": "metadata statistics row",
                "verbose_name_plural": "metadata statistics",
                "indexes": [
                    models.Index(fields=["key", "status", "bucket"], name="metadata_stats_key_idx")
                ],
            },
        ),
        migrations.CreateModel(
            name="MetadataTotals",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("status", models.CharField(max_length=16)),
                ("orders", models.BigIntegerField()),
                ("amount", models.DecimalField(decimal_places=0, max_digits=40)),
                ("total_amount", models.DecimalField(decimal_places=0, max_digits=40)),
                (
                    "discount_amount",
                    models.DecimalField(
                        decimal_places=0, help_text="Sum of total_discount_amount.", max_digits=40
                    ),
                ),
                ("key", models.CharField(max_length=100)),
                (
                    "value",
                    models.JSONField(
                        help_text="The property's JSON value; NULL: not set.", null=True
                    ),
                ),
            ],
            options={
                "verbose_name": "metadata totals row",
                "verbose_name_plural": "metadata totals",
                "indexes": [models.Index(fields=["key", "status"], name="metadata_totals_key_idx")],
            },
        ),
        migrations.RunSQL(
            functions(hourly=True, metadata=True),
            functions(hourly=True),
        ),
        migrations.RunPython(track, migrations.RunPython.noop),
    ]
