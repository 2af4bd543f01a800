"""One order: its page, and the Create order page."""

from django.shortcuts import get_object_or_404

from core.views import DashboardView

from ..models import Order
from ..selectors import orders_visible_to


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
