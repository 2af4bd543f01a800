"""A customer's profile, and the create / edit forms."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404

from core.lists import url_with
from core.views import DashboardView
from metadata.forms import type_label
from metadata.validation import describe_properties
from orders.selectors import customer_orders_page, monthly_spend

from ..forms import CustomerForm
from ..models import Customer
from ..selectors import customers_visible_to
from ..services import create_customer, update_customer


class CustomerDetailView(DashboardView):
    """Profile, typed metadata, purchase summary, spend per month, orders and referrals."""

    permission_required = "customers.view_customer"
    template_name = "customers/customer_detail.html"
    nav = "customers"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        customer = get_object_or_404(
            customers_visible_to(self.request.user), pk=self.kwargs["customer_id"]
        )
        query = self.request.GET
        base = customer.get_absolute_url()
        properties = {prop.name: prop for prop in describe_properties("customer")}
        # (key, value, type for formatting, type as the schema form names it)
        metadata = [
            (key, value, properties[key].type, type_label(properties[key]))
            if key in properties
            else (key, value, "unknown", "not in the schema")
            for key, value in sorted((customer.metadata or {}).items())
        ]
        pages = {}
        for role, param in (("customer", "orders_page"), ("referrer", "referred_page")):
            try:
                number = max(1, int(query.get(param, "1")))
            except ValueError:
                number = 1
            page = customer_orders_page(self.request.user, customer, role=role, number=number)
            pages[role] = {
                "page": page,
                "previous": url_with(base, query, **{param: str(number - 1)})
                if page.has_previous
                else None,
                "next": url_with(base, query, **{param: str(number + 1)})
                if page.has_next
                else None,
            }
        return super().get_context_data(
            customer=customer,
            metadata=metadata,
            missing=[name for name in properties if name not in (customer.metadata or {})],
            months=monthly_spend(customer),
            orders=pages["customer"],
            referred=pages["referrer"],
            title=str(customer),
            **kwargs,
        )


class CustomerFormView(DashboardView):
    """Create a customer (no ``customer_id``) or edit one; writes through the services."""

    template_name = "customers/customer_form.html"
    nav = "customers"

    def get_permission_required(self) -> tuple[str, ...]:
        if "customer_id" in self.kwargs:
            return ("customers.view_customer", "customers.change_customer")
        return ("customers.view_customer", "customers.add_customer")

    def get_customer(self) -> Customer | None:
        if "customer_id" not in self.kwargs:
            return None
        return get_object_or_404(
            customers_visible_to(self.request.user), pk=self.kwargs["customer_id"]
        )

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        customer = self.get_customer()
        return self._render(CustomerForm(instance=customer), customer)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        customer = self.get_customer()
        form = CustomerForm(request.POST, instance=customer)
        if form.is_valid():
            try:
                if customer is None:
                    customer = create_customer(**form.service_kwargs())
                    messages.success(request, f"Customer {customer} created.")
                else:
                    customer = update_customer(customer, **form.service_kwargs())
                    messages.success(request, f"Customer {customer} saved.")
            except ValidationError as error:
                form.apply_errors(error)
            else:
                return HttpResponseRedirect(customer.get_absolute_url())
        return self._render(form, customer, status=400)

    def _render(
        self, form: CustomerForm, customer: Customer | None, status: int = 200
    ) -> HttpResponse:
        title = f"Edit {customer}" if customer else "Create customer"
        trail = [customer] if customer else []
        context = self.get_context_data(form=form, customer=customer, title=title, trail=trail)
        return self.render_to_response(context, status=status)
