"""Orders per quarter-hour and status, kept by PostgreSQL itself (insights/0001's triggers).

Every statement that inserts, updates or deletes orders adds, in its own transaction, one
row per (quarter-hour, status) it changed holding the change: +1 order and its amounts for
an order created, −1 and minus its amounts for one deleted, both for an order whose status,
creation time or amounts changed. Whichever writer it is (the order service, the importer's
``INSERT … SELECT``, the admin, ``seed_demo``'s ``COPY``, a SQL console), the sums of these
rows by quarter-hour and status equal the orders table at every snapshot. Rows only ever
get added by writers, so concurrent writers never wait for each other here;
``compact_order_stats`` folds each (quarter-hour, status) back into one row.

Quarter-hours, because every time zone in use today is a whole number of quarter-hours
from UTC: a day (week, month) in any of them is a whole number of buckets. The same triggers
keep ``HourlyOrderStats`` per hour too: a day in a zone a whole number of hours from UTC
(most of them, Europe's and the Americas' included) is a whole number of hours, summed from
a quarter as many rows.
"""

from django.db import models

BUCKET_SECONDS = 15 * 60


class Stats(models.Model):
    """Orders created in a bucket of time with one status: how many, and their sums."""

    id = models.BigAutoField(primary_key=True)
    status = models.CharField(max_length=16)
    # Sums of bigint columns may pass a bigint: whole numbers of minor units, unbounded.
    orders = models.BigIntegerField()
    amount = models.DecimalField(max_digits=40, decimal_places=0)
    total_amount = models.DecimalField(max_digits=40, decimal_places=0)
    discount_amount = models.DecimalField(
        max_digits=40, decimal_places=0, help_text="Sum of total_discount_amount."
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        bucket = self.bucket  # type: ignore[attr-defined]  # each table's own field
        return f"{bucket:%Y-%m-%d %H:%M} {self.status}: {self.orders:+d}"


class OrderStats(Stats):
    bucket = models.DateTimeField(
        help_text="Start of the quarter-hour (UTC) the orders were created in."
    )

    class Meta:
        indexes = [models.Index(fields=["bucket"], name="order_stats_bucket_idx")]
        verbose_name = "order statistics row"
        verbose_name_plural = "order statistics"


class HourlyOrderStats(Stats):
    bucket = models.DateTimeField(help_text="Start of the hour (UTC) the orders were created in.")

    class Meta:
        indexes = [models.Index(fields=["bucket"], name="hourly_order_stats_bucket_idx")]
        verbose_name = "hourly order statistics row"
        verbose_name_plural = "hourly order statistics"


class MetadataStats(Stats):
    """Orders per hour, status and value of one tracked metadata property (``TrackedKey``):
    the same sums, so the strip answers a status with ``channel is store`` (and the top
    values of ``channel``) from here instead of reading the orders. An order without the
    property counts under a ``NULL`` value."""

    bucket = models.DateTimeField(help_text="Start of the hour (UTC) the orders were created in.")
    key = models.CharField(max_length=100)
    value = models.JSONField(null=True, help_text="The property's JSON value; NULL: not set.")

    class Meta:
        # No index on the value: a text property's value may be longer than a btree entry
        # holds, and the rows of one key and status are few enough to filter.
        indexes = [models.Index(fields=["key", "status", "bucket"], name="metadata_stats_key_idx")]
        verbose_name = "metadata statistics row"
        verbose_name_plural = "metadata statistics"


class MetadataTotals(Stats):
    """``MetadataStats`` without the hour: what the top values of a property over every
    creation time read (a few rows a value and status, against one an hour)."""

    key = models.CharField(max_length=100)
    value = models.JSONField(null=True, help_text="The property's JSON value; NULL: not set.")

    class Meta:
        indexes = [models.Index(fields=["key", "status"], name="metadata_totals_key_idx")]
        verbose_name = "metadata totals row"
        verbose_name_plural = "metadata totals"

    def __str__(self) -> str:
        return f"{self.key}={self.value} {self.status}: {self.orders:+d}"


class TrackedKey(models.Model):
    """A metadata property ``MetadataStats`` counts: the order schema's text and yes/no
    properties (not lists), added with every order's value counted in one go
    (``insights.services.track_metadata_keys``)."""

    key = models.CharField(max_length=100, primary_key=True)

    class Meta:
        verbose_name = "tracked metadata property"
        verbose_name_plural = "tracked metadata properties"

    def __str__(self) -> str:
        return self.key
