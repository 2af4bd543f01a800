"""v1 orders: create / upsert, get, partial update, list — each response checked against the
reference contract (``tests/api/contract.py``)."""

import pytest

from catalog.models import Product
from customers.models import Customer
from metadata.models import MetadataProperty, MetadataSchema
from orders.models import Order, OrderEvent
from tests.api.contract import assert_error, assert_response
from tests.factories import CustomerFactory, ProductFactory, SKUFactory, make_order

pytestmark = pytest.mark.django_db

ORDERS = "/v1/orders"
ONE = "/v1/orders/{orderId}"


def create(api_client, payload):
    response = api_client.post_json(ORDERS, payload)
    return assert_response(response, "orders.json", "post", ORDERS), response


def test_create_order_with_items_customer_and_metadata(api_client):
    body, response = create(
        api_client,
        {
            "source_id": "shop-1001",
            "status": "PAID",
            "items": [
                {"source_id": "roses_1", "quantity": 2, "price": 500, "discount_amount": 100,
                 "product": {"name": "Roses", "price": 500}},
                {"source_id": "vase_1", "related_object": "product", "quantity": 1, "price": 1500},
            ],
            "discount_amount": 200,
            "metadata": {"channel": "web"},
            "customer": {"source_id": "alice@example.com", "name": "Alice",
                         "email": "alice@example.com"},
        },
    )  # fmt: skip

    assert response.status_code == 200
    order = Order.objects.get(source_id="shop-1001")
    customer = Customer.objects.get(source_id="alice@example.com")
    assert body["id"] == order.pk and body["id"].startswith("ord_")
    assert body["object"] == "order"
    assert body["status"] == "PAID"
    # amounts: 2 × 500 + 1500 = 2500; discounts 200 order-level + 100 item-level
    assert body["amount"] == 2500
    assert body["discount_amount"] == 200
    assert body["items_discount_amount"] == 100
    assert body["total_discount_amount"] == 300
    assert body["total_amount"] == 2200
    first, second = body["items"]
    assert first["object"] == "order_item" and first["related_object"] == "product"
    assert (first["quantity"], first["price"], first["amount"]) == (2, 500, 1000)
    assert (first["discount_amount"], first["subtotal_amount"]) == (100, 900)
    assert first["product"]["name"] == "Roses" and first["product_id"] == first["product"]["id"]
    assert "discount_amount" not in second  # zero discounts are left out, as in the reference
    assert "product" not in second  # an unknown product without details stays a source ID
    assert body["customer"] == {"id": customer.pk, "object": "customer"}
    assert body["customer_id"] == customer.pk
    assert body["referrer_id"] is None and "referrer" not in body
    assert customer.name == "Alice"
    assert body["metadata"] == {"channel": "web"}
    assert body["created_at"].endswith("Z") and len(body["created_at"]) == 24
    # the change went through the order service, with the key's name as the actor
    event = order.events.get()
    assert event.type == OrderEvent.Type.CREATED
    assert event.actor_type == OrderEvent.ActorType.API_KEY
    assert event.actor_label == "API key shop"


def test_create_total_only_order_defaults_to_created(api_client):
    body, _ = create(api_client, {"amount": 7700})
    assert body["status"] == "CREATED"
    assert body["items"] == []
    assert (body["amount"], body["total_amount"]) == (7700, 7700)
    assert body["source_id"] is None
    assert "discount_amount" not in body and "total_discount_amount" not in body


def test_items_by_product_id_and_sku_id_take_the_catalogue_price(api_client):
    product = ProductFactory(price=1200)
    sku = SKUFactory(price=1500)
    body, _ = create(
        api_client,
        {"items": [{"product_id": product.pk, "quantity": 2}, {"sku_id": sku.pk, "quantity": 1}]},
    )
    first, second = body["items"]
    assert (first["product_id"], first["price"], first["amount"]) == (product.pk, 1200, 2400)
    assert second["related_object"] == "sku"
    assert (second["sku_id"], second["product_id"]) == (sku.pk, sku.product_id)
    assert second["sku"]["sku"] == sku.sku and second["price"] == 1500
    assert body["amount"] == 3900


def test_post_with_a_known_source_id_updates_instead_of_duplicating(api_client):
    first, _ = create(api_client, {"source_id": "S-1", "amount": 1000, "metadata": {"a": 1}})
    second, _ = create(api_client, {"source_id": "S-1", "status": "PAID"})

    assert second["id"] == first["id"]
    assert Order.objects.filter(source_id="S-1").count() == 1
    # fields not sent stay as they were
    assert second["status"] == "PAID"
    assert second["amount"] == 1000
    assert second["metadata"] == {"a": 1}
    order = Order.objects.get(source_id="S-1")
    assert order.events.filter(type=OrderEvent.Type.STATUS_CHANGED).count() == 1


def test_post_with_a_known_id_updates_it_and_can_set_its_source_id(api_client):
    order = make_order(amount=500)
    body, _ = create(api_client, {"id": order.pk, "source_id": "late-id", "status": "FULFILLED"})
    assert body["id"] == order.pk
    assert (body["source_id"], body["status"]) == ("late-id", "FULFILLED")
    assert Order.objects.count() == 1


def test_post_with_an_unknown_id_is_404(api_client):
    response = api_client.post_json(ORDERS, {"id": "ord_doesnotexist000000000000", "amount": 1})
    body = assert_error(response, 404, "not_found")
    assert body["resource_type"] == "order"
    assert body["resource_id"] == "ord_doesnotexist000000000000"


@pytest.mark.parametrize("by", ["id", "source_id"])
def test_get_by_id_or_source_id(api_client, by):
    order = make_order(source_id="abc-42")
    key = order.pk if by == "id" else "abc-42"

    response = api_client.get(f"{ORDERS}/{key}")

    body = assert_response(response, "orders.json", "get", ONE)
    assert body["id"] == order.pk
    assert [item["quantity"] for item in body["items"]] == [1, 2]


def test_get_missing_order_is_the_reference_404(api_client):
    response = api_client.get(f"{ORDERS}/ord_nIcO2s8iD4Xh5E9IGDQ57Ax")
    body = assert_response(response, "orders.json", "get", ONE)
    assert response.status_code == 404
    assert body == {
        "code": 404,
        "key": "not_found",
        "message": "Resource not found",
        "details": "Cannot find order with id ord_nIcO2s8iD4Xh5E9IGDQ57Ax",
        "request_id": body["request_id"],
        "resource_id": "ord_nIcO2s8iD4Xh5E9IGDQ57Ax",
        "resource_type": "order",
    }


@pytest.mark.parametrize("by", ["id", "source_id"])
def test_put_is_a_partial_update(api_client, by):
    customer = CustomerFactory()
    order = make_order(
        source_id="P-1", customer=customer, metadata={"keep": "me"}, status="CREATED"
    )
    before = {i.pk for i in order.items.all()}
    key = order.pk if by == "id" else "P-1"

    response = api_client.put_json(f"{ORDERS}/{key}", {"status": "PAID"})

    body = assert_response(response, "orders.json", "put", ONE)
    order.refresh_from_db()
    assert order.status == "PAID" and body["status"] == "PAID"
    # everything not sent is unchanged
    assert order.customer_id == customer.pk and body["customer_id"] == customer.pk
    assert order.metadata == {"keep": "me"}
    assert {i.pk for i in order.items.all()} == before
    assert order.source_id == "P-1"
    event = order.events.latest("created_at")
    assert event.type == OrderEvent.Type.STATUS_CHANGED
    assert event.actor_label == "API key shop"


def test_put_replaces_items_and_recomputes_totals(api_client):
    order = make_order()
    body = assert_response(
        api_client.put_json(
            f"{ORDERS}/{order.pk}",
            {"items": [{"source_id": "x", "quantity": 3, "price": 100}], "discount_amount": 50},
        ),
        "orders.json",
        "put",
        ONE,
    )
    assert [(i["quantity"], i["amount"]) for i in body["items"]] == [(3, 300)]
    assert (body["amount"], body["discount_amount"], body["total_amount"]) == (300, 50, 250)


def test_put_can_clear_the_customer_and_set_a_referrer(api_client):
    order = make_order(customer=CustomerFactory())
    referrer = CustomerFactory()
    body = assert_response(
        api_client.put_json(f"{ORDERS}/{order.pk}", {"customer": None, "referrer_id": referrer.pk}),
        "orders.json",
        "put",
        ONE,
    )
    assert body["customer_id"] is None and "customer" not in body
    assert body["referrer"] == {"id": referrer.pk, "object": "customer"}


def test_put_missing_order_is_404(api_client):
    response = api_client.put_json(f"{ORDERS}/nope", {"status": "PAID"})
    body = assert_error(response, 404, "not_found")
    assert body["resource_id"] == "nope"


def test_customer_object_updates_an_existing_customer(api_client):
    customer = CustomerFactory(source_id="bob", name="Bob")
    body, _ = create(
        api_client, {"amount": 100, "customer": {"source_id": "bob", "name": "Robert"}}
    )
    customer.refresh_from_db()
    assert body["customer_id"] == customer.pk
    assert customer.name == "Robert"
    assert Customer.objects.count() == 1


def test_referrer_by_id_and_unknown_customer_id(api_client):
    referrer = CustomerFactory()
    body, _ = create(api_client, {"amount": 100, "referrer": {"id": referrer.pk}})
    assert body["referrer_id"] == referrer.pk

    response = api_client.post_json(ORDERS, {"amount": 100, "customer": {"id": "cust_missing"}})
    error = assert_error(response, 404, "not_found")
    assert error["resource_type"] == "customer"


# --- status rules ---------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["CREATED", "PAID", "CANCELED", "FULFILLED"])
def test_every_reference_status_is_accepted(api_client, status):
    body, _ = create(api_client, {"amount": 100, "status": status})
    assert body["status"] == status


@pytest.mark.parametrize("status", ["FULFILLLED", "paid", "CANCELLED", ""])
def test_other_statuses_are_400_naming_the_property(api_client, status):
    response = api_client.post_json(ORDERS, {"amount": 100, "status": status})
    body = assert_error(response, 400, "invalid_payload")
    assert body["details"].startswith("Property .status")
    assert not Order.objects.exists()


def test_paid_to_canceled_like_a_rollback_counts_in_the_customer_summary(api_client):
    create(api_client, {"source_id": "R-1", "amount": 900, "status": "PAID",
                        "customer": {"source_id": "c-1"}})  # fmt: skip
    customer = Customer.objects.get(source_id="c-1")
    assert customer.orders_total_amount == 900

    api_client.put_json(f"{ORDERS}/R-1", {"status": "CANCELED"})

    customer.refresh_from_db()
    assert (customer.orders_total_amount, customer.orders_total_count) == (0, 0)


# --- invalid payloads -------------------------------------------------------------------------

X = {"source_id": "x"}  # an item names what it sells; these payloads fail on something else


@pytest.mark.parametrize(
    ("payload", "details"),
    [
        ({"items": [{**X, "quantity": 0, "price": 1}]}, "Property .items[0].quantity"),
        ({"items": [{**X, "quantity": 1, "price": 1}, {**X, "quantity": "x"}]},
         "Property .items[1].quantity"),
        ({"items": [{**X, "quantity": 1, "price": -5}]}, "Property .items[0].price"),
        ({"amount": 1.5}, "Property .amount"),
        ({"amount": "lots"}, "Property .amount"),
        ({"items": [{**X, "quantity": 1, "price": 100, "discount_amount": 101}]},
         "Property .items[0].discount_amount"),
        ({"amount": 100, "discount_amount": 101}, "Property .discount_amount"),
        ({"items": [{**X, "quantity": 2, "price": 100, "amount": 300}]},
         "Property .items[0].amount"),
        ({"items": [{**X, "quantity": 1, "price": 1}] * 501}, "Property .items"),
        ({"metadata": "not an object", "amount": 1}, "Property .metadata"),
        ({"customer": {"email": "not-an-email"}, "amount": 1}, "Property .customer.email"),
        ({}, "Property .amount"),
    ],
)  # fmt: skip
def test_bad_payloads_are_400_invalid_payload_naming_the_property(api_client, payload, details):
    response = api_client.post_json(ORDERS, payload)
    body = assert_error(response, 400, "invalid_payload")
    assert body["details"].startswith(details), body["details"]
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    ("item", "resource_type"),
    [({"product_id": "prod_nope"}, "product"), ({"sku_id": "prod_nope"}, "sku")],
)
def test_an_item_naming_an_unknown_product_or_sku_is_404_like_an_unknown_customer(
    api_client, item, resource_type
):
    response = api_client.post_json(ORDERS, {"items": [{**item, "quantity": 1}]})
    body = assert_error(response, 404, "not_found")
    assert body["resource_type"] == resource_type and body["resource_id"] == "prod_nope", body
    assert body["details"] == f"Cannot find {resource_type} with id prod_nope"
    assert not Order.objects.exists()


@pytest.mark.parametrize("payload", [[], [1, 2], "text", 12, None])
def test_a_body_that_is_not_an_object_is_400(api_client, payload):
    response = api_client.post_json(ORDERS, payload)
    assert_error(response, 400, "invalid_payload")


def test_source_id_taken_by_another_order_is_409_duplicate_found(api_client):
    owner = make_order(source_id="taken")
    other = make_order()
    response = api_client.put_json(f"{ORDERS}/{other.pk}", {"source_id": "taken"})
    body = assert_error(response, 409, "duplicate_found")
    assert body["details"] == (
        f"Property .source_id Source ID 'taken' is already used by order {owner.pk}."
    )
    other.refresh_from_db()
    assert other.source_id != "taken"


def test_metadata_schema_violations_are_metadata_validation_failed(api_client):
    schema = MetadataSchema.objects.create(related_object="order")
    MetadataProperty.objects.create(schema=schema, name="tier", type="number", optional=False)

    response = api_client.post_json(ORDERS, {"amount": 100, "metadata": {"tier": "gold"}})

    body = assert_error(response, 400, "metadata_validation_failed")
    assert body["message"] == "Metadata validation failed"
    assert body["details"].startswith("tier:")
    assert "(actual value is 'gold')" in body["details"]
    assert not Order.objects.exists()


@pytest.mark.parametrize("method", ["post", "put"])
def test_item_metadata_violations_are_metadata_validation_failed(api_client, method):
    # Given an item metadata schema whose "color" is one of two, and an order to edit
    schema = MetadataSchema.objects.create(related_object="order_item")
    MetadataProperty.objects.create(schema=schema, name="color", eq=["red", "blue"])
    existing = make_order(source_id="edit-me")
    items = [
        {"source_id": "a", "quantity": 1, "price": 100, "metadata": {"color": "red"}},
        {"source_id": "b", "quantity": 1, "price": 100, "metadata": {"color": "green"}},
    ]

    # When an order is created, or the existing one's cart replaced, with a wrong color
    if method == "post":
        response = api_client.post_json(ORDERS, {"source_id": "new", "items": items})
    else:
        response = api_client.put_json(f"{ORDERS}/{existing.pk}", {"items": items})

    # Then the answer names the property and its value, and nothing was written
    body = assert_error(response, 400, "metadata_validation_failed")
    assert body["details"].startswith("color:")
    assert "(actual value is 'green')" in body["details"]
    assert list(Order.objects.values_list("source_id", flat=True)) == ["edit-me"]
    assert existing.items.count() == 2 and existing.events.count() == 1


def test_customer_metadata_violations_are_metadata_validation_failed(api_client):
    schema = MetadataSchema.objects.create(related_object="customer", allow_defined_only=True)
    MetadataProperty.objects.create(schema=schema, name="vip", type="boolean")

    response = api_client.post_json(
        ORDERS, {"amount": 1, "customer": {"source_id": "m", "metadata": {"other": 1}}}
    )

    assert_error(response, 400, "metadata_validation_failed")
    assert not Customer.objects.exists()


def test_a_nul_character_is_refused_not_a_500(api_client):
    response = api_client.post_json(ORDERS, {"amount": 1, "source_id": "a\x00b"})
    assert_error(response, 400, "invalid_payload")
    assert_error(api_client.get(f"{ORDERS}/a%00b"), 400, "invalid_query_params")


def test_a_new_product_is_created_from_item_details_once(api_client):
    item = {"source_id": "mug", "quantity": 1, "price": 900, "product": {"name": "Mug"}}
    create(api_client, {"items": [item]})
    create(api_client, {"items": [item]})
    assert Product.objects.filter(source_id="mug").count() == 1


def test_invalid_payload_details_read_like_the_reference(api_client):
    response = api_client.post_json(ORDERS, {"items": [{**X, "quantity": 0, "price": 100}]})
    body = assert_error(response, 400, "invalid_payload")
    assert body["details"] == "Property .items[0].quantity should be greater than or equal to 1"
    # a rule of the order service, not of the schema, is named the same way
    response = api_client.post_json(
        ORDERS, {"items": [{**X, "quantity": 1, "price": 100, "discount_amount": 150}]}
    )
    details = assert_error(response, 400, "invalid_payload")["details"]
    assert details.startswith("Property .items[0].discount_amount cannot exceed the item amount")


def test_product_details_override_and_bad_product_names(api_client):
    product = ProductFactory(source_id="tea", name="Tea", price=300)
    item = {"source_id": "tea", "quantity": 1, "product": {"name": "Green tea", "override": True}}
    body, _ = create(api_client, {"items": [item]})
    product.refresh_from_db()
    assert product.name == "Green tea" and body["items"][0]["product"]["name"] == "Green tea"
    assert body["items"][0]["price"] == 300  # no price sent: the catalogue's

    blank = {"source_id": "new-one", "quantity": 1, "price": 5, "product": {"name": "  "}}
    response = api_client.post_json(ORDERS, {"items": [blank]})
    details = assert_error(response, 400, "invalid_payload")["details"]
    assert details.startswith("Property .items[0].product.name")


# --- values beyond what the columns hold --------------------------------------------------

BIGINT = 2**63 - 1  # every amount and price column
INTEGER = 2**31 - 1  # item quantity and the order's items_count


def test_values_at_the_columns_limits_are_accepted(api_client):
    body, _ = create(api_client, {"items": [{"source_id": "a", "quantity": 1, "price": BIGINT}]})
    assert body["amount"] == body["total_amount"] == BIGINT
    body, _ = create(api_client, {"items": [{"source_id": "b", "quantity": INTEGER, "price": 0}]})
    assert body["items"][0]["quantity"] == INTEGER
    body, _ = create(api_client, {"amount": BIGINT, "discount_amount": BIGINT})
    assert (body["amount"], body["total_amount"]) == (BIGINT, 0)
    assert Order.objects.count() == 3


@pytest.mark.parametrize(
    ("payload", "details"),
    [
        # Bounded by the schema: the property and the limit, as every schema error reads
        ({"items": [{**X, "quantity": INTEGER + 1, "price": 1}]},
         "Property .items[0].quantity should be less than or equal to 2147483647"),
        ({"items": [{**X, "quantity": 10**20, "price": 1}]},
         "Property .items[0].quantity should be less than or equal to 2147483647"),
        ({"items": [{**X, "quantity": 1, "price": 1}, {**X, "quantity": 1, "price": BIGINT + 1}]},
         "Property .items[1].price should be less than or equal to 9223372036854775807"),
        ({"amount": BIGINT + 1}, "Property .amount should be less than or equal to"),
        ({"amount": 1, "discount_amount": 10**30}, "Property .discount_amount should be less"),
        ({"items": [{**X, "quantity": 1, "price": 1, "discount_amount": BIGINT + 1}]},
         "Property .items[0].discount_amount should be less than or equal to"),
        ({"items": [{**X, "quantity": 1, "product": {"name": "X", "price": 2**64}}]},
         "Property .items[0].product.price should be less than or equal to"),
        # Computed by the order service: the item is named, with the limit
        ({"items": [{**X, "quantity": 3, "price": BIGINT // 2}]},
         "Property .items[0].quantity must be at most 2 at a price of "
         "$46,116,860,184,273,879.03: an item amount cannot exceed $92,233,720,368,547,758.07"),
        ({"items": [{**X, "quantity": 1, "price": BIGINT}, {**X, "quantity": 1, "price": 1}]},
         "Property .items[1].quantity makes the order amount exceed "
         "$92,233,720,368,547,758.07"),
        ({"items": [{**X, "quantity": INTEGER, "price": 0}, {**X, "quantity": 1, "price": 0}]},
         "Property .items[1].quantity makes the order's units exceed 2,147,483,647"),
    ],
)  # fmt: skip
def test_values_beyond_the_columns_are_400_naming_the_property(api_client, payload, details):
    response = api_client.post_json(ORDERS, payload)
    body = assert_error(response, 400, "invalid_payload")
    assert body["details"].startswith(details), body["details"]
    assert not Order.objects.exists() and not Product.objects.exists()


def test_an_update_beyond_the_columns_is_400_and_changes_nothing(api_client):
    # Given an order
    order = make_order(items=1)

    # When an update would make an item's amount overflow
    items = [{"source_id": "x", "quantity": INTEGER, "price": 10**10}]
    response = api_client.put_json(f"{ORDERS}/{order.pk}", {"items": items})

    # Then it is refused naming the item, and the order is as it was
    body = assert_error(response, 400, "invalid_payload")
    assert body["details"].startswith("Property .items[0].quantity must be at most 922,337,203")
    assert Order.objects.get(pk=order.pk).version == order.version
    assert order.items.count() == 1

    # And the schema's bound is named the same way on update
    response = api_client.put_json(f"{ORDERS}/{order.pk}", {"amount": BIGINT + 1})
    assert assert_error(response, 400, "invalid_payload")["details"].startswith("Property .amount")


def test_the_openapi_document_states_the_columns_limits(client):
    schemas = client.get("/v1/openapi.json").json()["components"]["schemas"]
    item = schemas["ItemIn"]["properties"]

    def bounds(prop: dict) -> tuple:
        (number,) = [part for part in prop["anyOf"] if part.get("type") == "integer"]
        return number.get("minimum"), number.get("maximum")

    assert bounds(item["quantity"]) == (1, INTEGER)
    assert bounds(item["price"]) == (0, BIGINT)
    assert bounds(schemas["OrderIn"]["properties"]["amount"]) == (0, BIGINT)


# --- input the schema refuses instead of reading something else into it -------------------


@pytest.mark.parametrize(
    ("payload", "details"),
    [
        ({"items": ["x"]}, "Property .items[0] should be an object"),
        ({"items": [{}]}, "Property .items[0] should name what it sells"),
        ({"items": [{"quantity": 1, "price": 100}]}, "Property .items[0] should name what it"),
        ({"items": [{"source_id": "tea", "product": {"name": "Tea"}, "sku": {"sku": "Tin"}}]},
         "Property .items[0] should not carry a sku object on a product item"),
        ({"amount": True}, "Property .amount should be a valid integer"),
        ({"amount": "100"}, "Property .amount should be a valid integer"),
        ({"items": [{**X, "quantity": "2", "price": 1}]}, "Property .items[0].quantity"),
        ({"items": [{**X, "quantity": 1, "price": True}]}, "Property .items[0].price"),
        ({"amount": 1, "customer": {"source_id": "c", "address": "x"}},
         "Property .customer.address should be an object"),
        ({"amount": 1, "created_at": "0001-01-01T00:00:00+14:00"},
         "Property .created_at should be between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z"),
        ({"amount": 1, "created_at": "9999-12-31T23:59:59-14:00"},
         "Property .created_at should be between"),
    ],
)  # fmt: skip
def test_input_of_the_wrong_shape_is_400_naming_the_property(api_client, payload, details):
    response = api_client.post_json(ORDERS, payload)
    body = assert_error(response, 400, "invalid_payload")
    assert body["details"].startswith(details), body["details"]
    assert not Order.objects.exists() and not Customer.objects.exists()
    assert not Product.objects.exists()


def test_a_created_at_at_the_edges_of_the_calendar_is_kept(api_client):
    body, _ = create(api_client, {"amount": 1, "created_at": "0001-01-01T14:00:00+14:00"})
    assert body["created_at"] == "0001-01-01T00:00:00.000Z"
    body, _ = create(api_client, {"amount": 1, "created_at": "9999-12-31T09:59:59-14:00"})
    assert body["created_at"] == "9999-12-31T23:59:59.000Z"


@pytest.mark.parametrize("payload", [[{"amount": 1}], ["amount"], 1])
def test_a_json_array_or_scalar_body_is_not_read_as_an_object(api_client, payload):
    response = api_client.post_json(ORDERS, payload)
    body = assert_error(response, 400, "invalid_payload")
    assert body["details"] == "The request body should be an object; send a JSON object."
    assert not Order.objects.exists()


def test_a_sku_of_another_product_is_refused_not_dropped(api_client):
    sku = SKUFactory(price=1500)
    other = ProductFactory()
    item = {"sku_id": sku.pk, "product_id": other.pk, "quantity": 1}
    response = api_client.post_json(ORDERS, {"items": [item]})
    details = assert_error(response, 400, "invalid_payload")["details"]
    assert details.startswith(f"Property .items[0].product_id: sku {sku.pk} belongs to product")
    assert not Order.objects.exists()
    # Naming the SKU's own product is consistent and kept
    item["product_id"] = sku.product_id
    body, _ = create(api_client, {"items": [item]})
    assert (body["items"][0]["sku_id"], body["items"][0]["product_id"]) == (sku.pk, sku.product_id)


def test_the_openapi_document_states_enums_and_date_time_formats(client):
    schemas = client.get("/v1/openapi.json").json()["components"]["schemas"]
    status = schemas["OrderIn"]["properties"]["status"]["anyOf"][0]
    assert status["enum"] == ["CREATED", "PAID", "CANCELED", "FULFILLED"]
    created_at = schemas["OrderIn"]["properties"]["created_at"]["anyOf"][0]
    assert (created_at["type"], created_at["format"]) == ("string", "date-time")
    item = schemas["ItemIn"]
    assert [option["required"] for option in item["anyOf"]] == [
        ["sku_id"],
        ["product_id"],
        ["source_id"],
    ]
    for name in ("created_at", "updated_at"):
        out = schemas["OrderOut"]["properties"][name]
        assert "date-time" in {out.get("format"), *(p.get("format") for p in out.get("anyOf", []))}
