from django.shortcuts import get_object_or_404

from core.views import DashboardView

from .selectors import customers_visible_to


class CustomerListView(DashboardView):
    permission_required = "customers.view_customer"
    template_name = "customers/customer_list.html"
    nav = "customers"
    title = "Customers"


class CustomerDetailView(DashboardView):
    permission_required = "customers.view_customer"
    template_name = "customers/customer_detail.html"
    nav = "customers"

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        customer = get_object_or_404(
            customers_visible_to(self.request.user), pk=self.kwargs["customer_id"]
        )
        return super().get_context_data(customer=customer, title=str(customer), **kwargs)
