"""``/health/``: whether this web process can do its work, for load balancers and operators.

Each check is bounded in time, so the answer comes within a few seconds even when a service
hangs:

- ``database``: ``SELECT 1`` on the default connection;
- ``cache``: a key written and read back (Redis times out after ``CACHE_TIMEOUT_SECONDS``);
- ``broker``: a connection to Celery's broker (``CELERY_BROKER_CONNECTION_TIMEOUT``);
- ``storage``: a small file written to and deleted from the export storage;
- ``worker``: whether a Celery worker answered a ping within ``HEALTH_WORKER_TIMEOUT``
  seconds. Reported, but it does not make the answer 503: a load balancer must not take
  every web server out because the workers are down (exports and imports then wait in the
  queue; the dashboard says so).

The answer is 200 when every other check passed, else 503. Anyone may read which checks
passed (``{"status": "error", "checks": {"broker": "error", ...}}``); what went wrong and how
long each took are for staff only, and no check ever writes a setting, URL or password.
This is a few functions rather than django-health-check: five checks, one JSON shape, and
the worker check needs the project's own Celery app.
"""

import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)
CRITICAL = ("database", "cache", "broker", "storage")


class Unhealthy(Exception):
    """A check's failure, in words safe to show staff."""


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "SELECT 1 answered"


def check_cache() -> str:
    key, value = f"health:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, timeout=10)
    found = cache.get(key)
    cache.delete(key)
    if found != value:
        # Django's Redis cache swallows nothing, but a dummy or full cache forgets.
        raise Unhealthy("a value written to the cache could not be read back")
    return "a value written was read back"


def check_broker() -> str:
    with current_app.connection_for_write() as broker:
        broker.ensure_connection(max_retries=1, interval_start=0, interval_step=0)
        return f"{broker.transport_cls} broker reachable"


def check_storage() -> str:
    storage = storages["default"]  # the backend itself: default_storage is a lazy stand-in
    name = storage.save(f"health/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    storage.delete(name)
    return f"{type(storage).__name__}: a file written and deleted"


def check_worker() -> str:
    replies = current_app.control.ping(timeout=settings.HEALTH_WORKER_TIMEOUT)
    if not replies:
        raise Unhealthy(
            f"no Celery worker answered a ping within {settings.HEALTH_WORKER_TIMEOUT:g} s"
        )
    return f"{len(replies)} worker(s) answered"


CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
    "storage": check_storage,
    "worker": check_worker,
}


def run_checks() -> dict[str, dict[str, Any]]:
    """Every check's status (``ok``/``error``), what it found and its milliseconds. The worker
    is not pinged when the broker is down (the ping would go through it)."""
    results: dict[str, dict[str, Any]] = {}
    for name, check in CHECKS.items():
        if name == "worker" and results["broker"]["status"] != "ok":
            results[name] = {"status": "error", "detail": "not checked: the broker is down"}
            continue
        started = time.perf_counter()
        try:
            detail, status = check(), "ok"
        except Unhealthy as problem:
            detail, status = str(problem), "error"
        except Exception as error:
            # The class only: a driver's message may hold a host name or a user.
            logger.warning("health check %s failed", name, exc_info=True)
            detail, status = f"{type(error).__module__}.{type(error).__qualname__}", "error"
        elapsed = round((time.perf_counter() - started) * 1000, 1)
        results[name] = {"status": status, "detail": detail, "ms": elapsed}
    return results


def _is_staff(request: HttpRequest) -> bool:
    """Whether a staff user is signed in; ``False`` when the session or user cannot be read
    (the database or the cache is down: exactly when /health/ must still answer)."""
    try:
        user = request.user
        return bool(user.is_active and user.is_staff)
    except Exception:
        return False


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    results = run_checks()
    healthy = all(results[name]["status"] == "ok" for name in CRITICAL)
    if _is_staff(request):
        checks: dict[str, Any] = results
    else:
        checks = {name: result["status"] for name, result in results.items()}
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503
    )
