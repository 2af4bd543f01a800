"""v1 async actions: ``POST /v1/orders/import`` starts one, ``GET /v1/async-actions`` reads.

The import answers at once with ``{async_action_id}``; a Celery worker runs the project's
importer (``imports``) on the orders and records per-order failures in the action's
``result``. Each order is checked there, by the same rules as ``manage.py import_orders``:
an invalid order is reported and skipped, the valid ones are imported.
"""

from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Body, Query, Router
from pydantic import Field

from imports.models import AsyncAction
from imports.services import start_orders_import

from .async_action_schemas import (
    MAX_IMPORT_ORDERS,
    AsyncActionListOut,
    AsyncActionOut,
    ImportAccepted,
    async_action_body,
)
from .auth import actor_for
from .errors import ApiError, request_id
from .order_schemas import ERRORS, IsoDateTime
from .query_dates import utc

router = Router()


OrdersToImport = Annotated[
    list[dict[str, Any]],
    Field(
        min_length=1,
        max_length=MAX_IMPORT_ORDERS,
        description=f"1 to {MAX_IMPORT_ORDERS} orders, as for POST /v1/orders.",
    ),
]


@router.post("/orders/import", response={200: ImportAccepted, **ERRORS}, summary="Import Orders")
def import_orders(request: HttpRequest, orders: Body[OrdersToImport]) -> HttpResponse:
    """Start importing up to 2,000 orders; poll ``/v1/async-actions/{async_action_id}``."""
    action = start_orders_import(
        orders,
        api_key=request.auth,  # type: ignore[attr-defined]  # set by Ninja's auth
        actor_label=actor_for(request).label,
        request_id=request_id(request),
    )
    return JsonResponse({"async_action_id": action.pk})


@router.get(
    "/async-actions", response={200: AsyncActionListOut, **ERRORS}, summary="List Async Actions"
)
def list_async_actions(
    request: HttpRequest,
    limit: int = Query(10, ge=1, le=100),
    end_date: IsoDateTime | None = Query(None, description="Only actions created before it."),
) -> HttpResponse:
    """The newest async actions (without their results)."""
    actions = AsyncAction.objects.order_by("-created_at", "-id")
    if end_date is not None:
        actions = actions.filter(created_at__lt=utc(end_date, "end_date"))
    body = {
        "object": "list",
        "data_ref": "async_actions",
        "async_actions": [
            async_action_body(action, with_result=False) for action in actions[:limit]
        ],
    }
    return JsonResponse(body)


@router.get(
    "/async-actions/{async_action_id}",
    response={200: AsyncActionOut, **ERRORS},
    summary="Get Async Action",
)
def get_async_action(request: HttpRequest, async_action_id: str) -> HttpResponse:
    """The action's status and, once finished, its result."""
    action = AsyncAction.objects.filter(pk=async_action_id).first()
    if action is None:
        raise ApiError.not_found("async_action", async_action_id)
    return JsonResponse(async_action_body(action))
