from django.shortcuts import get_object_or_404

from core.views import DashboardView

from .selectors import orders_visible_to


class OrderListView(DashboardView):
    permission_required = "orders.view_order"
    template_name = "orders/order_list.html"
    nav = "orders"
    title = "Orders"

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        orders = orders_visible_to(self.request.user).select_related("customer")[:50]
        return super().get_context_data(orders=orders, **kwargs)


class OrderCreateView(DashboardView):
    permission_required = "orders.add_order"
    template_name = "orders/order_form.html"
    nav = "orders"
    title = "Create order"


class OrderDetailView(DashboardView):
    permission_required = "orders.view_order"
    template_name = "orders/order_detail.html"
    nav = "orders"

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        order = get_object_or_404(
            orders_visible_to(self.request.user).select_related("customer", "referrer"),
            pk=self.kwargs["order_id"],
        )
        return super().get_context_data(order=order, title=order.id, **kwargs)
