"""Fixtures for the v1 API tests.

- ``api_key``: an active ``ApiKey`` named ``shop`` (its token is ``api_key.token``);
- ``api_client``: a Django test client sending that key's ``X-App-Id`` / ``X-App-Token``
  on every request, with JSON helpers: ``api_client.post_json("/v1/orders", {...})``,
  ``api_client.put_json(...)`` (``get`` / ``delete`` as usual);
- ``client_for(key_or_none)``: the same for another key (``None``: no auth headers).

The per-key rate limit is off in these tests unless a test sets
``settings.API_RATE_LIMIT_PER_MINUTE`` (the cache is cleared around each test).
"""

import json
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from core.models import ApiKey


class ApiClient(Client):
    def post_json(self, path: str, data: Any = None, **extra: Any) -> Any:
        return self.post(path, json.dumps(data), content_type="application/json", **extra)

    def put_json(self, path: str, data: Any = None, **extra: Any) -> Any:
        return self.put(path, json.dumps(data), content_type="application/json", **extra)


def make_client(key: ApiKey | None, token: str | None = None) -> ApiClient:
    if key is None:
        return ApiClient()
    return ApiClient(
        headers={"X-App-Id": key.app_id, "X-App-Token": token or key.token}  # type: ignore[attr-defined]
    )


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 0
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_key(db) -> ApiKey:
    key, token = ApiKey.issue("shop")
    key.token = token  # type: ignore[attr-defined]
    return key


@pytest.fixture
def api_client(api_key) -> ApiClient:
    return make_client(api_key)


@pytest.fixture
def client_for():
    return make_client
