"""The writers of bulk loads: which columns the order tables are loaded with, and COPY.

``import_orders`` COPYs into its staging tables and writes the order tables with
``INSERT … SELECT`` statements whose column lists come from here (``Table.into``,
``Table.select``); ``seed_demo`` COPYs its
generated rows straight into the order tables (``Table.copy``). Both take the tables'
columns from the lists below, so a column added to a table is added for both.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models

from catalog.models import SKU, Product
from customers.models import Customer
from orders.models import Order, OrderEvent, OrderItem


@dataclass(frozen=True)
class Table:
    """A table and the columns a bulk load writes, in row order."""

    name: str
    columns: tuple[str, ...]

    @classmethod
    def of(cls, model: type[models.Model], columns: tuple[str, ...]) -> "Table":
        """``model``'s table; ``columns`` are its fields' column names (``order_id``...)."""
        opts = model._meta
        known = {field.column for field in opts.concrete_fields}
        unknown = [name for name in columns if name not in known]
        if unknown:
            raise ValueError(f"{opts.db_table} has no column {', '.join(unknown)}")
        return cls(opts.db_table, columns)

    def with_id(self) -> "Table":
        """The same with the ``id`` column first, for rows that bring their own ids."""
        return Table(self.name, ("id", *self.columns))

    def copy(self, cursor: Any, rows: Iterable[tuple[Any, ...]]) -> int:
        """COPY ``rows`` (tuples in column order; JSON as text, datetimes aware) through
        psycopg 3's ``cursor.copy``; how many there were."""
        written = 0
        with cursor.copy(f"COPY {self.name} ({', '.join(self.columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                written += 1
        return written

    def into(self) -> str:
        """``INSERT INTO <table> (<columns>)``, for an ``INSERT … SELECT``."""
        return f"INSERT INTO {self.name} ({', '.join(self.columns)})"

    def select(self, values: Mapping[str, str], *, prefix: str = "") -> str:
        """The ``SELECT`` list of an ``INSERT … SELECT`` into the table: each column's
        expression is ``values[column]``, else the column of the same name after ``prefix``."""
        unknown = set(values) - set(self.columns)
        if unknown:
            raise ValueError(f"{self.name} has no column {', '.join(sorted(unknown))}")
        return ", ".join(values.get(name, f"{prefix}{name}") for name in self.columns)


PRODUCTS = Table.of(
    Product, ("id", "source_id", "name", "price", "metadata", "created_at", "updated_at")
)
SKUS = Table.of(
    SKU, ("id", "product_id", "source_id", "sku", "price", "metadata", "created_at", "updated_at")
)
CUSTOMERS = Table.of(
    Customer,
    (
        "id", "source_id", "name", "email", "phone", "description", "address_line_1",
        "address_line_2", "city", "state", "postal_code", "country", "metadata", "created_at",
        "updated_at", "orders_total_amount", "orders_total_count", "orders_last_order_amount",
        "orders_last_order_date",
    ),
)  # fmt: skip
ORDERS = Table.of(
    Order,
    (
        "id", "source_id", "status", "amount", "initial_amount", "discount_amount",
        "items_discount_amount", "total_discount_amount", "total_amount", "items_count",
        "customer_id", "referrer_id", "metadata", "created_at", "updated_at", "version",
    ),
)  # fmt: skip
# Items and events take their ids from their sequences, unless a load brings its own
# (``with_id``).
ITEMS = Table.of(
    OrderItem,
    (
        "order_id", "position", "related_object", "product_id", "sku_id", "source_id",
        "quantity", "price", "amount", "discount_amount", "subtotal_amount", "metadata",
    ),
)  # fmt: skip
EVENTS = Table.of(
    OrderEvent,
    (
        "order_id", "type", "actor_type", "actor_user_id", "actor_label", "changes", "version",
        "created_at",
    ),
)  # fmt: skip
