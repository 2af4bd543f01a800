"""The customer type-ahead of the Create order wizard."""

import json

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET

from ..selectors import search_customers

CUSTOMER_LOOKUP_LIMIT = 10


@login_required
@permission_required("customers.view_customer", raise_exception=True)
@require_GET
def customer_search(request: HttpRequest) -> HttpResponse:
    """Customers by name, email, id or source ID (``?q=``), at most ten, as suggestions that
    fill in the input named by ``field`` (the Create order wizard's Choose customer) with
    the customer's name, and its ``<field>_id`` companion with the id."""
    text = request.GET.get("q", "")
    target = request.GET.get("field", "")
    suggestions = [
        {
            "customer": customer,
            "fill": json.dumps(
                {target: str(customer), f"{target}_id": customer.pk} if target else {}
            ),
        }
        for customer in search_customers(request.user, text, limit=CUSTOMER_LOOKUP_LIMIT)
    ]
    return TemplateResponse(
        request,
        "customers/_customer_results.html",
        {"suggestions": suggestions, "q": text.strip()},
    )
