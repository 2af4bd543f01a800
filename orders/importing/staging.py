"""The temporary staging tables an import COPYs valid orders into (PostgreSQL only).

Plain ``TEMP`` tables, dropped when the import ends and gone with the session or a rolled
back transaction, so an interrupted import leaves nothing behind and needs no migration.
"""

import json
from typing import Any

from core.ids import CUSTOMER, ORDER, PRODUCT, SKU, new_id

from .validation import ValidOrder

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
    "amount",
    "initial_amount",
    "discount_amount",
    "items_discount_amount",
    "total_discount_amount",
    "total_amount",
    "items_count",
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
)
PEOPLE_COLUMNS = (
    "ord",
    "new_id",
    "source_id",
    "name",
    "email",
    "phone",
    "address_line_1",
    "address_line_2",
    "city",
    "state",
    "postal_code",
    "country",
)
PRODUCT_COLUMNS = ("new_id", "source_id", "name")
SKU_COLUMNS = ("new_id", "source_id", "product_source", "sku")

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
    subtotal_amount bigint
);
CREATE TEMP TABLE {PEOPLE} (
    ord bigint, new_id text, source_id text, name text, email text, phone text, address_line_1 text,
    address_line_2 text, city text, state text, postal_code text, country text
);
CREATE TEMP TABLE {PRODUCTS} (new_id text, source_id text, name text);
CREATE TEMP TABLE {SKUS} (new_id text, source_id text, product_source text, sku text);
"""
DROP_SQL = f"DROP TABLE IF EXISTS {ORDERS}, {ITEMS}, {PEOPLE}, {PRODUCTS}, {SKUS}, import_plan"


class StagedBatch:
    """The rows of one batch of valid orders, per staging table, ready to COPY."""

    def __init__(self) -> None:
        self.orders: list[tuple[Any, ...]] = []
        self.items: list[tuple[Any, ...]] = []
        self.people: list[tuple[Any, ...]] = []
        self.products: list[tuple[Any, ...]] = []
        self.skus: list[tuple[Any, ...]] = []
        # Within a batch each customer/product/SKU is staged once; across batches the
        # upsert's DISTINCT ON keeps the first.
        self._seen: set[tuple[str, str]] = set()

    def __len__(self) -> int:
        return len(self.orders)

    def add(self, ord_: int, file: str, line: int, order: ValidOrder) -> None:
        totals = order.totals
        self.orders.append(
            (
                ord_,
                file,
                line,
                new_id(ORDER),
                order.source_id,
                order.status,
                totals.amount,
                totals.initial_amount,
                totals.discount_amount,
                totals.items_discount_amount,
                totals.total_discount_amount,
                totals.total_amount,
                totals.items_count,
                order.customer["source_id"] if order.customer else None,
                order.referrer["source_id"] if order.referrer else None,
                json.dumps(order.metadata),
                order.created_at,
            )
        )
        for person in (order.customer, order.referrer):
            if person and self._first("person", person["source_id"]):
                self.people.append(
                    (
                        ord_,
                        new_id(CUSTOMER),
                        *(person.get(name, "") for name in PEOPLE_COLUMNS[2:]),
                    )
                )
        for position, item in enumerate(order.items):
            self.items.append(
                (
                    ord_,
                    position,
                    item.related_object,
                    item.product_source_id,
                    item.sku_source_id,
                    item.source_id,
                    item.quantity,
                    item.price,
                    item.amount,
                    item.discount_amount,
                    item.subtotal_amount,
                )
            )
            if item.product_source_id and self._first("product", item.product_source_id):
                self.products.append((new_id(PRODUCT), item.product_source_id, item.product_name))
            if item.sku_source_id and self._first("sku", item.sku_source_id):
                self.skus.append(
                    (new_id(SKU), item.sku_source_id, item.product_source_id, item.sku_name)
                )

    def _first(self, kind: str, source_id: str) -> bool:
        key = (kind, source_id)
        if key in self._seen:
            return False
        self._seen.add(key)
        return True

    def tables(self) -> list[tuple[str, tuple[str, ...], list[tuple[Any, ...]]]]:
        return [
            (ORDERS, ORDER_COLUMNS, self.orders),
            (ITEMS, ITEM_COLUMNS, self.items),
            (PEOPLE, PEOPLE_COLUMNS, self.people),
            (PRODUCTS, PRODUCT_COLUMNS, self.products),
            (SKUS, SKU_COLUMNS, self.skus),
        ]


def copy_batch(cursor: Any, batch: StagedBatch) -> None:
    """COPY one batch into the staging tables (psycopg 3's ``cursor.copy``)."""
    for table, columns, rows in batch.tables():
        if not rows:
            continue
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
