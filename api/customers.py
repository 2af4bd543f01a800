"""v1 customers: list, create (upsert by ``id`` / ``source_id``), get and update.

Every write goes through ``customers.services`` (the model's checks and the customer
metadata schema's); ``summary.orders`` is the purchase summary the order service keeps.
"""

from datetime import datetime
from typing import Any, Literal

import django_filters
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Query, Router

from core.ids import CUSTOMER, is_id
from customers.filters import CustomerFilter
from customers.models import Customer
from customers.selectors import customer_page
from customers.services import create_customer, update_customer

from .customer_schemas import (
    CustomerCreateIn,
    CustomerListOut,
    CustomerOut,
    CustomerUpdateIn,
    customer_body,
    service_changes,
)
from .errors import ApiError
from .order_schemas import ERRORS, IsoDateTime
from .query_dates import utc

router = Router()


# The sorts a list offers; a Literal, so the OpenAPI document states them.
ListOrder = Literal[
    "created_at", "-created_at", "updated_at", "-updated_at", "source_id", "-source_id"
]


class CustomerApiFilter(CustomerFilter):
    """The customers list's filters plus the reference's exact matches and strict date
    bounds (the API's ``created_at[before]`` … arrive here already in UTC)."""

    email = django_filters.CharFilter(field_name="email")
    city = django_filters.CharFilter(field_name="city")
    name = django_filters.CharFilter(field_name="name")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gt")
    updated_before = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="lt")
    updated_after = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gt")


def find_customer(id_or_source_id: str) -> Customer | None:
    """The customer with this ``id``, else the one with this ``source_id``."""
    if is_id(id_or_source_id, CUSTOMER):
        customer = Customer.objects.filter(pk=id_or_source_id).first()
        if customer is not None:
            return customer
    return Customer.objects.filter(source_id=id_or_source_id).first()


def _customer_or_404(id_or_source_id: str) -> Customer:
    customer = find_customer(id_or_source_id)
    if customer is None:
        raise ApiError.not_found("customer", id_or_source_id)
    return customer


@router.get("/customers", response={200: CustomerListOut, **ERRORS}, summary="List Customers")
def list_customers(
    request: HttpRequest,
    limit: int = Query(10, ge=1, le=100),
    page: int = Query(1, ge=1, le=99),
    email: str | None = None,
    city: str | None = None,
    name: str | None = None,
    created_before: IsoDateTime | None = Query(None, alias="created_at[before]"),
    created_after: IsoDateTime | None = Query(None, alias="created_at[after]"),
    updated_before: IsoDateTime | None = Query(None, alias="updated_at[before]"),
    updated_after: IsoDateTime | None = Query(None, alias="updated_at[after]"),
    order: ListOrder = Query("-created_at"),
) -> HttpResponse:
    """Customers with their purchase summary, newest first by default.

    `total` is exact up to 10,000 matches; past that it is PostgreSQL's estimate."""
    bounds = {
        "created_before": ("created_at[before]", created_before),
        "created_after": ("created_at[after]", created_after),
        "updated_before": ("updated_at[before]", updated_before),
        "updated_after": ("updated_at[after]", updated_after),
    }
    data: dict[str, str | datetime | None] = {"email": email, "city": city, "name": name}
    data |= {key: utc(value, alias) for key, (alias, value) in bounds.items() if value is not None}
    filterset = CustomerApiFilter(
        {key: value for key, value in data.items() if value}, queryset=Customer.objects.all()
    )
    if not filterset.is_valid():
        field, errors = next(iter(filterset.form.errors.items()))
        problems = " ".join(map(str, errors))
        raise ApiError(400, "invalid_query_params", details=f"Filter {field}: {problems}")
    customers = filterset.qs.order_by(order, "-id" if order.startswith("-") else "id")
    result = customer_page(customers, number=page, per_page=limit, estimable=filterset.estimable)
    body: dict[str, Any] = {
        "object": "list",
        "data_ref": "customers",
        "customers": [customer_body(customer) for customer in result.customers],
        "total": result.total,
        "has_more": result.has_next,
    }
    return JsonResponse(body)


@router.post("/customers", response={200: CustomerOut, **ERRORS}, summary="Create Customer")
def upsert_customer(request: HttpRequest, payload: CustomerCreateIn) -> HttpResponse:
    """Create a customer; an existing ``id`` or ``source_id`` updates that customer instead."""
    changes = service_changes(payload)
    with transaction.atomic():
        existing = None
        if payload.id:
            existing = Customer.objects.filter(pk=payload.id).first()
            if existing is None:
                raise ApiError.not_found("customer", payload.id)
        elif payload.source_id:
            existing = Customer.objects.filter(source_id=payload.source_id.strip()).first()
        if existing is not None:
            customer = update_customer(existing, **changes)
        else:
            customer = create_customer(**changes)
    return JsonResponse(customer_body(customer))


@router.get(
    "/customers/{customer_id}", response={200: CustomerOut, **ERRORS}, summary="Get Customer"
)
def get_customer(request: HttpRequest, customer_id: str) -> HttpResponse:
    """The customer by ``id`` or ``source_id``, with ``summary.orders``."""
    return JsonResponse(customer_body(_customer_or_404(customer_id)))


@router.put(
    "/customers/{customer_id}", response={200: CustomerOut, **ERRORS}, summary="Update Customer"
)
def put_customer(request: HttpRequest, customer_id: str, payload: CustomerUpdateIn) -> HttpResponse:
    """Partial update: fields not sent stay as they are. The path names the customer; ids
    never change, so an `id` in the body is not read (as in `PUT /v1/orders/{id}`)."""
    customer = _customer_or_404(customer_id)
    changes = service_changes(payload)
    return JsonResponse(customer_body(update_customer(customer, **changes)))
