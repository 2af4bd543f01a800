"""v1 exports: schedule an orders export, list and read exports, download the CSV, delete.

An export is scheduled with ``exports.services.schedule_export`` (channel ``API``) and
written by the Celery worker like a dashboard export. ``GET /v1/exports/{id}`` answers the
export object; with ``?token=`` (the link in ``result.url``) it answers the CSV itself, and
the token alone is enough: the link works without the application key headers.
"""

import secrets
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from ninja import Query, Router
from ninja.security import APIKeyQuery

from exports.csv_format import STANDARD_FIELDS
from exports.downloads import MISSING_FILE, ExportFileMissing, export_file_response
from exports.models import Export
from exports.services import delete_export, schedule_export

from .auth import AppKeyAuth
from .errors import ApiError
from .export_schemas import (
    ExportIn,
    ExportListOut,
    ExportOut,
    ExportParameters,
    OrderExportIn,
    checked_filters,
    export_body,
)
from .order_schemas import ERRORS

router = Router()


# The sorts a list offers; a Literal, so the OpenAPI document states them.
ListOrder = Literal["created_at", "-created_at", "status", "-status"]


def _token_opens(export: Export, token: str) -> bool:
    # Bytes, not str: compare_digest raises TypeError on a non-ASCII str (``?token=%C3%A9``).
    return secrets.compare_digest(export.token.encode(), token.encode("utf-8", "replace"))


class ExportTokenAuth(APIKeyQuery):
    """``?token=`` of the export in the path: the download link needs no key headers."""

    param_name = "token"

    def authenticate(self, request: HttpRequest, key: str | None) -> Export | None:
        match = getattr(request, "resolver_match", None)
        export_id = match.kwargs.get("export_id") if match else None
        if not key or not export_id:
            return None
        export = Export.objects.filter(pk=export_id).first()
        if export is None or not _token_opens(export, key):
            return None
        return export


def _schedule(request: HttpRequest, parameters: ExportParameters | None) -> JsonResponse:
    parameters = parameters or ExportParameters()
    filters = checked_filters(parameters.filters)
    try:
        export = schedule_export(
            None,
            Export.Channel.API,
            fields=parameters.fields,
            filters=filters,
            order=parameters.order,
        )
    except ValidationError as error:
        details = " ".join(error.messages)
        if error.code == "unknown_fields":
            raise ApiError(
                400,
                "invalid_export_fields",
                "Invalid Export",
                f"{details} Allowed fields: {', '.join(STANDARD_FIELDS)}, metadata.<key>",
            ) from error
        raise ApiError.invalid_payload(f"Property .parameters.filters: {details}") from error
    return JsonResponse(export_body(request, export, scheduled=True))


@router.post("/orders/export", response={200: ExportOut, **ERRORS}, summary="Create Orders Export")
def create_order_export(request: HttpRequest, payload: OrderExportIn) -> HttpResponse:
    """Schedule a CSV of the orders matching ``parameters.filters`` (status SCHEDULED)."""
    return _schedule(request, payload.parameters)


@router.post("/exports", response={200: ExportOut, **ERRORS}, summary="Create Export")
def create_export(request: HttpRequest, payload: ExportIn) -> HttpResponse:
    """Schedule an export; ``exported_object`` must be ``order``."""
    return _schedule(request, payload.parameters)


@router.get("/exports", response={200: ExportListOut, **ERRORS}, summary="List Exports")
def list_exports(
    request: HttpRequest,
    limit: int = Query(10, ge=1, le=100),
    page: int = Query(1, ge=1, le=10_000),
    order: ListOrder = Query("-created_at"),
) -> HttpResponse:
    """Every export (API and dashboard), newest first by default."""
    exports = Export.objects.order_by(order, "-id" if order.startswith("-") else "id")
    start = (page - 1) * limit
    chosen = list(exports[start : start + limit])
    body: dict[str, Any] = {
        "object": "list",
        "data_ref": "exports",
        "exports": [export_body(request, export) for export in chosen],
        "total": exports.count(),
    }
    return JsonResponse(body)


def _export_or_404(export_id: str) -> Export:
    export = Export.objects.filter(pk=export_id).first()
    if export is None:
        raise ApiError.not_found("export", export_id)
    return export


@router.get(
    "/exports/{export_id}",
    response={200: ExportOut, **ERRORS},
    auth=[AppKeyAuth(), ExportTokenAuth()],
    summary="Get Export / Download Export",
    openapi_extra={
        "responses": {
            200: {
                "description": "The export object; with `token`, the CSV file.",
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/ExportOut"}},
                    "text/plain": {"schema": {"type": "string"}},
                },
            }
        }
    },
)
def get_export(
    request: HttpRequest, export_id: str, token: str | None = None
) -> HttpResponse | FileResponse:
    """The export object, or with ``token`` (from ``result.url``) its CSV as ``text/plain``."""
    export = _export_or_404(export_id)
    if token is None:
        return JsonResponse(export_body(request, export))
    if not _token_opens(export, token):
        raise ApiError(401, "unauthorized", details="The token does not open this export.")
    if not export.downloadable:
        raise ApiError(
            404,
            "not_found",
            details=f"Export {export.pk} has no file to download (status {export.status}).",
            resource_id=export.pk,
            resource_type="export",
        )
    try:
        return export_file_response(
            export, as_attachment=False, content_type="text/plain; charset=utf-8"
        )
    except ExportFileMissing:
        raise ApiError(
            404,
            "not_found",
            details=MISSING_FILE.format(export_id=export.pk),
            resource_id=export.pk,
            resource_type="export",
        ) from None


@router.delete("/exports/{export_id}", response={204: None, **ERRORS}, summary="Delete Export")
def remove_export(request: HttpRequest, export_id: str) -> HttpResponse:
    """Delete the export and its file."""
    delete_export(_export_or_404(export_id))
    return HttpResponse(status=204)
