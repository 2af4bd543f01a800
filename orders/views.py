from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from core.views import DashboardView

from .models import MetadataProperty, MetadataSchema, Order
from .selectors import orders_visible_to

# The list shows the newest orders only until filters and paging arrive; a COUNT(*) over a
# million rows is never run for it.
ORDER_LIST_LIMIT = 50


class OrderListView(DashboardView):
    """Campaign hub › Orders: the newest orders with the columns of the Orders view."""

    permission_required = "orders.view_order"
    template_name = "orders/order_list.html"
    nav = "orders"
    title = "Orders"

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        orders = orders_visible_to(self.request.user).select_related("customer")
        return super().get_context_data(
            orders=orders[:ORDER_LIST_LIMIT], limit=ORDER_LIST_LIMIT, **kwargs
        )


class OrderCreateView(DashboardView):
    """Placeholder for the Create order wizard."""

    permission_required = "orders.add_order"
    template_name = "orders/order_form.html"
    nav = "orders"
    title = "Create order"


class OrderDetailView(DashboardView):
    """One order's header, amounts and cart."""

    permission_required = "orders.view_order"
    template_name = "orders/order_detail.html"
    nav = "orders"

    def get_order(self) -> Order:
        return get_object_or_404(
            orders_visible_to(self.request.user).select_related("customer", "referrer"),
            pk=self.kwargs["order_id"],
        )

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        order = self.get_order()
        items = order.items.select_related("product", "sku")
        return super().get_context_data(order=order, items=items, title=order.id, **kwargs)


class MetadataSchemaListView(DashboardView):
    """Project settings › Metadata schemas, read-only."""

    permission_required = "orders.view_metadataschema"
    template_name = "orders/metadataschema_list.html"
    nav = "settings"
    section = "Project settings"
    title = "Metadata schemas"

    def get_schemas(self) -> QuerySet[MetadataSchema]:
        properties = MetadataProperty.objects.order_by("deleted", "name")
        return MetadataSchema.objects.prefetch_related(Prefetch("properties", properties))

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        return super().get_context_data(schemas=self.get_schemas(), **kwargs)
