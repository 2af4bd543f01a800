"""Application keys: creation, 401s, revocation, last use, rate limit, and error bodies."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from api.auth import forget_api_keys
from core.models import ApiKey, hash_token
from tests.api.contract import assert_error, assert_response

pytestmark = pytest.mark.django_db

ORDERS = "/v1/orders"


def test_create_api_key_prints_app_id_and_token_and_stores_only_a_hash():
    out = StringIO()
    call_command("create_api_key", "storefront", stdout=out, stderr=StringIO())

    lines = dict(line.split("=", 1) for line in out.getvalue().splitlines())
    key = ApiKey.objects.get(name="storefront")
    assert lines["APP_ID"] == key.app_id
    token = lines["APP_TOKEN"]
    assert len(token) >= 40
    assert key.token_hash == hash_token(token)
    assert token not in key.token_hash
    assert token not in json.dumps(list(ApiKey.objects.values()), default=str)


def test_create_api_key_refuses_a_duplicate_name(api_key):
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_api_key", "shop", stdout=StringIO(), stderr=StringIO())


def test_the_key_works_with_the_printed_headers(client_for):
    out = StringIO()
    call_command("create_api_key", "cli", stdout=out, stderr=StringIO())
    lines = dict(line.split("=", 1) for line in out.getvalue().splitlines())
    client = client_for(None)
    response = client.get(
        ORDERS, headers={"X-App-Id": lines["APP_ID"], "X-App-Token": lines["APP_TOKEN"]}
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-App-Id": "nope"},
        {"X-App-Token": "nope"},
        {"X-App-Id": "nope", "X-App-Token": "nope"},
    ],
)
def test_missing_or_unknown_keys_get_the_reference_401(client_for, headers):
    response = client_for(None).get(ORDERS, headers=headers)
    body = assert_error(response, 401, "unauthorized")
    assert body["message"] == "Unauthorized"


def test_a_wrong_token_for_a_real_app_id_is_401(api_key, client_for):
    # another first character (a token starting with "x" made "x" + the rest the same token)
    wrong = ("y" if api_key.token.startswith("x") else "x") + api_key.token[1:]
    response = client_for(api_key, token=wrong).get(ORDERS)
    assert_error(response, 401, "unauthorized")


def test_every_operation_needs_a_key(client_for, api_key):
    anonymous = client_for(None)
    for method, path in [
        ("get", ORDERS),
        ("post", ORDERS),
        ("get", "/v1/orders/ord_x"),
        ("put", "/v1/orders/ord_x"),
    ]:
        if method == "get":
            response = anonymous.get(path)
        else:
            response = getattr(anonymous, method)(path, "{}", content_type="application/json")
        assert_error(response, 401, "unauthorized")


def test_a_revoked_key_is_refused(api_key, api_client):
    assert api_client.get(ORDERS).status_code == 200

    api_key.revoke()

    assert_error(api_client.get(ORDERS), 401, "unauthorized")


def test_last_used_at_is_recorded_but_not_written_on_every_request(
    api_key, api_client, django_assert_num_queries
):
    assert api_key.last_used_at is None
    api_client.get("/v1/orders/nothing")
    api_key.refresh_from_db()
    first_use = api_key.last_used_at
    assert first_use is not None

    # Within a minute a request reads the key but doesn't write it again
    api_client.get("/v1/orders/nothing")
    api_key.refresh_from_db()
    assert api_key.last_used_at == first_use

    # A minute later it is written again
    ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=first_use - timedelta(minutes=2))
    forget_api_keys()  # an update() sends no signal: the cached key would hide it
    api_client.get("/v1/orders/nothing")
    api_key.refresh_from_db()
    assert api_key.last_used_at > first_use - timedelta(minutes=1)
    assert api_key.last_used_at <= timezone.now()


def test_rate_limit_per_key_answers_429_in_the_reference_body(
    settings, api_key, api_client, client_for
):
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    for _ in range(3):
        assert api_client.get(ORDERS).status_code == 200

    response = api_client.get(ORDERS)

    body = assert_error(response, 429, "too_many_requests")
    assert "3 requests per minute" in body["details"]
    assert 1 <= int(response["Retry-After"]) <= 60
    # Another key has its own budget
    other, token = ApiKey.issue("other")
    assert client_for(other, token).get(ORDERS).status_code == 200


def test_unknown_v1_path_is_a_reference_404(api_client):
    body = assert_error(api_client.get("/v1/nothing/here"), 404, "not_found")
    assert "nothing/here" in body["details"]


def test_wrong_method_is_a_reference_405(api_client):
    response = api_client.delete(ORDERS)
    body = assert_error(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"] and "POST" in response["Allow"]
    assert "DELETE" in body["details"]


def test_a_non_json_body_is_a_reference_415(api_client):
    response = api_client.post(
        ORDERS, "amount=100", content_type="application/x-www-form-urlencoded"
    )
    assert_error(response, 415, "unsupported_media_type")


def test_a_body_over_the_limit_is_a_reference_413_and_writes_nothing(api_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    orders = [{"source_id": f"big-{n}", "amount": 100} for n in range(100)]
    body = assert_error(api_client.post_json(ORDERS + "/import", orders), 413, "payload_too_large")
    assert "1,000 bytes" in body["details"]
    assert api_client.get(ORDERS).json()["total"] == 0


def test_malformed_json_is_a_400_invalid_payload(api_client):
    response = api_client.post(ORDERS, "{not json", content_type="application/json")
    assert_error(response, 400, "invalid_payload")


def test_error_request_ids_are_unique_and_in_a_header(api_client):
    first = api_client.get("/v1/orders/missing-1")
    second = api_client.get("/v1/orders/missing-2")
    assert first.json()["request_id"] != second.json()["request_id"]
    assert first["X-Request-Id"] == first.json()["request_id"]
    assert_response(first, "orders.json", "get", "/v1/orders/{orderId}")


def test_openapi_document_and_docs_page_are_served_without_a_key(client):
    document = client.get("/v1/openapi.json")
    assert document.status_code == 200
    schema = document.json()
    assert "/v1/orders" in schema["paths"]
    assert set(schema["components"]["securitySchemes"]) == {"X-App-Id", "X-App-Token"}
    page = client.get("/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "cdn" not in html.lower()
    assert "/static/" in html


def test_admin_creates_a_key_shows_the_token_once_and_revokes(operator_client, client_for):
    response = operator_client.post("/admin/core/apikey/add/", {"name": "pos"}, follow=True)
    assert response.status_code == 200
    key = ApiKey.objects.get(name="pos")
    shown = [str(m) for m in response.context["messages"]]
    token = next(m for m in shown if "APP_TOKEN=" in m).split("APP_TOKEN=")[1].split()[0]
    assert key.token_matches(token)
    assert client_for(key, token).get(ORDERS).status_code == 200

    # The change page never shows the token again
    page = operator_client.get(f"/admin/core/apikey/{key.pk}/change/").content.decode()
    assert token not in page and key.token_hash not in page

    operator_client.post(
        "/admin/core/apikey/",
        {"action": "revoke", "_selected_action": [key.pk]},
        follow=True,
    )
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert_error(client_for(key, token).get(ORDERS), 401, "unauthorized")
