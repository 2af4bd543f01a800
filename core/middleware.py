"""Server-Timing: how long the application took for a response, as browsers and load
balancers read it (``Server-Timing: app;dur=12.3``). The benchmark in ``bench/`` reads it too.
"""

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class ServerTimingMiddleware:
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
