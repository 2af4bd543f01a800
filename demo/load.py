"""Loads the rows of ``demo.generator`` into the database, fast and in bounded memory.

Rows go to PostgreSQL through COPY (psycopg 3's ``cursor.copy`` / ``write_row``). Orders are
generated and written a chunk at a time, so memory does not grow with their number, and the
whole load is one transaction, so a failure never leaves part of it behind.
"""

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from typing import Any

from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.models import Max

from catalog.models import SKU, Product
from customers.models import Customer
from imports import writers
from imports.writers import Table
from insights.models import TrackedKey
from insights.services import track_metadata_keys
from metadata.models import MetadataProperty, MetadataSchema
from orders.models import Order, OrderEvent, OrderItem
from orders.summaries import rebuild_all_purchase_summaries

from . import vocabulary
from .generator import DemoGenerator, DemoSpec

DEFAULT_CHUNK_SIZE = 10_000  # orders generated, then written, at a time
DEMO_SOURCE_PREFIXES = {Customer: "CUST-", Product: "PROD-", SKU: "SKU-"}

Progress = Callable[[str], None]

# The importer's tables and columns; items and events with the ids the generator gives them.
PRODUCTS, SKUS, CUSTOMERS = writers.PRODUCTS, writers.SKUS, writers.CUSTOMERS
ORDERS = writers.ORDERS
ITEMS, EVENTS = writers.ITEMS.with_id(), writers.EVENTS.with_id()
# In the order their rows can be deleted: children before parents.
DEMO_TABLES = (EVENTS, ITEMS, ORDERS, SKUS, PRODUCTS, CUSTOMERS)
# The big tables, loaded without their secondary indexes and foreign keys.
BULK_TABLES = (CUSTOMERS, ORDERS, ITEMS, EVENTS)


@dataclass(frozen=True)
class LoadReport:
    products: int
    skus: int
    customers: int
    orders: int
    items: int
    events: int
    seconds: float


def leftover_demo_rows(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Names of the tables that already hold rows with demo source ids (``CUST-…``)."""
    return [
        str(model._meta.verbose_name_plural)
        for model, prefix in DEMO_SOURCE_PREFIXES.items()
        if model._default_manager.using(using).filter(source_id__startswith=prefix).exists()
    ]


def flush_demo(using: str = DEFAULT_DB_ALIAS) -> int:
    """Delete every order, item, event, customer, product and SKU; return the orders deleted.

    Metadata schemas stay: they are configuration, and ``load_demo`` updates them in place.
    """
    connection = connections[using]
    deleted = Order.objects.using(using).count()
    names = [table.name for table in DEMO_TABLES]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        # One TRUNCATE of the whole group: instant, where DELETE would take minutes at a
        # million orders. It fails loudly if a table outside the group points at them.
        # PostgreSQL refuses to truncate while deferred foreign-key checks are pending,
        # which happens when the caller's transaction (a test's, say) has inserted rows:
        # run those checks now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {', '.join(names)}")
    return deleted


def ensure_order_metadata_schema(using: str = DEFAULT_DB_ALIAS) -> MetadataSchema:
    """Create or update the order metadata schema so it defines the keys the demo uses.

    Idempotent: each key is an optional string property whose allowed values are the
    demo's; other properties and ``allow_defined_only`` are left as they are.
    """
    schema, _ = MetadataSchema.objects.using(using).get_or_create(
        related_object=MetadataSchema.RelatedObject.ORDER
    )
    for name, values in vocabulary.ORDER_METADATA_VALUES.items():
        MetadataProperty.objects.using(using).update_or_create(
            schema=schema,
            name=name,
            defaults={
                "type": MetadataProperty.Type.STRING,
                "optional": True,
                "array": False,
                "deleted": False,
                "eq": list(values),
            },
        )
    return schema


@contextmanager
def _indexes_built_afterwards(
    cursor: Any, tables: Sequence[Table], say: Progress
) -> Iterator[None]:
    """Drop the tables' foreign keys and secondary indexes, and create them again on exit.

    PostgreSQL's advice for bulk loads ("Populating a Database"): one sort-based index build
    and one validating join per constraint cost a fraction of millions of single-row index
    insertions and foreign-key checks. The definitions are read from the catalogue, so the
    same names and definitions come back, whatever the migrations made. Run it inside the
    load's transaction: DDL is transactional in PostgreSQL, so a failure restores the indexes
    together with everything else, and other sessions wait for these tables meanwhile.
    Primary keys and unique constraints stay (other tables may point at them).
    """
    names = [table.name for table in tables]
    cursor.execute(
        "SELECT bool_and(pg_has_role(relowner, 'USAGE')) FROM pg_class "
        "WHERE oid = ANY(%s::regclass[])",
        [names],
    )
    if not cursor.fetchone()[0]:
        # Only the tables' owner may drop their indexes: load the slow way rather than fail.
        say("indexes: kept while loading (this database user does not own the tables)")
        yield
        return

    # regclass::text is already quoted where needed.
    cursor.execute(
        """
        SELECT conrelid::regclass::text, quote_ident(conname), pg_get_constraintdef(oid)
        FROM pg_constraint
        WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])
        ORDER BY 1, 2
        """,
        [names],
    )
    foreign_keys = cursor.fetchall()
    cursor.execute(
        """
        SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid)
        FROM pg_index
        WHERE indrelid = ANY(%s::regclass[])
          AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = indexrelid)
        ORDER BY 1
        """,
        [names],
    )
    indexes = cursor.fetchall()
    # Dropping a foreign key alters the table it points at too, which PostgreSQL refuses while
    # that table has deferred checks pending (the SKUs just written point at products): run
    # them now.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for table, constraint, _ in foreign_keys:
        cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {constraint}")
    for index, _ in indexes:
        cursor.execute(f"DROP INDEX {index}")

    yield  # an exception propagates: the transaction's rollback brings everything back

    started = time.perf_counter()
    # Enough memory to sort a few million index entries without spilling; this transaction only.
    cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    for _, definition in indexes:
        cursor.execute(definition)
    for table, constraint, definition in foreign_keys:
        cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {constraint} {definition}")
    say(
        f"indexes: {len(indexes)} rebuilt, {len(foreign_keys)} foreign keys re-added and checked "
        f"({time.perf_counter() - started:.1f} s)"
    )


def _next_id(model: type[models.Model], using: str) -> int:
    highest = model._default_manager.using(using).aggregate(highest=Max("id"))["highest"]
    return (highest or 0) + 1


def load_demo(
    spec: DemoSpec,
    *,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    progress: Progress | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> LoadReport:
    """Generate the demo data of ``spec`` and write it; the caller checks the database is empty.

    One transaction: a failure leaves nothing behind. Rows are generated and written a chunk
    of orders at a time, so memory stays flat whatever the size. The data never depends on
    the chunk size.
    """
    connection = connections[using]
    say = progress or (lambda message: None)
    started = time.perf_counter()
    generator = DemoGenerator(spec)

    with transaction.atomic(using=using), connection.cursor() as cursor:
        product_rows, sku_rows = generator.catalogue()
        products = PRODUCTS.copy(cursor, product_rows)
        skus = SKUS.copy(cursor, sku_rows)
        ensure_order_metadata_schema(using)
        # The insights statistics count the schema's text properties per value once the
        # orders are in, in one go, rather than the triggers doing it for each chunk as it is
        # written (which made the orders' load half as long again). Nothing is counted yet:
        # the orders are empty.
        TrackedKey.objects.using(using).all().delete()

        with _indexes_built_afterwards(cursor, BULK_TABLES, say):
            customers = CUSTOMERS.copy(cursor, generator.customers())
            say(
                f"catalogue: {products:,} products, {skus:,} SKUs; {customers:,} customers "
                f"({time.perf_counter() - started:.1f} s)"
            )

            # Item and event ids are explicit so that they, too, are the same on every run.
            order_rows = generator.orders(
                first_item_id=_next_id(OrderItem, using),
                first_event_id=_next_id(OrderEvent, using),
            )
            orders = items = events = 0
            while chunk := list(islice(order_rows, chunk_size)):
                orders += ORDERS.copy(cursor, (rows.order for rows in chunk))
                items += ITEMS.copy(cursor, (item for rows in chunk for item in rows.items))
                events += EVENTS.copy(cursor, (rows.event for rows in chunk))
                say(
                    f"orders: {orders:,}/{spec.orders:,} "
                    f"({100 * orders // max(spec.orders, 1)}%), {items:,} items "
                    f"({time.perf_counter() - started:.1f} s)"
                )

            tracking = track_metadata_keys(using)
            say(
                f"insights: {len(tracking.added)} metadata properties counted "
                f"({time.perf_counter() - started:.1f} s)"
            )

            # Before the customers' indexes come back: far fewer index entries to rewrite.
            summaries = rebuild_all_purchase_summaries(using).updated
            say(
                f"purchase summaries: {summaries:,} customers "
                f"({time.perf_counter() - started:.1f} s)"
            )

        # Explicit ids leave the id sequences behind; the next order item must not clash.
        for statement in connection.ops.sequence_reset_sql(no_style(), [OrderItem, OrderEvent]):
            cursor.execute(statement)

    # Fresh statistics, so the first queries on a million rows get sensible plans.
    tables = ", ".join(table.name for table in DEMO_TABLES)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")
    say(f"analyze: done ({time.perf_counter() - started:.1f} s)")

    return LoadReport(
        products=products,
        skus=skus,
        customers=customers,
        orders=orders,
        items=items,
        events=events,
        seconds=time.perf_counter() - started,
    )
