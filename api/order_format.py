"""Orders as the reference writes them (``object: "order"``, items ``object: "order_item"``).

Discount fields follow the reference's examples: an order's ``discount_amount``,
``items_discount_amount`` and ``total_discount_amount`` and an item's ``discount_amount`` are
written only when they are not zero.

One formatter, fed plain values: ``order_bodies(ids)`` reads a page's orders and items as
rows (``values_list``, no model instances: for a list of 100 orders and their items building
instances cost more than the SQL); ``order_body(order)`` formats an ``Order`` instance the
same way, for the one-order operations.
"""

import json
from collections.abc import Iterable, Sequence
from typing import Any

import orjson
from django.db import connections
from django.db.models import Prefetch, QuerySet, prefetch_related_objects

from orders.models import Order, OrderItem

from .format import timestamp

# The columns the formatter reads, in the order of its rows.
ORDER_COLUMNS = (
    "id",
    "source_id",
    "created_at",
    "updated_at",
    "status",
    "amount",
    "discount_amount",
    "items_discount_amount",
    "total_discount_amount",
    "total_amount",
    "metadata",
    "customer_id",
    "referrer_id",
)
ITEM_COLUMNS = (
    "source_id",
    "related_object",
    "product_id",
    "sku_id",
    "quantity",
    "amount",
    "discount_amount",
    "price",
    "subtotal_amount",
    "metadata",
    "product__name",
    "product__source_id",
    "product__price",
    "product__metadata",
    "sku__sku",
    "sku__source_id",
    "sku__price",
    "sku__metadata",
)


def with_items(orders: Iterable[Order]) -> list[Order]:
    """Load the orders' items with their products and SKUs in one query."""
    orders = list(orders)
    prefetch_related_objects(
        orders,
        Prefetch("items", queryset=OrderItem.objects.select_related("product", "sku")),
    )
    return orders


def _item(row: Sequence[Any]) -> dict[str, Any]:
    """An item from its ``ITEM_COLUMNS`` values."""
    (
        source_id,
        related_object,
        product_id,
        sku_id,
        quantity,
        amount,
        discount_amount,
        price,
        subtotal_amount,
        metadata,
        product_name,
        product_source_id,
        product_price,
        product_metadata,
        sku_code,
        sku_source_id,
        sku_price,
        sku_metadata,
    ) = row
    body: dict[str, Any] = {"object": "order_item"}
    if source_id:
        body["source_id"] = source_id
    body["related_object"] = related_object
    if product_id:
        body["product_id"] = product_id
    if sku_id:
        body["sku_id"] = sku_id
    body["quantity"] = quantity
    body["amount"] = amount
    if discount_amount:
        body["discount_amount"] = discount_amount
    body["price"] = price
    body["subtotal_amount"] = subtotal_amount
    if product_id:
        # Keys in the schema's order (ProductOut, SkuOut), as the contract's bytes have them.
        product: dict[str, Any] = {"id": product_id}
        if product_source_id:
            product["source_id"] = product_source_id
        product["name"] = product_name
        if product_price is not None:
            product["price"] = product_price
        product["metadata"] = product_metadata or {}
        body["product"] = product
    if sku_id:
        sku: dict[str, Any] = {"id": sku_id}
        if sku_source_id:
            sku["source_id"] = sku_source_id
        sku["sku"] = sku_code
        if sku_price is not None:
            sku["price"] = sku_price
        sku["metadata"] = sku_metadata or {}
        body["sku"] = sku
    body["metadata"] = metadata or {}
    return body


def _order(row: Sequence[Any], items: list[dict[str, Any]]) -> dict[str, Any]:
    """An order from its ``ORDER_COLUMNS`` values and its formatted items."""
    (
        pk,
        source_id,
        created_at,
        updated_at,
        status,
        amount,
        discount_amount,
        items_discount_amount,
        total_discount_amount,
        total_amount,
        metadata,
        customer_id,
        referrer_id,
    ) = row
    body: dict[str, Any] = {
        "id": pk,
        "source_id": source_id,
        "created_at": timestamp(created_at),
        "updated_at": timestamp(updated_at),
        "status": status,
        "amount": amount,
    }
    if discount_amount:
        body["discount_amount"] = discount_amount
    if items_discount_amount:
        body["items_discount_amount"] = items_discount_amount
    if total_discount_amount:
        body["total_discount_amount"] = total_discount_amount
    body["total_amount"] = total_amount
    body["items"] = items
    body["metadata"] = metadata or {}
    if customer_id:
        body["customer"] = {"id": customer_id, "object": "customer"}
    body["customer_id"] = customer_id
    if referrer_id:
        body["referrer"] = {"id": referrer_id, "object": "customer"}
    body["referrer_id"] = referrer_id
    body["object"] = "order"
    return body


def order_bodies(ids: Sequence[str], *, raw_json: bool = False) -> list[dict[str, Any]]:
    """The reference's order objects for ``ids``, in that order, in two queries (the orders;
    their items joined to products and SKUs). Ids of orders that no longer exist are skipped.

    ``raw_json=True`` leaves each metadata object as the database wrote it, wrapped in an
    ``orjson.Fragment`` that ``orjson.dumps`` writes out as is: a page's JSON is then never
    parsed only to be written again (the values are PostgreSQL's ``jsonb`` text, exactly:
    numbers keep every digit). Only ``orjson.dumps`` can write such bodies."""
    if not ids:
        return []
    metadata = _RawJsonColumn() if raw_json else _JsonColumn()
    orders = {}
    for row in _raw_rows(Order.objects.filter(pk__in=ids).values_list(*ORDER_COLUMNS)):
        row[ORDER_METADATA] = metadata.load(row[ORDER_METADATA], share=False)
        orders[row[0]] = row
    items: dict[str, list[dict[str, Any]]] = {pk: [] for pk in orders}
    rows = (
        OrderItem.objects.filter(order_id__in=list(orders))
        .order_by("order_id", "position")
        .values_list("order_id", *ITEM_COLUMNS)
    )
    for order_id, *row in _raw_rows(rows):
        row[ITEM_METADATA] = metadata.load(row[ITEM_METADATA], share=False)
        # A page's items repeat a few products and SKUs: their metadata is read once each.
        row[PRODUCT_METADATA] = metadata.load(row[PRODUCT_METADATA], share=True)
        row[SKU_METADATA] = metadata.load(row[SKU_METADATA], share=True)
        items[order_id].append(_item(row))
    return [_order(orders[pk], items[pk]) for pk in ids if pk in orders]


ORDER_METADATA = ORDER_COLUMNS.index("metadata")
ITEM_METADATA = ITEM_COLUMNS.index("metadata")
PRODUCT_METADATA = ITEM_COLUMNS.index("product__metadata")
SKU_METADATA = ITEM_COLUMNS.index("sku__metadata")


def _raw_rows(queryset: QuerySet) -> list[list[Any]]:
    """``queryset``'s rows as lists, as the database driver gives them: without Django's
    per-value converters, which only parse the JSON columns here (``_JsonColumn`` does that)
    and cost more than the rest of a page's formatting."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return [list(row) for row in cursor.fetchall()]


class _JsonColumn:
    """Parses ``jsonb`` text as ``JSONField`` does (``None`` stays ``None``); ``share=True``
    parses each distinct text once and hands out the same object (only serialized after)."""

    def __init__(self) -> None:
        self._parsed: dict[str, Any] = {}

    def load(self, text: str | None, *, share: bool) -> Any:
        if text is None:
            return None
        if not share:
            return json.loads(text)
        if text not in self._parsed:
            self._parsed[text] = json.loads(text)
        return self._parsed[text]


class _RawJsonColumn:
    """``jsonb`` text kept as text, for ``orjson.dumps`` to write out unparsed."""

    def load(self, text: str | None, *, share: bool) -> orjson.Fragment | None:
        return None if text is None else orjson.Fragment(text)


def _item_values(item: OrderItem) -> tuple[Any, ...]:
    product, sku = item.product if item.product_id else None, item.sku if item.sku_id else None
    return (
        item.source_id,
        item.related_object,
        item.product_id,
        item.sku_id,
        item.quantity,
        item.amount,
        item.discount_amount,
        item.price,
        item.subtotal_amount,
        item.metadata,
        product and product.name,
        product and product.source_id,
        product and product.price,
        product and product.metadata,
        sku and sku.sku,
        sku and sku.source_id,
        sku and sku.price,
        sku and sku.metadata,
    )


def item_body(item: OrderItem) -> dict[str, Any]:
    """The reference's order item for an ``OrderItem`` (its product and SKU loaded)."""
    return _item(_item_values(item))


def order_body(order: Order) -> dict[str, Any]:
    """The reference's order object for an ``Order``; call ``with_items`` first for a list of
    orders (or use ``order_bodies``)."""
    row = tuple(getattr(order, "pk" if name == "id" else name) for name in ORDER_COLUMNS)
    return _order(row, [item_body(item) for item in order.items.all()])
