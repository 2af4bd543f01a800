"""The v1 ``NinjaAPI``: routers, authentication, and the reference's error bodies.

Every operation requires an application key (``api.auth.AppKeyAuth``). Errors of every
kind are answered in the reference's body (``api.errors``):

- ``ApiError`` raised in an operation → its status and key;
- a Django ``ValidationError`` from a service → 400 ``invalid_payload`` naming the property
  (or ``metadata_validation_failed``);
- a request that does not fit the operation's schema → 400 ``invalid_payload`` (body) or
  ``invalid_query_params`` (query / path), ``details`` naming the property
  (``Property .items[0].quantity …``);
- a value the database refuses (``DataError``) → 400 ``invalid_payload`` in plain words,
  never the database's text;
- the database unreachable or timing out (``OperationalError``) → 503
  ``service_unavailable`` with ``Retry-After``;
- anything unexpected, in an operation or while authenticating → logged, 500
  ``internal_server_error`` (a bug: tests fail on it).

Whatever escapes these handlers (an error while the request's transaction opens or commits)
is answered in the same body by ``api.middleware.ApiErrorsMiddleware``.

405, 415 and unknown ``/v1/`` paths are answered in ``api.urls``.

Routers are registered in an order that matters: ``/orders/import``, ``/orders/export`` and
``/orders/stats`` (async actions, exports, order statistics) come before
``/orders/{order_id}``, which would otherwise match them.
"""

import logging
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, OperationalError, connection, transaction
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from . import async_actions, customers, exports, metadata_schemas, order_stats, orders
from .auth import AppKeyAuth
from .errors import (
    ApiError,
    database_unavailable,
    from_validation_error,
    property_path,
    unstorable_details,
)

logger = logging.getLogger(__name__)

HTTP_KEYS = {
    400: "invalid_payload",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    415: "unsupported_media_type",
    429: "too_many_requests",
}


class V1Api(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        """Declare the reference's two key headers; every operation needs both."""
        schema = super().get_openapi_schema(**kwargs)
        components = schema.setdefault("components", {})
        components["securitySchemes"] = {
            "X-App-Id": {"type": "apiKey", "in": "header", "name": "X-App-Id"},
            "X-App-Token": {"type": "apiKey", "in": "header", "name": "X-App-Token"},
        }
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                if isinstance(operation, dict) and "security" in operation:
                    operation["security"] = [{"X-App-Id": [], "X-App-Token": []}]
        return schema


api = V1Api(
    title="Campaign Hub API",
    version="1",
    description=(
        "Orders, customers, metadata schemas, exports and imports, wire-compatible with the "
        "reference engine's v1 API. Authenticate with the `X-App-Id` and `X-App-Token` "
        "headers of a key made by `python manage.py create_api_key NAME`."
    ),
    auth=AppKeyAuth(),
    urls_namespace="api-v1",
)

# Order matters: see the module docstring.
api.add_router("", async_actions.router, tags=["Async actions"])
api.add_router("", exports.router, tags=["Exports"])
api.add_router("", customers.router, tags=["Customers"])
api.add_router("", metadata_schemas.router, tags=["Metadata schemas"])
api.add_router("", order_stats.router, tags=["Orders"])
api.add_router("", orders.router, tags=["Orders"])


def _readable(message: str) -> str:
    """Pydantic's ``Input should be …`` / ``Field required`` as the reference words it."""
    if message == "Field required":
        return "is required"
    if message.startswith("Input "):
        return message[len("Input ") :]
    return message[:1].lower() + message[1:]


def _validation_details(errors: list[dict[str, Any]]) -> tuple[str, str]:
    """(key, details) for Ninja's validation errors: the first one, named like the reference."""
    error = errors[0]
    source, *location = error.get("loc", ("body",))
    message = _readable(error.get("msg", "is invalid"))
    if source == "body":
        location = location[1:]  # the operation's parameter name, not part of the payload
        if not location:
            return "invalid_payload", f"The request body {message}; send a JSON object."
        return "invalid_payload", f"Property {property_path(location)} {message}"
    name = ".".join(str(part) for part in location) or source
    return "invalid_query_params", f"Parameter {name} {message}"


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return exc.response(request)


@api.exception_handler(DjangoValidationError)
def _service_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    return from_validation_error(exc).response(request)


@api.exception_handler(NinjaValidationError)
def _schema_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    key, details = _validation_details(exc.errors)
    return ApiError(400, key, details=details).response(request)


@api.exception_handler(AuthenticationError)
def _unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return ApiError.unauthorized().response(request)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    key = HTTP_KEYS.get(exc.status_code, "error")
    return ApiError(exc.status_code, key, details=str(exc)).response(request)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return ApiError(404, "not_found", details=str(exc) or "Not found").response(request)


def _roll_back() -> None:
    """Undo the request's writes (``api.urls`` runs each request in a transaction)."""
    if connection.in_atomic_block:
        transaction.set_rollback(True)


@api.exception_handler(DataError)
def _unstorable(request: HttpRequest, exc: DataError) -> HttpResponse:
    # Bounds in the schemas should prevent this; a value the database can't store is still
    # the client's input, not a server error. The database's own text quotes SQL and the
    # value, so the client gets a plain sentence and the log keeps the detail.
    logger.warning("database refused a value in %s %s: %s", request.method, request.path, exc)
    _roll_back()
    return ApiError.invalid_payload(unstorable_details(exc)).response(request)


@api.exception_handler(OperationalError)
def _database_unavailable(request: HttpRequest, exc: OperationalError) -> HttpResponse:
    logger.error("database unavailable in %s %s: %s", request.method, request.path, exc)
    _roll_back()
    return database_unavailable().response(request)


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("unexpected error in %s %s", request.method, request.path)
    _roll_back()
    return ApiError(500, "internal_server_error").response(request)
