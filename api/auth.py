"""Application-key authentication and the per-key rate limit.

Every operation of ``api.api`` is protected by ``AppKeyAuth`` (set on the ``NinjaAPI``), so
routers need nothing: inside an operation ``request.auth`` is the ``ApiKey`` that made the
request (use ``actor_for(request)`` for the ``Actor`` to pass to order services).

A missing, unknown or revoked ``X-App-Id`` / ``X-App-Token`` pair is a 401 in the reference
body; more than ``settings.API_RATE_LIMIT_PER_MINUTE`` requests in a minute from one key is
a 429 with ``Retry-After``. The counter lives in Django's cache (``CACHE_URL``: share it
between web processes in production). When that cache can't be reached the limit fails open:
requests are served and a warning is logged once a minute per process.
"""

import logging
import time
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import APIKeyHeader

from core.models import ApiKey
from core.shared_cache import VersionedCache
from orders.actors import Actor

from .errors import ApiError

logger = logging.getLogger(__name__)

# ``last_used_at`` is written at most this often per key, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class AppKeyAuth(APIKeyHeader):
    """``X-App-Token`` checked together with ``X-App-Id`` (the OpenAPI document declares both)."""

    param_name = "X-App-Token"

    def authenticate(self, request: HttpRequest, key: str | None) -> ApiKey | None:
        app_id = request.headers.get("X-App-Id", "")
        if not key or not app_id:
            return None
        api_key = active_key(app_id)
        if api_key is None or not api_key.token_matches(key):
            return None
        check_rate_limit(api_key)
        # The key's last use is written by ``note_request_use`` after the request's
        # transaction: kept even when an error answer rolls that back.
        return api_key


# Active keys by app ID, in the shared cache: a query less on every request. Any saved or
# deleted key forgets them all (``forget_api_keys``), so a revoked key is refused at once.
_keys = VersionedCache("api-key", timeout=LAST_USED_RESOLUTION.total_seconds())


def active_key(app_id: str) -> ApiKey | None:
    """The active key with this app ID, or ``None``."""
    return _keys.get(app_id, lambda: ApiKey.objects.active().filter(app_id=app_id).first())


@receiver([post_save, post_delete], sender=ApiKey)
def forget_api_keys(**kwargs: Any) -> None:
    """Every cached key is read again after a key is issued, changed, revoked or deleted
    (``queryset.update()`` sends no signal: call this after one)."""
    _keys.forget()


def forget_cached_api_keys_now() -> None:
    """Forget every cached key at once (a test's rolled-back key sends no signal)."""
    _keys.forget_now()


def check_rate_limit(api_key: ApiKey) -> None:
    """Count the request in the key's current one-minute window; 429 past the limit."""
    limit = settings.API_RATE_LIMIT_PER_MINUTE
    if not limit:
        return
    now = time.time()
    window = int(now // 60)
    counter = f"api-rate:{api_key.pk}:{window}"
    try:
        try:  # one round trip for all but a window's first request
            count = cache.incr(counter)
        except ValueError:  # the window's first request (or its counter expired)
            # ... unless another process counted it first
            count = 1 if cache.add(counter, 1, timeout=120) else cache.incr(counter)
    except Exception as error:  # noqa: BLE001 (any cache backend's own connection errors)
        # The limit protects the service; a dead cache must not take every request down
        # with it. Let the request through and say so, once per window per process.
        _warn_cache_down(window, error)
        return
    if count > limit:
        retry_after = max(1, int((window + 1) * 60 - now))
        raise ApiError(
            429,
            "too_many_requests",
            details=(
                f"Rate limit of {limit} requests per minute exceeded; retry in {retry_after} s."
            ),
            headers={"Retry-After": str(retry_after)},
        )


_warned_window: int | None = None


def _warn_cache_down(window: int, error: Exception) -> None:
    global _warned_window
    if _warned_window == window:
        return
    _warned_window = window
    logger.warning(
        "API rate limit not enforced: the cache is unavailable (%s: %s)",
        type(error).__name__,
        error,
    )


def note_request_use(request: HttpRequest) -> None:
    """``note_use`` of the key that authenticated ``request``, if one did."""
    api_key = getattr(request, "auth", None)
    if isinstance(api_key, ApiKey):
        note_use(api_key)


def note_use(api_key: ApiKey) -> None:
    """Record when the key was last used, writing at most once per ``LAST_USED_RESOLUTION``."""
    now = timezone.now()
    if api_key.last_used_at and now - api_key.last_used_at < LAST_USED_RESOLUTION:
        return
    ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
    api_key.last_used_at = now
    _keys.drop(api_key.app_id)  # the cached copy has the old time


def actor_for(request: HttpRequest) -> Actor:
    """The ``Actor`` for changes made by this request: ``API key <name>`` in Activity."""
    return Actor.api_key(request.auth.name)  # type: ignore[attr-defined]  # set by Ninja's auth


def unauthorized() -> ApiError:
    return ApiError.unauthorized()
