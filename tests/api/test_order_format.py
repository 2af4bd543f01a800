"""``api.order_format``: the list's row-based formatter writes what the instance-based one and
the response schema would."""

import json

import orjson
import pytest

from api.order_format import order_bodies, order_body, with_items
from api.order_schemas import OrderListOut, OrderOut
from catalog.models import Product
from orders.models import Order
from orders.services import ItemData
from tests.factories import CustomerFactory, ProductFactory, SKUFactory, make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def varied_orders():
    """Orders of every shape the formatter branches on."""
    bare_product = ProductFactory(source_id="", price=None, metadata={})
    sku = SKUFactory(source_id="", price=None, metadata={"size": "L"})
    return [
        make_order(amount=700),  # total only, no items, no customer
        make_order(items=2, customer=CustomerFactory(), referrer=CustomerFactory()),
        make_order(
            source_id="src-1",
            customer=CustomerFactory(),
            metadata={"channel": "web", "n": 1.5},
            discount_amount=100,
            items=[
                ItemData(quantity=2, price=1250, discount_amount=250, product=bare_product),
                ItemData(quantity=1, price=999, sku=sku, source_id="line-1", metadata={"a": 1}),
                ItemData(
                    quantity=3,
                    price=100,
                    product=ProductFactory(metadata={"brand": "Ü"}),
                    sku=SKUFactory(),
                ),
            ],
        ),
    ]


def test_rows_give_the_same_bodies_as_instances(varied_orders):
    ids = [order.pk for order in reversed(varied_orders)]
    orders = with_items(Order.objects.filter(pk__in=ids))
    by_id = {order.pk: order_body(order) for order in orders}
    assert order_bodies(ids) == [by_id[pk] for pk in ids]
    # key order too: the bytes on the wire follow it
    assert [json.dumps(body) for body in order_bodies(ids)] == [json.dumps(by_id[pk]) for pk in ids]


def test_rows_skip_missing_ids_and_keep_the_given_order(varied_orders):
    first, second, _ = varied_orders
    assert [body["id"] for body in order_bodies([second.pk, "ord_missing", first.pk])] == [
        second.pk,
        first.pk,
    ]
    assert order_bodies([]) == []


def test_the_list_is_what_its_schema_writes(api_client, varied_orders):
    # The list is answered without going through OrderListOut: its bytes must be what
    # validating through it and dumping (exclude_unset, as the operation declares) give.
    Product.objects.filter(pk=varied_orders[2].items.first().product_id).update(name="Zoë")
    response = api_client.get("/v1/orders", {"limit": 100})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    answered = json.loads(response.content)
    validated = OrderListOut.model_validate(answered)
    # key order too (json.loads keeps it; dumping both compares it)
    assert json.dumps(answered) == json.dumps(validated.model_dump(exclude_unset=True))
    assert len(validated.orders) == 3


def test_raw_json_bodies_write_the_same_json(varied_orders):
    ids = [order.pk for order in varied_orders]
    raw = orjson.dumps(order_bodies(ids, raw_json=True))
    assert json.dumps(json.loads(raw)) == json.dumps(order_bodies(ids))


def test_the_list_writes_stored_metadata_exactly(api_client):
    """Metadata is written as PostgreSQL stored it, never through a float: every digit stays."""
    big = 123456789012345678901234567890
    order = make_order(metadata={"big": big, "ratio": 0.1, "name": 'Zoë "q"'})
    response = api_client.get("/v1/orders")
    assert response.status_code == 200
    (body,) = json.loads(response.content)["orders"]
    assert body["id"] == order.pk
    assert body["metadata"] == {"big": big, "ratio": 0.1, "name": 'Zoë "q"'}


def _as_schema_writes_it(response) -> bool:
    validated = OrderOut.model_validate(json.loads(response.content))
    return response.content == json.dumps(validated.model_dump(exclude_unset=True)).encode()


def test_one_order_is_what_its_schema_writes(api_client, varied_orders):
    # Create, get and update answer without going through OrderOut (as the list does): their
    # bytes must be what validating through it and dumping give.
    for order in varied_orders:
        response = api_client.get(f"/v1/orders/{order.pk}")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json; charset=utf-8"
        assert _as_schema_writes_it(response)
    payload = {
        "source_id": "fmt-1",
        "status": "PAID",
        "discount_amount": 50,
        "items": [
            {"source_id": "fmt-p", "quantity": 2, "price": 500, "discount_amount": 100},
            {"source_id": "fmt-q", "quantity": 1, "price": 1500, "metadata": {"color": "red"}},
        ],
        "metadata": {"channel": "web"},
        "customer": {"source_id": "fmt-c", "name": "Zoë", "email": "zoe@example.com"},
    }
    created = api_client.post_json("/v1/orders", payload)
    assert created.status_code == 200, created.content
    assert _as_schema_writes_it(created)
    updated = api_client.put_json(f"/v1/orders/{created.json()['id']}", {"status": "CANCELED"})
    assert updated.status_code == 200, updated.content
    assert _as_schema_writes_it(updated)
