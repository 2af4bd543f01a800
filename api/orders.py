"""v1 orders: create or upsert, get, partial update and list (the reference's contract).

``{order_id}`` in a path is an order's id or its source ID. Every change goes through
``orders.services`` (via ``api.order_payloads``) with the API key as the actor.
"""

import json
from datetime import UTC, tzinfo
from typing import Any, Literal

import orjson
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from ninja import Query, Router
from ninja.responses import NinjaJSONEncoder

from orders import grammar
from orders.filters import DEFAULT_SORT, OrderFilter
from orders.models import Order
from orders.reference_filters import filters_query
from orders.selectors import order_ids_page

from .auth import actor_for
from .errors import ApiError
from .order_format import order_bodies, order_body, with_items
from .order_payloads import change_order, get_order, upsert_order
from .order_schemas import ERRORS, OrderIn, OrderListOut, OrderOut

router = Router()

ListOrder = Literal["created_at", "-created_at", "updated_at", "-updated_at"]


def _json(body: dict[str, Any]) -> HttpResponse:
    """``body`` as the operation's schema would write it: the formatter writes exactly what
    OrderOut / OrderListOut would (tests/api/test_order_format.py checks responses against
    them), so it is answered as is; validating it against the schema again cost more than
    formatting it (a tenth of a create's Python)."""
    return HttpResponse(
        json.dumps(body, cls=NinjaJSONEncoder), content_type="application/json; charset=utf-8"
    )


def _one(order: Order) -> HttpResponse:
    return _json(order_body(with_items([order])[0]))


@router.post(
    "/orders",
    response={200: OrderOut, **ERRORS},
    exclude_unset=True,
    summary="Create or update an order",
    operation_id="create-order",
)
def create_order(request: HttpRequest, payload: OrderIn) -> HttpResponse:
    """Creates an order, or updates the one whose `id` or `source_id` the payload names
    (only the fields sent). `customer` / `referrer` objects create or update the customer."""
    return _one(upsert_order(payload, actor_for(request)))


@router.get(
    "/orders/{order_id}",
    response={200: OrderOut, **ERRORS},
    exclude_unset=True,
    summary="Get an order",
    operation_id="get-order",
)
def get_order_view(request: HttpRequest, order_id: str) -> HttpResponse:
    """The order whose id or source ID is `order_id`."""
    return _one(get_order(order_id))


@router.put(
    "/orders/{order_id}",
    response={200: OrderOut, **ERRORS},
    exclude_unset=True,
    summary="Update an order",
    operation_id="update-order",
)
def update_order_view(request: HttpRequest, order_id: str, payload: OrderIn) -> HttpResponse:
    """Partial update of the order whose id or source ID is `order_id`: fields not sent stay
    as they are; `items` replaces the cart, `metadata` the whole mapping."""
    return _one(change_order(order_id, payload, actor_for(request)))


@router.get(
    "/orders",
    response={200: OrderListOut, **ERRORS},
    exclude_unset=True,
    summary="List orders",
    operation_id="list-orders",
)
def list_orders(
    request: HttpRequest,
    limit: int = Query(10, ge=1, le=100),
    page: int = Query(1, ge=1, le=100_000),
    order: ListOrder = Query("-created_at"),
) -> HttpResponse:
    """A page of orders, newest first unless `order` says otherwise. Filter with the
    reference's `filters[<field>][conditions][<$condition>][<index>]=<value>` parameters
    (the fields and conditions of exports' filters, docs/filters.md; `filters[junction]=and`
    or `or` across them).

    `total` is exact up to 10,000 matches; past that it is PostgreSQL's estimate."""
    order_filter = order_filter_for(request.GET, order=order)
    result = order_ids_page(
        order_filter.qs,
        number=page,
        per_page=limit,
        estimable=order_filter.estimable,
        source_id_pattern=order_filter.matches_source_id_pattern,
    )
    body = {
        "object": "list",
        "data_ref": "orders",
        "orders": order_bodies(result.rows, raw_json=True),
        "total": result.total,
    }
    # Answered as is, not through OrderListOut: validating 100 orders and their items against
    # the schema cost more than reading them, and order_format writes exactly what OrderListOut
    # would (tests/api/test_order_format.py checks a response against it). orjson writes the
    # metadata as PostgreSQL gave it, unparsed (order_bodies' raw_json).
    return HttpResponse(orjson.dumps(body), content_type="application/json; charset=utf-8")


def order_filter_for(
    params: QueryDict, *, order: str = DEFAULT_SORT, zone: tzinfo = UTC
) -> OrderFilter:
    """The ``OrderFilter`` for the reference's ``filters[...]`` parameters in ``params``
    (``GET /v1/orders``, ``GET /v1/orders/stats``; ``orders.grammar``), its dates without an
    offset read in ``zone``; a 400 ``invalid_query_params`` naming what is wrong."""
    try:
        query = filters_query(grammar.from_query(params), order)
    except ValidationError as error:
        raise ApiError(400, "invalid_query_params", details=" ".join(error.messages)) from error
    order_filter = OrderFilter(
        query, queryset=Order.objects.all(), zone=zone, hint_empty_ranges=False
    )
    if not order_filter.is_valid():
        field, errors = next(iter(order_filter.form.errors.items()))
        problems = " ".join(map(str, errors))
        details = problems if field == "conditions" else f"Filter {field}: {problems}"
        raise ApiError(400, "invalid_query_params", details=details)
    return order_filter
