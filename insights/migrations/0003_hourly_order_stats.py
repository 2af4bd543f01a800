"""Hourly order statistics beside the quarter-hours (insights/models.py).

The triggers of 0002 now write each statement's change to both tables: the quarter-hours
first, then the same rows summed per hour. The hours of the orders already there are counted
from the orders themselves, with the orders locked against writes until the migration
commits, so none is missed or counted twice.
"""

from django.db import migrations, models

from insights.trigger_sql import COLUMNS, HOUR, functions

FORWARD = f"""
LOCK TABLE orders_order IN SHARE ROW EXCLUSIVE MODE;
{functions(hourly=True)}
INSERT INTO insights_hourlyorderstats ({COLUMNS})
SELECT {HOUR.format("created_at")}, status, count(*), sum(amount), sum(total_amount),
       sum(total_discount_amount)
FROM orders_order GROUP BY 1, 2;
"""

BACKWARD = functions(hourly=False)


class Migration(migrations.Migration):
    dependencies = [
        ("insights", "0002_order_stats_triggers"),
    ]

    operations = [
        migrations.CreateModel(
            name="HourlyOrderStats",
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
            ],
            options={
                "verbose_name": "hourly order statistics row",
                "verbose_name_plural": "hourly order statistics",
                "indexes": [models.Index(fields=["bucket"], name="hourly_order_stats_bucket_idx")],
            },
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
    ]
