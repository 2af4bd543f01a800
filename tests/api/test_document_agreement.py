"""The OpenAPI document states what the server enforces, and the server refuses what the
document refuses (the disagreements schemathesis's positive/negative checks found)."""

import re
from typing import Any

import pytest

pytestmark = pytest.mark.django_db


def _document(client: Any) -> dict[str, Any]:
    return client.get("/v1/openapi.json").json()


@pytest.mark.parametrize(
    "path",
    ["/v1/async-actions?end_date=0.5", "/v1/customers?updated_at%5Bbefore%5D=0.5"],
)
def test_a_number_is_not_a_date_time_in_a_query(api_client, path):
    response = api_client.get(path)
    assert response.status_code == 400, response.content
    assert response.json()["key"] == "invalid_query_params"


def test_a_number_is_not_a_birthday(api_client):
    response = api_client.post_json("/v1/customers", {"name": "Ann", "birthday": 0})
    assert response.status_code == 400, response.content
    assert "birthday" in response.json()["details"]


@pytest.mark.parametrize(
    ("field", "key"),
    [("metadata.a__b", "invalid_export_fields"), ("metadata." + "k" * 101, "invalid_payload")],
)
def test_an_export_column_outside_the_documented_pattern_is_refused(api_client, field, key):
    response = api_client.post_json("/v1/orders/export", {"parameters": {"fields": [field]}})
    assert response.status_code == 400, response.content
    assert response.json()["key"] == key


def test_the_documented_column_pattern_takes_blanks_the_service_skips(client):
    schemas = _document(client)["components"]["schemas"]
    fields = schemas["ExportParameters"]["properties"]["fields"]["anyOf"][0]["items"]
    pattern = re.compile(fields["pattern"])
    assert pattern.match("") and pattern.match(" id ") and pattern.match("metadata.a_b")
    assert not pattern.match("metadata.a__b") and not pattern.match("coupon_code")
    assert fields["maxLength"] == 109


def test_a_whole_number_written_with_a_fraction_is_an_integer(api_client):
    response = api_client.post_json("/v1/orders", {"source_id": "o-1", "amount": 1500.0})
    assert response.status_code == 200, response.content
    assert response.json()["amount"] == 1500
    refused = api_client.post_json("/v1/orders", {"source_id": "o-2", "amount": 1500.5})
    assert refused.status_code == 400, refused.content


@pytest.mark.parametrize(
    "filters",
    [
        {"amount": {"conditions": {"$more_than": "100"}}},
        {"amount": {"conditions": {"$more_than": [100, "x"]}}},
        {"created_at": {"conditions": {"$after": 0}}},
        {"referrer_id": {"conditions": {"$more_than": "x"}}},
        {"created_at": {"conditions": {"$after": "2026-03-01T10:00:00"}}},  # no offset
        {"created_at": {"conditions": {"$is_days_ago": -1}}},
        {"metadata.note": {"conditions": {"$contains": ""}}},
        {"metadata.score": {"conditions": {"$more_than": "high"}}},
        {"status": {"conditions": {"$in": ["LOST"]}}},
    ],
)
def test_a_filter_value_the_document_refuses_is_refused(api_client, filters):
    response = api_client.post_json("/v1/orders/export", {"parameters": {"filters": filters}})
    assert response.status_code == 400, response.content
    assert ".parameters.filters." in response.json()["details"]


def test_the_document_states_the_enforced_shapes(client):
    schemas = _document(client)["components"]["schemas"]
    amount = schemas["ItemIn"]["properties"]["amount"]["anyOf"][0]
    assert amount["minimum"] == 0 and "ge" not in amount
    assert schemas["CustomerIn"]["properties"]["email"]["anyOf"][0]["anyOf"] == [
        {"format": "email"},
        {"maxLength": 0},
    ]
    names = schemas["OrderIn"]["properties"]["metadata"]["anyOf"][0]["propertyNames"]
    assert names["maxLength"] == 100
    filters = schemas["ExportParameters"]["properties"]["filters"]
    assert filters["additionalProperties"] is False
    assert "status" in filters["properties"] and "junction" in filters["properties"]


def test_a_presence_condition_takes_any_value(api_client):
    filters = {"metadata.channel": {"conditions": {"$has_value": [1, "x"]}}}
    response = api_client.post_json("/v1/orders/export", {"parameters": {"filters": filters}})
    assert response.status_code in (200, 201, 202), response.content


def test_the_document_keeps_a_sku_object_to_sku_lines(client):
    rule = _document(client)["components"]["schemas"]["ItemIn"]["not"]
    assert rule["required"] == ["sku"]
    assert rule["properties"]["related_object"] == {"not": {"const": "sku"}}
