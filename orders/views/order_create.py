"""Campaign hub › Orders › Create order."""

from core.views import DashboardView


class OrderCreateView(DashboardView):
    """Placeholder for the Create order wizard."""

    permission_required = "orders.add_order"
    template_name = "orders/order_form.html"
    nav = "orders"
    title = "Create order"
