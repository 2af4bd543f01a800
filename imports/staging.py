"""The temporary staging tables an import COPYs valid orders into (PostgreSQL only).

Plain ``TEMP`` tables, dropped when the import ends and gone with the session or a rolled
back transaction, so an interrupted import leaves nothing behind and needs no migration.
"""

from collections.abc import Iterator
from typing import Any, NamedTuple

from core.ids import CUSTOMER, ORDER, PRODUCT, SKU, id_stream
from orders.events import TOTAL_FIELDS

from .parsing import PERSON_FIELDS
from .validation import ValidOrder
from .writers import Table

ORDERS = "import_orders_stage"
ITEMS = "import_items_stage"
PEOPLE = "import_people_stage"
PRODUCTS = "import_products_stage"
SKUS = "import_skus_stage"

ORDER_COLUMNS = (
    "ord",
    "file",
    "line",
    "new_id",
    "source_id",
    "status",
    *TOTAL_FIELDS,
    "customer_source",
    "referrer_source",
    "metadata",
    "created_at",
)
ITEM_COLUMNS = (
    "ord",
    "position",
    "related_object",
    "product_source",
    "sku_source",
    "source_id",
    "quantity",
    "price",
    "amount",
    "discount_amount",
    "subtotal_amount",
    "metadata",
)
PEOPLE_COLUMNS = ("ord", "new_id", *PERSON_FIELDS)
PRODUCT_COLUMNS = ("ord", "new_id", "source_id", "name")
SKU_COLUMNS = ("ord", "new_id", "source_id", "product_source", "sku")
STAGED_ORDERS = Table(ORDERS, ORDER_COLUMNS)
STAGED_ITEMS = Table(ITEMS, ITEM_COLUMNS)
STAGED_PEOPLE = Table(PEOPLE, PEOPLE_COLUMNS)
STAGED_PRODUCTS = Table(PRODUCTS, PRODUCT_COLUMNS)
STAGED_SKUS = Table(SKUS, SKU_COLUMNS)

CREATE_SQL = f"""
DROP TABLE IF EXISTS {ORDERS}, {ITEMS}, {PEOPLE}, {PRODUCTS}, {SKUS}, import_plan;
CREATE TEMP TABLE {ORDERS} (
    ord bigint PRIMARY KEY, file text, line integer, new_id text, source_id text, status text,
    amount bigint, initial_amount bigint, discount_amount bigint, items_discount_amount bigint,
    total_discount_amount bigint, total_amount bigint, items_count bigint,
    customer_source text, referrer_source text, metadata jsonb, created_at timestamptz
);
CREATE TEMP TABLE {ITEMS} (
    ord bigint, position integer, related_object text, product_source text, sku_source text,
    source_id text, quantity bigint, price bigint, amount bigint, discount_amount bigint,
    subtotal_amount bigint, metadata jsonb
);
CREATE TEMP TABLE {PEOPLE} (
    ord bigint, new_id text, source_id text, name text, email text, phone text, address_line_1 text,
    address_line_2 text, city text, state text, postal_code text, country text
);
CREATE TEMP TABLE {PRODUCTS} (ord bigint, new_id text, source_id text, name text);
CREATE TEMP TABLE {SKUS} (ord bigint, new_id text, source_id text, product_source text, sku text);
"""
DROP_SQL = f"DROP TABLE IF EXISTS {ORDERS}, {ITEMS}, {PEOPLE}, {PRODUCTS}, {SKUS}, import_plan"


class NewIds(NamedTuple):
    """Where staged rows take their fresh ids: one ``core.ids.id_stream`` per kind, shared
    by the batches of one import."""

    orders: Iterator[str]
    customers: Iterator[str]
    products: Iterator[str]
    skus: Iterator[str]

    @classmethod
    def start(cls) -> "NewIds":
        return cls(id_stream(ORDER), id_stream(CUSTOMER), id_stream(PRODUCT), id_stream(SKU))


class StagedBatch:
    """The rows of one batch of valid orders, per staging table, ready to COPY."""

    def __init__(self, ids: NewIds | None = None) -> None:
        self.ids = ids or NewIds.start()
        self.orders: list[tuple[Any, ...]] = []
        self.items: list[tuple[Any, ...]] = []
        self.people: list[tuple[Any, ...]] = []
        self.products: list[tuple[Any, ...]] = []
        self.skus: list[tuple[Any, ...]] = []
        # Within a batch each customer/product/SKU is staged once (its first occurrence);
        # across batches the upsert's DISTINCT ON keeps the first.
        self._seen: set[tuple[str, str]] = set()

    def __len__(self) -> int:
        return len(self.orders)

    def add(self, ord_: int, file: str, line: int, order: ValidOrder) -> None:
        totals = order.totals
        customer, referrer = order.customer, order.referrer
        ids = self.ids
        self.orders.append(
            (
                ord_,
                file,
                line,
                next(ids.orders),
                order.source_id,
                order.status,
                totals.amount,
                totals.initial_amount,
                totals.discount_amount,
                totals.items_discount_amount,
                totals.total_discount_amount,
                totals.total_amount,
                totals.items_count,
                customer["source_id"] if customer else None,
                referrer["source_id"] if referrer else None,
                order.metadata_json,
                order.created_at.isoformat() if order.created_at else None,
            )
        )
        seen = self._seen
        for person in (customer, referrer):
            if person:
                key = ("person", person["source_id"])
                if key not in seen:
                    seen.add(key)
                    self.people.append(
                        (
                            ord_,
                            next(ids.customers),
                            *[person.get(name, "") for name in PEOPLE_COLUMNS[2:]],
                        )
                    )
        items = self.items
        for position, (item, computed) in enumerate(zip(order.items, totals.items, strict=True)):
            product_id, sku_id = item.product_source_id, item.sku_source_id
            items.append(
                (
                    ord_,
                    position,
                    item.related_object,
                    product_id,
                    sku_id,
                    item.source_id,
                    computed.quantity,
                    computed.price,
                    computed.amount,
                    computed.discount_amount,
                    computed.subtotal_amount,
                    item.metadata_json,
                )
            )
            if product_id:
                key = ("product", product_id)
                if key not in seen:
                    seen.add(key)
                    self.products.append((ord_, next(ids.products), product_id, item.product_name))
            if sku_id:
                key = ("sku", sku_id)
                if key not in seen:
                    seen.add(key)
                    self.skus.append((ord_, next(ids.skus), sku_id, product_id, item.sku_name))

    def tables(self) -> list[tuple[Table, list[tuple[Any, ...]]]]:
        return [
            (STAGED_ORDERS, self.orders),
            (STAGED_ITEMS, self.items),
            (STAGED_PEOPLE, self.people),
            (STAGED_PRODUCTS, self.products),
            (STAGED_SKUS, self.skus),
        ]


def copy_batch(cursor: Any, batch: StagedBatch) -> None:
    """COPY one batch into the staging tables (the bulk loads' one writer)."""
    for table, rows in batch.tables():
        if rows:
            table.copy(cursor, rows)
