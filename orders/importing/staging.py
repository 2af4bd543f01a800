"""The temporary staging tables an import COPYs valid orders into (PostgreSQL only).

Plain ``TEMP`` tables, dropped when the import ends and gone with the session or a rolled
back transaction, so an interrupted import leaves nothing behind and needs no migration.
"""

import os
from typing import Any

from core.ids import ALPHABET, CUSTOMER, ORDER, PRODUCT, RANDOM_LENGTH, SKU

from .parsing import PERSON_FIELDS
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
    "metadata",
)
PEOPLE_COLUMNS = ("ord", "new_id", *PERSON_FIELDS)
PRODUCT_COLUMNS = ("ord", "new_id", "source_id", "name")
SKU_COLUMNS = ("ord", "new_id", "source_id", "product_source", "sku")

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


# Random bytes below 248 (= 4 × 62) map onto the alphabet uniformly, the rest are dropped:
# ``core.ids.new_id``'s distribution, for a whole batch of ids in one ``os.urandom`` call.
_UNIFORM_LIMIT = 256 - 256 % len(ALPHABET)
_TO_ALPHABET = bytes(
    ord(ALPHABET[byte % len(ALPHABET)]) if byte < _UNIFORM_LIMIT else 0 for byte in range(256)
)
_DROPPED = bytes(range(_UNIFORM_LIMIT, 256))


class IdPool:
    """Fresh ids in ``core.ids``' shape (prefix + 24 random letters and digits), drawn from
    one buffer of random characters refilled 4,096 ids at a time."""

    CHUNK = 4_096 * RANDOM_LENGTH

    def __init__(self) -> None:
        self._characters = ""
        self._at = 0

    def take(self, prefix: str) -> str:
        at = self._at
        end = at + RANDOM_LENGTH
        if end > len(self._characters):
            self._refill()
            at, end = 0, RANDOM_LENGTH
        self._at = end
        return prefix + self._characters[at:end]

    def _refill(self) -> None:
        parts, count = [], 0
        while count < self.CHUNK:
            part = os.urandom(self.CHUNK + self.CHUNK // 16).translate(_TO_ALPHABET, _DROPPED)
            parts.append(part)
            count += len(part)
        self._characters = b"".join(parts).decode("ascii")
        self._at = 0


class StagedBatch:
    """The rows of one batch of valid orders, per staging table, ready to COPY."""

    def __init__(self, ids: IdPool | None = None) -> None:
        self.ids = ids or IdPool()
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
        take = self.ids.take
        self.orders.append(
            (
                ord_,
                file,
                line,
                take(ORDER),
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
                            take(CUSTOMER),
                            *[person.get(name, "") for name in PEOPLE_COLUMNS[2:]],
                        )
                    )
        items = self.items
        for position, item in enumerate(order.items):
            product_id, sku_id = item.product_source_id, item.sku_source_id
            items.append(
                (
                    ord_,
                    position,
                    item.related_object,
                    product_id,
                    sku_id,
                    item.source_id,
                    item.quantity,
                    item.price,
                    item.amount,
                    item.discount_amount,
                    item.subtotal_amount,
                    item.metadata_json,
                )
            )
            if product_id:
                key = ("product", product_id)
                if key not in seen:
                    seen.add(key)
                    self.products.append((ord_, take(PRODUCT), product_id, item.product_name))
            if sku_id:
                key = ("sku", sku_id)
                if key not in seen:
                    seen.add(key)
                    self.skus.append((ord_, take(SKU), sku_id, product_id, item.sku_name))

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
