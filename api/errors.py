"""The reference's error body, for every error the API answers.

Every error response is ``{code, key, message, details, request_id}`` plus, for a missing
resource, ``resource_id`` and ``resource_type`` (the reference's ``Error`` schema).

In an endpoint, raise ``ApiError`` (or one of its shortcuts) and ``api.api`` turns it into
the response::

    from api.errors import ApiError

    raise ApiError.not_found("export", export_id)            # 404 not_found
    raise ApiError.invalid_payload("Property .fields[0] ...")  # 400 invalid_payload
    raise ApiError(400, "invalid_query_params", "Invalid query params", "...")

``from_validation_error(error)`` turns a Django ``ValidationError`` raised by a service into
a 400 ``invalid_payload`` naming the property (``.items[0].quantity …``), or a 400
``metadata_validation_failed`` when it came from the metadata schema.
``error_response(request, status, key, message, details)`` builds a response directly
(for code outside a Ninja operation). ``request_id(request)`` is the id shown in the body
and in the ``X-Request-Id`` header. ``database_unavailable()`` is the 503 for an unreachable
database; ``unstorable_details(data_error)`` words a value the database refused.
"""

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, JsonResponse

from core.request_ids import request_id_of
from metadata.validation import MetadataValidationError

# Reference messages per key; a key not listed gets a message from its HTTP status.
MESSAGES = {
    "unauthorized": "Unauthorized",
    "not_found": "Resource not found",
    "duplicate_found": "Duplicated resource found",
    "invalid_payload": "Invalid payload",
    "invalid_query_params": "Invalid query params",
    "metadata_validation_failed": "Metadata validation failed",
    "method_not_allowed": "Method not allowed",
    "unsupported_media_type": "Unsupported media type",
    "too_many_requests": "Too many requests",
    "internal_server_error": "Internal server error",
    "service_unavailable": "Service unavailable",
    "bad_request": "Bad request",
    "payload_too_large": "Payload too large",
}

# Seconds a client is asked to wait when the database can't be reached.
RETRY_AFTER_UNAVAILABLE = 5

# PostgreSQL's SQLSTATE of a refused value → what the client is told (never the database's
# own text, which quotes SQL and the value).
UNSTORABLE_VALUES = {
    "22003": "A number in the request is out of the range that can be stored.",
    "22P02": "A value in the request is not valid for its field (e.g. a number too large "
    "for JSON, or malformed text).",
    "22P05": "Text in the request contains a character that can't be stored.",
    "22021": "Text in the request contains a character that can't be stored.",
    "22001": "A text value in the request is too long to be stored.",
    "22008": "A date or time in the request is out of the range that can be stored.",
    "22007": "A date or time in the request is not valid.",
    "54001": "A value in the request is nested too deeply to be stored.",
}


def request_id(request: HttpRequest) -> str:
    """The request's id (``v-`` and 18 hex digits, as the reference's): the one every log
    line of the request carries (``core.request_ids``)."""
    return request_id_of(request)


class ApiError(Exception):
    """An error answered in the reference's body; raise it anywhere inside an operation."""

    def __init__(
        self,
        status: int,
        key: str,
        message: str | None = None,
        details: str | None = None,
        *,
        resource_id: str | None = None,
        resource_type: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.status = status
        self.key = key
        self.message = message or MESSAGES.get(key, key.replace("_", " ").capitalize())
        self.details = details
        self.resource_id = resource_id
        self.resource_type = resource_type
        self.headers = headers or {}
        super().__init__(f"{status} {key}: {details or self.message}")

    @classmethod
    def not_found(cls, resource_type: str, resource_id: str) -> "ApiError":
        """404 ``Cannot find <resource_type> with id <resource_id>``."""
        return cls(
            404,
            "not_found",
            details=f"Cannot find {resource_type} with id {resource_id}",
            resource_id=str(resource_id),
            resource_type=resource_type,
        )

    @classmethod
    def invalid_payload(cls, details: str) -> "ApiError":
        return cls(400, "invalid_payload", details=details)

    @classmethod
    def unauthorized(cls) -> "ApiError":
        return cls(401, "unauthorized")

    def body(self, request: HttpRequest) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.status, "key": self.key, "message": self.message}
        if self.details is not None:
            body["details"] = self.details
        body["request_id"] = request_id(request)
        if self.resource_id is not None:
            body["resource_id"] = self.resource_id
        if self.resource_type is not None:
            body["resource_type"] = self.resource_type
        return body

    def response(self, request: HttpRequest) -> JsonResponse:
        response = JsonResponse(self.body(request), status=self.status)
        for name, value in self.headers.items():
            response[name] = value
        response["X-Request-Id"] = request_id(request)
        return response


def error_response(
    request: HttpRequest,
    status: int,
    key: str,
    message: str | None = None,
    details: str | None = None,
) -> JsonResponse:
    return ApiError(status, key, message, details).response(request)


def unstorable_details(error: Exception) -> str:
    """A plain sentence for a ``DataError``, chosen by its SQLSTATE (no SQL, no value)."""
    sqlstate = getattr(error.__cause__, "sqlstate", None) or getattr(error, "sqlstate", None)
    return UNSTORABLE_VALUES.get(
        sqlstate or "", "A value in the request can't be stored; check its type and size."
    )


def database_unavailable() -> ApiError:
    """503: the database can't be reached or did not answer in time; the client may retry."""
    return ApiError(
        503,
        "service_unavailable",
        details=(
            "The database is unavailable or did not answer in time. "
            f"Retry in {RETRY_AFTER_UNAVAILABLE} s."
        ),
        headers={"Retry-After": str(RETRY_AFTER_UNAVAILABLE)},
    )


def property_path(location: Any) -> str:
    """``("items", 0, "quantity")`` or ``"items.1.quantity"`` → ``.items[0].quantity``.

    Services name fields with 1-based dotted paths (``items.1.quantity``, as the dashboard
    shows them); the API names them as the reference does, 0-based with brackets.
    """
    if isinstance(location, str):
        parts = location.split(".")
        location = [
            part if not part.isdigit()
            # a number after "items" in a service's dotted name is 1-based
            else int(part) - 1 if index and parts[index - 1] == "items"
            else int(part)
            for index, part in enumerate(parts)
        ]  # fmt: skip
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path or "."


_METADATA_FIELD = re.compile(r"^(items\.\d+\.)?metadata(\.|$)")


# Validation codes meaning "another resource already holds this value" (unique fields).
DUPLICATE_CODES = frozenset({"unique", "source_id_taken"})


def from_validation_error(error: ValidationError, *, prefix: str = "") -> ApiError:
    """A service's ``ValidationError`` as the reference's 400: ``metadata_validation_failed``
    for metadata-schema errors, else ``invalid_payload`` naming the first failing property;
    a value another resource already holds (a source ID) is 409 ``duplicate_found``."""
    if isinstance(error, MetadataValidationError):
        return ApiError(400, "metadata_validation_failed", details=error.details)
    if hasattr(error, "error_dict"):
        field, errors = next(iter(error.error_dict.items()))
        message = " ".join(str(m) for e in errors for m in e.messages)
        if field == "metadata" or _METADATA_FIELD.match(field):
            return ApiError(400, "metadata_validation_failed", details=message)
        if field == "__all__":
            return ApiError.invalid_payload(message)
        details = f"Property {prefix}{property_path(field)} {message}"
        if any(e.code in DUPLICATE_CODES for e in errors):
            # Well-formed, but another resource holds the value: a conflict with what is stored.
            return ApiError(409, "duplicate_found", details=details)
        return ApiError.invalid_payload(details)
    return ApiError.invalid_payload(" ".join(error.messages))
