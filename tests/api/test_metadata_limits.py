"""v1 orders and customers: metadata beyond a limit is a 400 naming the limit and the
property, never a 500, never a database message, and nothing is written."""

import json
from typing import Any

import pytest

from customers.models import Customer
from metadata.validation import MAX_SIZE_BYTES
from orders.models import Order
from tests.api.contract import assert_error
from tests.factories import CustomerFactory, make_order

pytestmark = pytest.mark.django_db

ORDERS = "/v1/orders"
CUSTOMERS = "/v1/customers"
NESTING = "must not nest objects and arrays deeper than 10 levels, the nesting limit"
NUMBERS = "must be a finite number from -1.7976931348623157e+308 to 1.7976931348623157e+308"


def nested(lists: int, leaf: object = 1) -> Any:
    value = leaf
    for _ in range(lists):
        value = [value]
    return value


def post_raw(client: Any, path: str, body: str) -> Any:
    """Post JSON text as written (``json.dumps`` cannot write ``1e400`` or bad escapes)."""
    return client.post(path, body, content_type="application/json")


def at_the_size_limit() -> dict[str, str]:
    # {"pad":"…"} is 10 bytes around the padding
    return {"pad": "p" * (MAX_SIZE_BYTES - 10)}


# (metadata beyond one limit, the start of the 400's details)
BEYOND = [
    ({"deep": nested(10)}, f"deep[0][0][0][0][0][0][0][0][0]: {NESTING}"),
    ({"a__b": 1}, 'a__b: a key must not contain "__"'),
    ({"": 1}, "metadata: a key must not be empty"),
    ({"k" * 10_000: 1}, f"{'k' * 99}…: a key must have at most 100 characters"),
    ({"pad": "p" * (MAX_SIZE_BYTES - 9)}, "metadata: must be at most 65536 bytes (64 KiB)"),
]
# (metadata exactly at those limits)
AT = [
    {"deep": nested(9)},
    {"a_b.c-d": 1},
    {"k" * 100: 1},
    at_the_size_limit(),
]


@pytest.mark.parametrize("metadata", AT)
def test_an_order_at_each_limit_is_created(api_client, metadata):
    response = api_client.post_json(ORDERS, {"amount": 100, "metadata": metadata})

    assert response.status_code == 200, response.content[:300]
    assert Order.objects.get().metadata == metadata


@pytest.mark.parametrize(("metadata", "details"), BEYOND)
def test_an_order_beyond_a_limit_is_400_naming_it_and_nothing_is_written(
    api_client, metadata, details
):
    # Given an order to edit
    order = make_order(amount=5, metadata={"kept": 1})

    # When one is created, and that one edited, with metadata beyond a limit
    created = api_client.post_json(ORDERS, {"amount": 100, "metadata": metadata})
    edited = api_client.put_json(f"{ORDERS}/{order.pk}", {"metadata": metadata})
    item = api_client.post_json(
        ORDERS, {"items": [{"source_id": "a", "quantity": 1, "price": 5, "metadata": metadata}]}
    )

    # Then each answer is the metadata 400 naming the limit, and nothing changed
    for response in (created, edited, item):
        body = assert_error(response, 400, "metadata_validation_failed")
        assert body["details"].startswith(details), body["details"]
    assert list(Order.objects.all()) == [order]
    order.refresh_from_db()
    assert order.metadata == {"kept": 1} and order.events.count() == 1


@pytest.mark.parametrize(
    ("body", "details"),
    [
        ('{"amount": 1, "metadata": {"n": 1e400}}', f"n: {NUMBERS} (actual value is 'Infinity')"),
        ('{"amount": 1, "metadata": {"n": [-1e999]}}', f"n[0]: {NUMBERS}"),
        ('{"amount": 1, "metadata": {"s": "\\ud800"}}', "s: a string must not contain a lone"),
        ('{"amount": 1, "metadata": {"s": {"\\udfff": 1}}}', "s.\\udfff: a key must not contain"),
    ],
)
def test_values_jsonb_cannot_store_are_400_in_words_not_sql(api_client, body, details):
    response = post_raw(api_client, ORDERS, body)

    answer = assert_error(response, 400, "metadata_validation_failed")
    assert answer["details"].startswith(details), answer["details"]
    for sql_word in ("jsonb", "SQL", "psycopg", "DETAIL", "CONTEXT"):
        assert sql_word not in answer["details"].replace("which jsonb cannot store", "")
    assert not Order.objects.exists()


def test_a_deeply_nested_body_is_a_clear_400(api_client):
    # Given metadata nested a thousand levels, as the probe sent it
    body = '{"amount": 1, "metadata": {"deep": ' + "[" * 1000 + "]" * 1000 + "}}"

    # When it is posted, then the nesting limit refuses it
    response = post_raw(api_client, ORDERS, body)

    answer = assert_error(response, 400, "metadata_validation_failed")
    assert NESTING in answer["details"]
    assert not Order.objects.exists()


@pytest.mark.parametrize("metadata", AT)
def test_a_customer_at_each_limit_is_saved(api_client, metadata):
    response = api_client.post_json(CUSTOMERS, {"name": "Ann", "metadata": metadata})

    assert response.status_code == 200, response.content[:300]
    assert Customer.objects.get().metadata == metadata


@pytest.mark.parametrize(("metadata", "details"), BEYOND)
def test_a_customer_beyond_a_limit_is_400_naming_it_and_nothing_is_written(
    api_client, metadata, details
):
    # Given a customer to edit
    customer = CustomerFactory(metadata={"kept": 1})

    # When one is created, that one edited, and one given inside an order, beyond a limit
    created = api_client.post_json(CUSTOMERS, {"name": "Ann", "metadata": metadata})
    edited = api_client.put_json(f"{CUSTOMERS}/{customer.pk}", {"metadata": metadata})
    inside = api_client.post_json(
        ORDERS, {"amount": 1, "customer": {"source_id": "m", "metadata": metadata}}
    )

    # Then each answer is the metadata 400 naming the limit, and nothing changed
    for response in (created, edited, inside):
        body = assert_error(response, 400, "metadata_validation_failed")
        assert body["details"].startswith(details), body["details"]
    assert list(Customer.objects.all()) == [customer]
    customer.refresh_from_db()
    assert customer.metadata == {"kept": 1}
    assert not Order.objects.exists()


def test_a_customer_with_a_number_jsonb_cannot_store_is_400(api_client):
    response = post_raw(api_client, CUSTOMERS, '{"name": "Ann", "metadata": {"n": 1e400}}')

    body = assert_error(response, 400, "metadata_validation_failed")
    assert body["details"] == f"n: {NUMBERS} (actual value is 'Infinity')"
    assert not Customer.objects.exists()
    assert json.loads(response.content)  # a JSON body, not a page
