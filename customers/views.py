import json

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET

from core.views import DashboardView
from orders.selectors import orders_visible_to

from .models import Customer
from .selectors import customers_visible_to, search_customers

CUSTOMER_LIST_LIMIT = 50
CUSTOMER_RECENT_ORDERS = 20
CUSTOMER_LOOKUP_LIMIT = 10


class CustomerListView(DashboardView):
    """The newest customers with their purchase summary."""

    permission_required = "customers.view_customer"
    template_name = "customers/customer_list.html"
    nav = "customers"
    title = "Customers"

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        customers = customers_visible_to(self.request.user)[:CUSTOMER_LIST_LIMIT]
        return super().get_context_data(customers=customers, limit=CUSTOMER_LIST_LIMIT, **kwargs)


class CustomerDetailView(DashboardView):
    """A customer's profile: contact details, purchase summary and recent orders."""

    permission_required = "customers.view_customer"
    template_name = "customers/customer_detail.html"
    nav = "customers"

    def get_customer(self) -> Customer:
        return get_object_or_404(
            customers_visible_to(self.request.user), pk=self.kwargs["customer_id"]
        )

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        customer = self.get_customer()
        orders = orders_visible_to(self.request.user).filter(customer=customer)
        return super().get_context_data(
            customer=customer,
            orders=orders[:CUSTOMER_RECENT_ORDERS],
            recent_limit=CUSTOMER_RECENT_ORDERS,
            title=str(customer),
            **kwargs,
        )


@login_required
@permission_required("customers.view_customer", raise_exception=True)
@require_GET
def customer_search(request: HttpRequest) -> HttpResponse:
    """Customers by name, email, id or source ID (``?q=``), at most ten, as suggestions that
    fill in the input named by ``field`` (the Create order wizard's Choose customer)."""
    text = request.GET.get("q", "")
    target = request.GET.get("field", "")
    suggestions = [
        {"customer": customer, "fill": json.dumps({target: customer.pk} if target else {})}
        for customer in search_customers(request.user, text, limit=CUSTOMER_LOOKUP_LIMIT)
    ]
    return TemplateResponse(
        request,
        "customers/_customer_results.html",
        {"suggestions": suggestions, "q": text.strip()},
    )
