"""``manage.py recompute_customer_summaries``: rebuild every purchase summary from the orders."""

import time
from typing import Any

from django.core.management.base import BaseCommand

from orders.summaries import rebuild_all_purchase_summaries


class Command(BaseCommand):
    help = (
        "Recompute every customer's purchase summary (PAID and FULFILLED orders) from the "
        "orders in bulk. The order service keeps summaries current; run this after changing "
        "orders outside it (SQL, restores)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--database", default="default")

    def handle(self, *args: Any, database: str, **options: Any) -> None:
        started = time.perf_counter()
        result = rebuild_all_purchase_summaries(database)
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"Rebuilt purchase summaries in {elapsed:.2f} s: {result.updated:,} corrected "
            f"(customers with paid or fulfilled orders), {result.reset:,} emptied (customers "
            f"without any); every other summary was already right."
        )
