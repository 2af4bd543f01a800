"""``manage.py compact_order_stats``: fold the order statistics' rows now, as the periodic
task does every few minutes."""

import time
from typing import Any

from django.core.management.base import BaseCommand

from insights.services import compact_order_stats


class Command(BaseCommand):
    help = (
        "Fold the rows of each (quarter-hour or hour, status) of the order statistics into one, as "
        "the periodic task compact_order_stats does. Safe while orders are being written."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        result = compact_order_stats()
        elapsed = time.perf_counter() - started
        if not result.ran:
            self.stdout.write("Another compaction is running; nothing was done.")
            return
        self.stdout.write(
            f"Compacted the order statistics in {elapsed:.2f} s: {result.removed:,} rows "
            f"folded into {result.added:,}, and {result.hourly_removed:,} hourly rows into "
            f"{result.hourly_added:,}."
        )
