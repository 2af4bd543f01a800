"""Under ``/v1/``, every error is the reference's JSON body, never Django's HTML page.

The API's own handlers (``api.api``) answer the errors raised inside an operation. A few can
escape them: the database failing while the request's transaction opens or commits
(``api.urls`` wraps each request in one), or a bug in that wrapper. This middleware answers
those too: ``OperationalError`` / ``InterfaceError`` (database unreachable, timed out) → 503
``service_unavailable``, anything else → 500 ``internal_server_error``. An HTML error page
made further in (a Host header not in ``ALLOWED_HOSTS``, another middleware's failure) is
replaced by the same JSON body with the same status.
"""

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse

from .errors import ApiError, database_unavailable

logger = logging.getLogger(__name__)

API_PREFIX = "/v1/"

# Keys for the statuses Django answers with an HTML page of its own.
HTML_ERROR_KEYS = {
    400: "bad_request",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    503: "service_unavailable",
}


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def _error_for(exception: Exception) -> ApiError:
    if isinstance(exception, OperationalError | InterfaceError):
        return database_unavailable()
    return ApiError(500, "internal_server_error")


class ApiErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            _is_api(request)
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            # Django made its HTML page of an error further in (a refused Host header, a
            # failing middleware): keep the status, answer the body.
            status = response.status_code
            key = HTML_ERROR_KEYS.get(status) or (
                "internal_server_error" if status >= 500 else "bad_request"
            )
            return ApiError(status, key).response(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not _is_api(request):
            return None
        error = _error_for(exception)
        if error.status == 503:
            logger.error(
                "database unavailable in %s %s: %s", request.method, request.path, exception
            )
        else:
            logger.exception("unexpected error in %s %s", request.method, request.path)
        return error.response(request)
