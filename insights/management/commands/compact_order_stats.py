"""``manage.py compact_order_stats``: count the order schema's text and yes/no properties and
fold the order statistics' rows now, as the periodic task does every few minutes."""

import time
from typing import Any

from django.core.management.base import BaseCommand

from insights.services import compact_order_stats, track_metadata_keys


class Command(BaseCommand):
    help = (
        "Count the order schema's text and yes/no metadata properties in the order statistics "
        "(a property just added to the schema is counted over every order, holding writes "
        "meanwhile), then fold the rows of each group of the statistics into one, as the "
        "periodic task compact_order_stats does. Safe while orders are being written."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        tracking = track_metadata_keys()
        for key in tracking.added:
            self.stdout.write(f"Now counting the metadata property {key}.")
        for key in tracking.removed:
            self.stdout.write(f"No longer counting the metadata property {key}.")
        result = compact_order_stats()
        elapsed = time.perf_counter() - started
        if not result.ran:
            self.stdout.write("Another compaction is running; nothing was done.")
            return
        self.stdout.write(
            f"Compacted the order statistics in {elapsed:.2f} s: {result.removed:,} rows "
            f"folded into {result.added:,}, {result.hourly_removed:,} hourly rows into "
            f"{result.hourly_added:,} and {result.metadata_removed:,} metadata rows into "
            f"{result.metadata_added:,}."
        )
