"""Campaign hub › Orders: the list page."""

from core.views import DashboardView

from ..selectors import orders_visible_to

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
