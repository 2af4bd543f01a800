"""Orders as the reference writes them (``object: "order"``, items ``object: "order_item"``).

Discount fields follow the reference's examples: an order's ``discount_amount``,
``items_discount_amount`` and ``total_discount_amount`` and an item's ``discount_amount`` are
written only when they are not zero.
"""

from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch, prefetch_related_objects

from catalog.models import SKU, Product
from orders.models import Order, OrderItem

from .format import timestamp


def with_items(orders: Iterable[Order]) -> list[Order]:
    """Load the orders' items with their products and SKUs in two queries."""
    orders = list(orders)
    prefetch_related_objects(
        orders,
        Prefetch("items", queryset=OrderItem.objects.select_related("product", "sku")),
    )
    return orders


def _product(product: Product) -> dict[str, Any]:
    body: dict[str, Any] = {"id": product.pk, "name": product.name}
    if product.source_id:
        body["source_id"] = product.source_id
    if product.price is not None:
        body["price"] = product.price
    body["metadata"] = product.metadata or {}
    return body


def _sku(sku: SKU) -> dict[str, Any]:
    body: dict[str, Any] = {"id": sku.pk, "sku": sku.sku}
    if sku.source_id:
        body["source_id"] = sku.source_id
    if sku.price is not None:
        body["price"] = sku.price
    body["metadata"] = sku.metadata or {}
    return body


def item_body(item: OrderItem) -> dict[str, Any]:
    body: dict[str, Any] = {"object": "order_item"}
    if item.source_id:
        body["source_id"] = item.source_id
    body["related_object"] = item.related_object
    if item.product_id:
        body["product_id"] = item.product_id
    if item.sku_id:
        body["sku_id"] = item.sku_id
    body.update(quantity=item.quantity, amount=item.amount)
    if item.discount_amount:
        body["discount_amount"] = item.discount_amount
    body.update(price=item.price, subtotal_amount=item.subtotal_amount)
    if item.product_id:
        body["product"] = _product(item.product)
    if item.sku_id:
        body["sku"] = _sku(item.sku)
    body["metadata"] = item.metadata or {}
    return body


def order_body(order: Order) -> dict[str, Any]:
    """The reference's order object; call ``with_items`` first for a list of orders."""
    body: dict[str, Any] = {
        "id": order.pk,
        "source_id": order.source_id,
        "created_at": timestamp(order.created_at),
        "updated_at": timestamp(order.updated_at),
        "status": order.status,
        "amount": order.amount,
    }
    for name in ("discount_amount", "items_discount_amount", "total_discount_amount"):
        if getattr(order, name):
            body[name] = getattr(order, name)
    body["total_amount"] = order.total_amount
    body["items"] = [item_body(item) for item in order.items.all()]
    body["metadata"] = order.metadata or {}
    if order.customer_id:
        body["customer"] = {"id": order.customer_id, "object": "customer"}
    body["customer_id"] = order.customer_id
    if order.referrer_id:
        body["referrer"] = {"id": order.referrer_id, "object": "customer"}
    body["referrer_id"] = order.referrer_id
    body["object"] = "order"
    return body
