"""Every error under /v1/ is the reference's JSON body: never Django's HTML page, never SQL."""

import json
import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import DataError, OperationalError, connection
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings

from core.models import ApiKey
from exports.models import Export
from tests.api.conftest import make_client
from tests.api.contract import assert_error

ORDER = "/v1/orders/ord_missing"
ROOT = Path(__file__).resolve().parents[2]


def _raise(error: Exception) -> Callable[..., object]:
    def raising(*args: object, **kwargs: object) -> object:
        raise error

    return raising


@pytest.fixture
def lenient_client(api_key) -> Client:
    """The API client, but answering what a real server would send instead of re-raising."""
    client = make_client(api_key)
    client.raise_request_exception = False
    return client


def test_a_bug_in_an_operation_is_a_json_500(lenient_client, monkeypatch):
    monkeypatch.setattr("api.orders.get_order", _raise(RuntimeError("boom")))

    body = assert_error(lenient_client.get(ORDER), 500, "internal_server_error")

    assert "boom" not in str(body)
    assert body["request_id"].startswith("v-")


def test_an_unreachable_database_in_an_operation_is_a_json_503(lenient_client, monkeypatch):
    monkeypatch.setattr("api.orders.get_order", _raise(OperationalError("connection refused")))

    response = lenient_client.get(ORDER)

    body = assert_error(response, 503, "service_unavailable")
    assert response["Retry-After"] == "5"
    assert "connection refused" not in body["details"]


def test_a_database_failure_while_the_transaction_opens_is_a_json_503(lenient_client, monkeypatch):
    # api.urls opens the request's transaction outside Ninja's own error handlers.
    monkeypatch.setattr(
        "api.urls.transaction.atomic", _raise(OperationalError("server closed the connection"))
    )

    response = lenient_client.get(ORDER)

    assert_error(response, 503, "service_unavailable")
    assert response["X-Request-Id"] == response.json()["request_id"]


def test_a_bug_while_the_transaction_opens_is_a_json_500(lenient_client, monkeypatch):
    monkeypatch.setattr("api.urls.transaction.atomic", _raise(RuntimeError("boom")))

    assert_error(lenient_client.get(ORDER), 500, "internal_server_error")


@pytest.mark.parametrize(
    ("error", "status", "key"),
    [
        (OperationalError("timeout expired"), 503, "service_unavailable"),
        (RuntimeError("boom"), 500, "internal_server_error"),
    ],
)
def test_an_error_while_authenticating_is_json(lenient_client, monkeypatch, error, status, key):
    monkeypatch.setattr(ApiKey.objects, "active", _raise(error))

    assert_error(lenient_client.get(ORDER), status, key)


class BrokenMiddleware:
    """A failure outside the API's view: Django makes its HTML 500 page of it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        raise RuntimeError("broken middleware")


def test_an_html_error_page_from_further_in_becomes_the_json_body(lenient_client, settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "tests.api.test_errors.BrokenMiddleware"]

    assert_error(lenient_client.get(ORDER), 500, "internal_server_error")


def test_a_host_not_allowed_is_a_json_400(lenient_client):
    # Django refuses the Host header before any view runs, with an HTML page of its own.
    response = lenient_client.get(ORDER, HTTP_HOST="evil.example")

    assert_error(response, 400, "bad_request")


def test_pages_outside_the_api_keep_djangos_error_page(settings, client):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "tests.api.test_errors.BrokenMiddleware"]
    client.raise_request_exception = False

    response = client.get("/accounts/login/")

    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")


def test_a_value_the_database_refuses_is_a_400_without_sql(api_client, monkeypatch):
    def store_something_impossible(order_id: str) -> object:
        with connection.cursor() as cursor:
            cursor.execute("SELECT %s::integer", ["not-a-number-SECRET"])
        raise AssertionError("PostgreSQL accepted it")

    monkeypatch.setattr("api.orders.get_order", store_something_impossible)

    body = assert_error(api_client.get(ORDER), 400, "invalid_payload")

    assert "SELECT" not in body["details"] and "SECRET" not in body["details"]
    assert "integer" not in body["details"]
    assert body["details"].startswith("A value in the request is not valid")
    # The request's transaction was rolled back: the connection is usable again.
    monkeypatch.undo()
    assert_error(api_client.get(ORDER), 404, "not_found")


def test_a_number_out_of_range_is_worded_as_such(api_client, monkeypatch):
    def overflow(order_id: str) -> object:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 2147483647::integer + 1")
        raise AssertionError("PostgreSQL accepted it")

    monkeypatch.setattr("api.orders.get_order", overflow)

    body = assert_error(api_client.get(ORDER), 400, "invalid_payload")

    assert body["details"] == "A number in the request is out of the range that can be stored."


def test_a_data_error_without_a_known_state_still_hides_its_text(api_client, monkeypatch):
    monkeypatch.setattr("api.orders.get_order", _raise(DataError("SELECT secret FROM t")))

    body = assert_error(api_client.get(ORDER), 400, "invalid_payload")

    assert "secret" not in body["details"].lower()


def test_a_non_ascii_download_token_without_a_key_is_a_401(db):
    # compare_digest refuses a non-ASCII str: this was a 500.
    export = Export.objects.create(channel=Export.Channel.API, parameters={"fields": ["id"]})

    response = Client(raise_request_exception=False).get(f"/v1/exports/{export.pk}?token=%C3%A9")

    assert_error(response, 401, "unauthorized", "exports.json")


def test_a_non_ascii_download_token_with_a_key_is_a_401(api_client):
    export = Export.objects.create(channel=Export.Channel.API, parameters={"fields": ["id"]})

    response = api_client.get(f"/v1/exports/{export.pk}?token=%C3%A9")

    assert_error(response, 401, "unauthorized", "exports.json")


@contextmanager
def _silent_server() -> Iterator[int]:
    """A TCP port that accepts connections and never says a word (a hung database)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    try:
        yield server.getsockname()[1]
    finally:
        server.close()


HUNG_REQUEST = """
import django, json, time
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
started = time.monotonic()
response = Client(raise_request_exception=False).get("/v1/orders")
print(json.dumps({
    "status": response.status_code,
    "type": response["Content-Type"],
    "body": response.content.decode(),
    "elapsed": time.monotonic() - started,
}))
"""


def test_a_hung_database_is_a_json_503_within_the_connect_timeout():
    # A server that accepts the connection and never answers: without connect_timeout the
    # request would wait for the operating system (minutes). libpq counts from 2 s up.
    with _silent_server() as port:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{port}/hung",
            "DATABASE_CONNECT_TIMEOUT": "2",
            "DEBUG": "false",
        }
        result = subprocess.run(
            [sys.executable, "-c", HUNG_REQUEST],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    assert result.returncode == 0, result.stderr[-2000:]
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["status"] == 503, answer
    assert answer["type"] == "application/json"
    assert json.loads(answer["body"])["key"] == "service_unavailable"
    assert answer["elapsed"] < 10


def test_the_connect_timeout_reaches_the_driver(settings):
    # Five seconds unless DATABASE_CONNECT_TIMEOUT says otherwise; never unbounded.
    configured = settings.DATABASES["default"]["OPTIONS"]["connect_timeout"]
    assert connection.get_connection_params()["connect_timeout"] == configured > 0


def test_the_rate_limit_fails_open_when_the_cache_is_down(api_client, settings, caplog):
    caplog.set_level(logging.WARNING, logger="api.auth")
    settings.API_RATE_LIMIT_PER_MINUTE = 1
    dead_redis = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            # Nothing listens on port 1: every cache call fails to connect.
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    # Not the settings fixture: the API tests' cache.clear() at teardown needs a live cache.
    with override_settings(CACHES=dead_redis):
        first = api_client.get("/v1/orders")
        second = api_client.get("/v1/orders")

    assert first.status_code == 200, first.content[:300]
    assert second.status_code == 200  # over the limit of 1, but the limit can't be counted
    warnings = [r for r in caplog.records if "rate limit not enforced" in r.getMessage()]
    assert len(warnings) == 1


def test_a_hung_cache_holds_a_request_about_its_socket_timeout(api_client, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 1
    with _silent_server() as port:
        hung_redis = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": f"redis://127.0.0.1:{port}/0",
                "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
            }
        }
        with override_settings(CACHES=hung_redis):
            started = time.monotonic()
            response = api_client.get("/v1/orders")
            elapsed = time.monotonic() - started

    assert response.status_code == 200
    assert elapsed < 5


@pytest.mark.parametrize(
    "query",
    ["/v1/customers?email=a@example.com&email=b@example.com", "/v1/orders?limit=5&limit=500"],
)
def test_a_query_parameter_given_twice_is_a_400_naming_it(api_client, query):
    response = api_client.get(query)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["key"] == "invalid_query_params"
    assert body["details"].startswith("Parameter ") and "is given 2 times" in body["details"]
