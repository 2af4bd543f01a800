"""Hourly order statistics beside the quarter-hours (insights/models.py).

The triggers of 0002 now write each statement's change to both tables: the quarter-hours
first, then the same rows summed per hour. The hours of the orders already there are counted
from the orders themselves, with the orders locked against writes until the migration
commits, so none is missed or counted twice.
"""

from django.db import migrations, models

QUARTER = "date_bin('15 minutes', created_at, TIMESTAMPTZ '2000-01-01 00:00:00+00')"
HOUR = "date_bin('1 hour', {}, TIMESTAMPTZ '2000-01-01 00:00:00+00')"
COLUMNS = "bucket, status, orders, amount, total_amount, discount_amount"
SUMMED = "sum(orders), sum(amount), sum(total_amount), sum(discount_amount)"
NOT_ZERO = (
    "sum(orders) <> 0 OR sum(amount) <> 0 OR sum(total_amount) <> 0 OR sum(discount_amount) <> 0"
)


def _functions(hourly: bool) -> str:
    """The trigger functions of 0002, writing each change to the hours too when ``hourly``."""

    def write(change: str) -> str:
        """Insert the quarter-hours' rows of ``change`` (and their hours)."""
        quarters = f"INSERT INTO insights_orderstats ({COLUMNS}) SELECT * FROM change"
        if not hourly:
            return f"WITH change ({COLUMNS}) AS ({change}) {quarters};"
        return f"""WITH change ({COLUMNS}) AS ({change}), quarters AS ({quarters})
    INSERT INTO insights_hourlyorderstats ({COLUMNS})
    SELECT {HOUR.format("bucket")}, status, {SUMMED} FROM change GROUP BY 1, 2
    HAVING {NOT_ZERO};"""

    added = write(
        f"SELECT {QUARTER}, status, count(*), sum(amount), sum(total_amount), "
        "sum(total_discount_amount) FROM added_orders GROUP BY 1, 2"
    )
    removed = write(
        f"SELECT {QUARTER}, status, -count(*), -sum(amount), -sum(total_amount), "
        "-sum(total_discount_amount) FROM removed_orders GROUP BY 1, 2"
    )
    changed = write(
        f"""SELECT bucket, status, {SUMMED}
        FROM (
            SELECT {QUARTER} AS bucket, status, 1 AS orders, amount::numeric AS amount,
                   total_amount::numeric AS total_amount,
                   total_discount_amount::numeric AS discount_amount
            FROM new_orders
            UNION ALL
            SELECT {QUARTER}, status, -1, -amount, -total_amount, -total_discount_amount
            FROM old_orders
        ) AS delta
        GROUP BY bucket, status
        HAVING {NOT_ZERO}"""
    )
    emptied = "DELETE FROM insights_orderstats;" + (
        " DELETE FROM insights_hourlyorderstats;" if hourly else ""
    )
    return f"""
CREATE OR REPLACE FUNCTION insights_order_stats_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {added}
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION insights_order_stats_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {removed}
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION insights_order_stats_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {changed}
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION insights_order_stats_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {emptied}
    RETURN NULL;
END $$;
"""


FORWARD = f"""
LOCK TABLE orders_order IN SHARE ROW EXCLUSIVE MODE;
{_functions(hourly=True)}
INSERT INTO insights_hourlyorderstats ({COLUMNS})
SELECT {HOUR.format("created_at")}, status, count(*), sum(amount), sum(total_amount),
       sum(total_discount_amount)
FROM orders_order GROUP BY 1, 2;
"""

BACKWARD = _functions(hourly=False)


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
