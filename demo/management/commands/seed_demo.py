"""``manage.py seed_demo``: reproducible demo data, from 500 orders for a laptop to millions.

The data itself comes from ``demo.generator`` and is written by ``demo.load``; this
command checks its arguments and the database, and reports progress.
"""

from datetime import UTC, date, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS

from demo.generator import DemoSpec
from demo.load import (
    DEFAULT_CHUNK_SIZE,
    flush_demo,
    leftover_demo_rows,
    load_demo,
)
from orders.models import Order

EARLIEST_UNTIL = date(1980, 1, 1)


def default_referrers(customers: int) -> int:
    """One customer in twenty also refers orders (at least one when there are customers)."""
    return min(customers, max(1, customers // 20))


def parse_until(value: str | None) -> datetime:
    """``YYYY-MM-DD`` → that day at 00:00 UTC; ``None`` → today at 00:00 UTC."""
    if value is None:
        day = datetime.now(UTC).date()
    else:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise CommandError(
                f"--until must be a date such as 2025-06-30 (actual value is '{value}')."
            ) from None
    if day < EARLIEST_UNTIL:
        # Two years of history and a catalogue opened before it must stay representable.
        raise CommandError(f"--until must be {EARLIEST_UNTIL} or later (actual value is {day}).")
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


class Command(BaseCommand):
    help = (
        "Load reproducible demo data: a catalogue of products and SKUs, customers, and orders "
        "with items, activity events and the order metadata schema. Refuses to write into a "
        "database that already has orders unless --if-empty or --flush is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--orders", type=int, default=500, help="Orders to create (500).")
        parser.add_argument("--customers", type=int, default=100, help="Customers to create (100).")
        parser.add_argument(
            "--referrers",
            type=int,
            default=None,
            help="How many of the customers also refer orders (default: one in twenty).",
        )
        parser.add_argument(
            "--seed", type=int, default=1, help="Random seed; the same seed, the same data (1)."
        )
        parser.add_argument(
            "--until",
            default=None,
            metavar="YYYY-MM-DD",
            help="Orders are spread over the two years before this day (default: today, UTC).",
        )
        parser.add_argument(
            "--chunk-size",
            type=int,
            default=DEFAULT_CHUNK_SIZE,
            help=f"Orders generated and written at a time ({DEFAULT_CHUNK_SIZE:,}).",
        )
        when_not_empty = parser.add_mutually_exclusive_group()
        when_not_empty.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (and succeed) when the database already has orders.",
        )
        when_not_empty.add_argument(
            "--flush",
            action="store_true",
            help="Delete all orders, items, events, customers, products and SKUs first.",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args: Any, **options: Any) -> None:
        spec, chunk_size = self._spec(options)
        using = options["database"]

        if options["flush"]:
            deleted = flush_demo(using)
            self.stdout.write(
                f"Deleted the existing data ({deleted:,} orders), with its items, events, "
                "customers, products and SKUs."
            )
        elif Order.objects.using(using).exists():
            if options["if_empty"]:
                self.stdout.write("Orders already exist; no demo data loaded (--if-empty).")
                return
            raise CommandError(
                "The database already has orders; seed_demo writes only into an empty one. "
                "Add --flush to delete all orders, customers and the catalogue first, or "
                "--if-empty to leave the data as it is."
            )
        else:
            leftovers = leftover_demo_rows(using)
            if leftovers:
                raise CommandError(
                    f"There are no orders, but {' and '.join(leftovers)} with demo source IDs "
                    "(CUST-…, PROD-…, SKU-…) already exist. Add --flush to replace them."
                )

        self.stdout.write(
            f"Loading {spec.orders:,} orders, {spec.customers:,} customers "
            f"({spec.referrers:,} referrers), seed {spec.seed}, until {spec.until:%Y-%m-%d}..."
        )
        report = load_demo(
            spec,
            chunk_size=chunk_size,
            progress=self.stdout.write,
            using=using,
        )
        rate = report.orders / report.seconds if report.seconds else 0
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {report.products:,} products, {report.skus:,} SKUs, "
                f"{report.customers:,} customers, {report.orders:,} orders, "
                f"{report.items:,} items and {report.events:,} events "
                f"in {report.seconds:.1f} s ({rate:,.0f} orders/s)."
            )
        )

    def _spec(self, options: dict[str, Any]) -> tuple[DemoSpec, int]:
        # call_command() passes keyword options past argparse, so check everything here.
        if options["flush"] and options["if_empty"]:
            raise CommandError("Give either --flush or --if-empty, not both.")
        sizes = {}
        for name in ("orders", "customers", "chunk_size", "seed"):
            value = options[name]
            if isinstance(value, bool) or not isinstance(value, int):
                raise CommandError(f"--{name.replace('_', '-')} must be a whole number.")
            sizes[name] = value
        for name in ("orders", "customers"):
            if sizes[name] < 0:
                raise CommandError(f"--{name} cannot be negative (actual value is {sizes[name]}).")
        if sizes["chunk_size"] < 1:
            raise CommandError("--chunk-size must be at least 1.")

        referrers = options["referrers"]
        if referrers is None:
            referrers = default_referrers(sizes["customers"])
        if isinstance(referrers, bool) or not isinstance(referrers, int) or referrers < 0:
            raise CommandError(f"--referrers must be zero or more (actual value is {referrers}).")
        if referrers > sizes["customers"]:
            raise CommandError(
                f"--referrers ({referrers}) cannot exceed --customers ({sizes['customers']}): "
                "referrers are chosen among the customers."
            )
        spec = DemoSpec(
            orders=sizes["orders"],
            customers=sizes["customers"],
            referrers=referrers,
            seed=sizes["seed"],
            until=parse_until(options["until"]),
        )
        return spec, sizes["chunk_size"]
