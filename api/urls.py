"""``/v1/`` URLs: the Ninja API, with 405, 415 and unknown paths in the reference's body.

Ninja answers a wrong method with a bare ``405`` and reads any body as JSON; each of its
views is wrapped here so that those answers, too, are the reference's error body, and a body
sent with a non-JSON ``Content-Type`` is a 415. Any other path under ``/v1/`` is a 404.
"""

import functools
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, re_path
from django.views.decorators.csrf import csrf_exempt

from core.jobs import QueueUnavailable

from .api import api
from .auth import note_request_use
from .errors import ApiError, request_id

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
DOCUMENT_VIEWS = frozenset({"openapi-json", "openapi-view", "api-root"})


def _is_json(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    # No type at all is taken as JSON: some HTTP clients leave it out for a JSON body.
    return not media_type or media_type == "application/json" or media_type.endswith("+json")


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _nul_error(request: HttpRequest) -> ApiError | None:
    """PostgreSQL can't store NUL characters in text: refuse them up front (else a 500)."""
    if "\x00" in request.path or _has_nul(dict(request.GET)):
        return ApiError(400, "invalid_query_params", details="The URL contains a NUL character.")
    body = request.body if request.method in BODY_METHODS else b""
    if b"\x00" in body or b"\\u0000" in body:
        try:
            nul = b"\x00" in body or _has_nul(json.loads(body))
        except ValueError:
            nul = False  # not JSON: the operation reports that
        if nul:
            return ApiError.invalid_payload("The payload contains a NUL character (\\u0000).")
    return None


def _repeated_parameter_error(request: HttpRequest) -> ApiError | None:
    """Every query parameter of the API takes one value (filters number theirs, ``[0]``,
    ``[1]``): one given twice is ambiguous, so it is refused rather than one copy dropped."""
    repeated = [name for name, values in request.GET.lists() if len(values) > 1]
    if not repeated:
        return None
    return ApiError(
        400,
        "invalid_query_params",
        details=f"Parameter {repeated[0]} is given {len(request.GET.getlist(repeated[0]))} "
        "times; give it once.",
    )


def reference_errors(
    view: Callable[..., HttpResponse], *, atomic: bool = True
) -> Callable[..., HttpResponse]:
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        try:
            request.body  # noqa: B018 (read once: Django refuses bodies over its limit here)
        except RequestDataTooBig:
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            return ApiError(
                413,
                "payload_too_large",
                details=f"The request body is larger than {limit:,} bytes; send fewer orders.",
            ).response(request)
        refused = _nul_error(request) or _repeated_parameter_error(request)
        if refused is not None:
            return refused.response(request)
        if (
            request.method in BODY_METHODS
            and request.body
            and not _is_json(request.content_type or "")
        ):
            return ApiError(
                415,
                "unsupported_media_type",
                details=(
                    f"Content-Type {request.content_type} is not supported; send application/json."
                ),
            ).response(request)
        # One transaction per request: a database error (rolled back by the handlers in
        # api.api) can't leave the connection unusable. Services are atomic themselves, so a
        # refused change writes nothing; the key's last use is kept even on an error answer.
        # The key's last use is written after the request's transaction, so that an error
        # answer (rolled back whole) keeps it.
        if atomic:
            try:
                with transaction.atomic():
                    response = view(request, *args, **kwargs)
            except QueueUnavailable as error:
                # Raised by the commit: the job's row is saved, only its message is missing
                # (the reaper sends it once the broker is back).
                note_request_use(request)
                return ApiError(
                    503, "service_unavailable", details=str(error), headers={"Retry-After": "60"}
                ).response(request)
        else:
            response = view(request, *args, **kwargs)
        note_request_use(request)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            refusal = ApiError(
                405,
                "method_not_allowed",
                details=(
                    f"Method {request.method} is not allowed here; allowed: {response['Allow']}."
                ),
                headers={"Allow": response["Allow"]},
            )
            return refusal.response(request)
        response.setdefault("X-Request-Id", request_id(request))
        return response

    return wrapped


def _wrap(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            # The OpenAPI document and docs page don't touch the database.
            atomic = pattern.name not in DOCUMENT_VIEWS
            pattern.callback = reference_errors(pattern.callback, atomic=atomic)
    return patterns


@csrf_exempt
def unknown_path(request: HttpRequest, path: str) -> HttpResponse:
    return ApiError(404, "not_found", details=f"Cannot find resource at /v1/{path}").response(
        request
    )


ninja_patterns, app_name, namespace = api.urls
urlpatterns = [
    *_wrap(ninja_patterns),
    re_path(r"^(?P<path>.*)$", unknown_path),
]

# For ``config/urls.py``: ``path("v1/", api_urls)``.
api_urls = (urlpatterns, app_name, namespace)
