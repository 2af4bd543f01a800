"""Per-request middleware: response timing, and the time zone pages are shown in."""

import time
import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from .preferences import user_time_zone


class ServerTimingMiddleware:
    """Server-Timing: how long the application took for a response, as browsers and load
    balancers read it (``Server-Timing: app;dur=12.3``). The benchmark in ``bench/`` reads it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        # A streamed response has not been produced yet; its time would be misleading.
        if not response.streaming:
            elapsed_ms = (time.perf_counter() - started) * 1000
            response["Server-Timing"] = f"app;dur={elapsed_ms:.1f}"
        return response


class TimeZoneMiddleware:
    """Show this request's pages in the signed-in user's zone (their preference, else
    ``TIME_ZONE``): templates, the admin and date bounds read the active zone.

    After the authentication middleware, which sets ``request.user``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        zone = user_time_zone(request.user)
        if zone:
            timezone.activate(zoneinfo.ZoneInfo(zone))
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
