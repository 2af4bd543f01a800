"""Rows read on every API request (an API key, a metadata schema), kept in Django's cache.

``CACHE_URL`` is shared by the web processes in production, so a change made by one process
is seen by all: a ``VersionedCache`` stores each value beside the version of its tables it
was read at, and ``forget()`` (called by the writers, through model signals) gives the
tables a new version, so every value read before is ignored from then on. The version and
the value come back in one cache round trip.

Why a version rather than deleting the entries: a request that read the rows just before a
change commits could store what it read just after the change deleted the entry, and keep
serving it. With a version taken *before* reading the rows, such a value is stored under the
old version and never served. ``forget()`` runs again once the writer's transaction commits
for the same reason.

When the cache can't be reached the value is read from the database (a query more, never a
failed request), and so it is when the cache is each process's own (``SHARED_CACHE`` false:
the default in-memory cache): one process could not tell the others to forget.
"""

import uuid
from collections.abc import Callable
from contextlib import suppress
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction


def _token() -> str:
    return uuid.uuid4().hex


class VersionedCache:
    """Values named by a key, read by ``load`` on a miss, dropped together by ``forget()``."""

    def __init__(self, name: str, *, timeout: float = 300.0) -> None:
        self.name = name
        self.timeout = timeout
        self.version_key = f"{name}:version"

    def _key(self, key: str) -> str:
        return f"{self.name}:{key}"

    def get(self, key: str, load: Callable[[], Any]) -> Any:
        """The value of ``key``: from the cache when it was stored at the current version,
        else ``load()`` (stored for the next call)."""
        if not settings.SHARED_CACHE:
            return load()
        entry_key = self._key(key)
        try:
            found = cache.get_many([self.version_key, entry_key])
            version = found.get(self.version_key)
            entry = found.get(entry_key)
            if version is not None and entry is not None and entry[0] == version:
                return entry[1]
            if version is None:
                cache.add(self.version_key, _token(), timeout=None)
                version = cache.get(self.version_key)
        except Exception:  # noqa: BLE001 (any cache backend's own connection errors)
            return load()
        value = load()
        if version is not None:
            # Not stored: the value is served all the same.
            with suppress(Exception):
                cache.set(entry_key, (version, value), timeout=self.timeout)
        return value

    def drop(self, key: str) -> None:
        """Forget one value (the next ``get`` reads it again)."""
        with suppress(Exception):  # a dead cache serves nothing to forget
            cache.delete(self._key(key))

    def forget(self) -> None:
        """Ignore every value stored so far: now, and again when the current transaction
        commits (a reader between the two may have stored what it read before the commit)."""
        self.forget_now()
        transaction.on_commit(self.forget_now)

    def forget_now(self) -> None:
        """``forget()`` without waiting for a commit (tests: a rolled-back change)."""
        # A dead cache serves nothing. Should it come back with its entries, they are
        # served for at most the timeout.
        with suppress(Exception):
            cache.set(self.version_key, _token(), timeout=None)
