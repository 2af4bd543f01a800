"""Pieces the order admins share."""

from typing import Any

from django.contrib.admin.utils import quote
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from core.auth import signed_in

from ..actors import Actor


def admin_actor(request: HttpRequest) -> Actor:
    """The operator behind an admin request, as recorded on order events."""
    return Actor.for_user(signed_in(request), via="admin")


def order_link(order_id: str) -> SafeString:
    """A link to an order's admin page, built from its id alone (no join needed)."""
    # The admin escapes "_" and a few other characters in ids in its URLs ("ord_3F…" would
    # otherwise read as "ord?…"); quote() is its own escaping.
    url = reverse("admin:orders_order_change", args=[quote(order_id)])
    return format_html('<a href="{}">{}</a>', url, order_id)


class ReadOnlyAdminMixin:
    """An admin that only shows rows; they are written by ``orders.services``."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# An order item's columns, as the items changelist and the order page's inline show them.
ITEM_FIELDS = (
    "position",
    "related_object",
    "product",
    "sku",
    "source_id",
    "quantity",
    "price",
    "amount",
    "discount_amount",
    "subtotal_amount",
)
