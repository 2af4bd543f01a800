"""Async actions on the wire: the reference's async action object and the import request."""

from typing import Any, Literal

from ninja import Schema

from imports.models import AsyncAction

from .format import timestamp

MAX_IMPORT_ORDERS = 2000


class ImportAccepted(Schema):
    async_action_id: str


class ImportFailure(Schema):
    source_id: str | None = None
    reason: str


class ImportResultOut(Schema):
    message: str
    done_count: int
    failed_count: int
    failed: list[ImportFailure]


class AsyncActionOut(Schema):
    id: str
    type: Literal["ORDERS.IMPORT"]
    status: Literal["ENQUEUED", "IN_PROGRESS", "DONE", "FAILED"]
    result: ImportResultOut | None = None
    created_at: str
    updated_at: str
    request_id: str | None = None
    progress: int
    processing_time: int | None = None
    object: Literal["async_action"] = "async_action"


class AsyncActionListOut(Schema):
    object: Literal["list"] = "list"
    data_ref: Literal["async_actions"] = "async_actions"
    async_actions: list[AsyncActionOut]


def async_action_body(action: AsyncAction, *, with_result: bool = True) -> dict[str, Any]:
    """The reference's async action; ``result`` once it has finished (and not in lists)."""
    body: dict[str, Any] = {
        "id": action.pk,
        "type": action.type,
        "status": action.status,
        "created_at": timestamp(action.created_at),
        "updated_at": timestamp(action.updated_at),
        "progress": 100 if action.finished else 0,
        "object": "async_action",
    }
    if action.request_id:
        body["request_id"] = action.request_id
    if action.processing_time_ms is not None:
        body["processing_time"] = action.processing_time_ms
    if with_result and action.result is not None:
        body["result"] = action.result
    return body
