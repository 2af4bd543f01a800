"""Items and events of all orders, read-only: only the order service writes them."""

from django.contrib import admin
from django.utils.safestring import SafeString

from core.admin_large_tables import ExactSearchMixin, LargeTableAdminMixin

from ..models import (
    OrderEvent,
    OrderItem,
)
from .common import ITEM_FIELDS, ReadOnlyAdminMixin, order_link


@admin.register(OrderItem)
class OrderItemAdmin(ReadOnlyAdminMixin, LargeTableAdminMixin, ExactSearchMixin, admin.ModelAdmin):
    """Every order's cart lines, read-only."""

    list_display = ("order_column", *ITEM_FIELDS)
    list_select_related = ("product", "sku")
    list_filter = ("related_object",)
    # "order_id", not "order": ordering by the relation would sort by the order's own
    # ordering through a join instead of reading the (order, position) index.
    ordering = ("order_id", "position")
    search_fields = ("order__id",)
    exact_search_fields = ("order_id",)
    search_help_text = "An exact order id."
    autocomplete_fields = ("order", "product", "sku")

    @admin.display(description="order", ordering="order_id")
    def order_column(self, obj: OrderItem) -> SafeString:
        return order_link(obj.order_id)


@admin.register(OrderEvent)
class OrderEventAdmin(ReadOnlyAdminMixin, LargeTableAdminMixin, ExactSearchMixin, admin.ModelAdmin):
    """The activity log of all orders, read-only."""

    list_display = ("created_at", "order_column", "type", "actor_type", "actor_label")
    list_filter = ("type", "actor_type")
    # Events are inserted in time order, so the primary key's index gives "newest first"
    # without an index on created_at over this, the biggest table.
    ordering = ("-id",)
    search_fields = ("order__id",)
    exact_search_fields = ("order_id",)
    search_help_text = "An exact order id."
    autocomplete_fields = ("order", "actor_user")

    @admin.display(description="order", ordering="order_id")
    def order_column(self, obj: OrderEvent) -> SafeString:
        return order_link(obj.order_id)
