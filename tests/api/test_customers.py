"""v1 customers: create (upsert), get and update by id or source_id, list, ``summary.orders``."""

import pytest

from customers.models import Customer
from metadata.models import MetadataSchema
from metadata.services import save_property, schema_for
from orders.actors import Actor
from orders.models import OrderStatus
from orders.services import change_order_status
from tests.api.contract import assert_error, assert_response
from tests.factories import CustomerFactory, make_order

pytestmark = pytest.mark.django_db

GET = ("customers.json", "get", "/v1/customers/{customerId}")
PUT = ("customers.json", "put", "/v1/customers/{customerId}")
POST = ("customers.json", "post", "/v1/customers")
BOB = {
    "source_id": "bob@example.com",
    "name": "Bob Smith",
    "email": "bob@example.com",
    "phone": "+1 933 222 3333",
    "address": {"city": "New York", "line_1": "123 Main St.", "postal_code": "10001"},
    "metadata": {"lang": "en"},
}


def test_create_answers_the_reference_customer_with_an_empty_summary(api_client):
    response = api_client.post_json("/v1/customers", BOB)

    body = assert_response(response, *POST)
    assert body["id"].startswith("cust_") and len(body["id"]) == 29
    assert body["object"] == "customer" and body["source_id"] == "bob@example.com"
    assert body["address"] == {"city": "New York", "line_1": "123 Main St.", "postal_code": "10001"}
    assert body["metadata"] == {"lang": "en"}
    assert body["summary"]["orders"] == {
        "total_amount": 0,
        "total_count": 0,
        "average_amount": 0,
        "last_order_amount": 0,
    }
    customer = Customer.objects.get(pk=body["id"])
    assert (customer.name, customer.city, customer.address_line_1) == (
        "Bob Smith",
        "New York",
        "123 Main St.",
    )


def test_create_with_an_existing_source_id_or_id_updates_that_customer(api_client):
    first = api_client.post_json("/v1/customers", BOB).json()

    again = api_client.post_json("/v1/customers", {"source_id": BOB["source_id"], "name": "Bo"})
    by_id = api_client.post_json("/v1/customers", {"id": first["id"], "phone": "+48 1"})

    assert assert_response(again, *POST)["id"] == first["id"]
    body = assert_response(by_id, *POST)
    assert (body["name"], body["phone"], body["email"]) == ("Bo", "+48 1", "bob@example.com")
    assert Customer.objects.count() == 1


def test_create_with_an_unknown_id_is_a_404(api_client):
    response = api_client.post_json("/v1/customers", {"id": "cust_000000000000000000000000"})

    body = assert_error(response, 404, "not_found", "customers.json")
    assert body["resource_type"] == "customer"
    assert not Customer.objects.exists()


def test_a_source_id_another_customer_holds_is_409_duplicate_found(api_client):
    CustomerFactory(source_id="alice")
    bob = CustomerFactory(source_id="bob", name="Bob")
    response = api_client.post_json("/v1/customers", {"id": bob.pk, "source_id": "alice"})
    assert response.status_code == 409, response.content
    body = response.json()
    assert (body["key"], body["message"]) == ("duplicate_found", "Duplicated resource found")
    assert body["details"].startswith("Property .source_id"), body
    bob.refresh_from_db()
    assert bob.source_id == "bob"


def test_get_by_id_or_source_id_and_404_otherwise(api_client):
    customer = CustomerFactory(source_id="alice", name="Alice")

    by_id = api_client.get(f"/v1/customers/{customer.pk}")
    by_source = api_client.get("/v1/customers/alice")
    missing = api_client.get("/v1/customers/nobody@example.com")

    assert assert_response(by_id, *GET)["id"] == customer.pk
    assert assert_response(by_source, *GET)["name"] == "Alice"
    body = assert_response(missing, *GET)
    assert missing.status_code == 404 and body["key"] == "not_found"
    assert (body["resource_type"], body["resource_id"]) == ("customer", "nobody@example.com")


def test_put_changes_only_the_fields_sent(api_client):
    created = api_client.post_json("/v1/customers", BOB).json()

    response = api_client.put_json(
        f"/v1/customers/{BOB['source_id']}", {"name": "Robert", "address": {"city": "Boston"}}
    )

    body = assert_response(response, *PUT)
    assert body["id"] == created["id"] and body["name"] == "Robert"
    assert body["email"] == BOB["email"] and body["metadata"] == {"lang": "en"}
    assert body["address"] == {"city": "Boston", "line_1": "123 Main St.", "postal_code": "10001"}
    cleared = api_client.put_json(f"/v1/customers/{created['id']}", {"address": None})
    assert assert_response(cleared, *PUT)["address"] is None


def test_put_to_an_unknown_customer_is_a_404(api_client):
    response = api_client.put_json("/v1/customers/ghost", {"name": "x"})

    body = assert_response(response, *PUT)
    assert response.status_code == 404 and body["resource_type"] == "customer"


def test_bad_input_is_a_400_naming_the_property(api_client):
    schema = schema_for(MetadataSchema.RelatedObject.CUSTOMER)
    save_property(schema, {"name": "tier", "type": "number", "optional": False})

    bad_email = api_client.post_json(
        "/v1/customers", {"email": "not-an-email", "metadata": {"tier": 1}}
    )
    bad_meta = api_client.post_json("/v1/customers", {"name": "x", "metadata": {"tier": "gold"}})
    bad_type = api_client.post_json("/v1/customers", {"name": 7})

    assert ".email" in assert_error(bad_email, 400, "invalid_payload", "customers.json")["details"]
    details = assert_error(bad_meta, 400, "metadata_validation_failed", "customers.json")["details"]
    assert "tier" in details
    assert ".name" in assert_error(bad_type, 400, "invalid_payload", "customers.json")["details"]
    assert not Customer.objects.exists()


def test_summary_orders_follows_order_status_changes(api_client):
    # Given Carol with a paid order and an order not yet paid
    carol = CustomerFactory(source_id="carol")
    make_order(amount=3_000, status=OrderStatus.PAID, customer=carol)
    later = make_order(amount=5_000, status=OrderStatus.CREATED, customer=carol)

    before = assert_response(api_client.get("/v1/customers/carol"), *GET)["summary"]["orders"]

    # When the second order is paid
    change_order_status(later, OrderStatus.PAID, actor=Actor.system("tests"))
    after = assert_response(api_client.get("/v1/customers/carol"), *GET)["summary"]["orders"]

    # Then only PAID and FULFILLED orders count, the newest being the last order
    assert (before["total_count"], before["total_amount"]) == (1, 3_000)
    assert after["total_count"] == 2 and after["total_amount"] == 8_000
    assert after["average_amount"] == 4_000 and after["last_order_amount"] == 5_000
    later.refresh_from_db()
    assert after["last_order_date"].endswith("Z") and len(after["last_order_date"]) == 24
    # And a rollback (PAID → CANCELED) takes it out again
    change_order_status(later, OrderStatus.CANCELED, actor=Actor.system("tests"))
    rolled = api_client.get("/v1/customers/carol").json()["summary"]["orders"]
    assert (rolled["total_count"], rolled["total_amount"]) == (1, 3_000)


def test_list_filters_pages_and_sorts(api_client):
    for index in range(3):
        CustomerFactory(source_id=f"c{index}", city="Oslo" if index else "Rome")

    first = api_client.get("/v1/customers?city=Oslo&limit=1&order=source_id")
    second = api_client.get("/v1/customers?city=Oslo&limit=1&page=2&order=source_id")

    body = assert_response(first, "customers.json", "get", "/v1/customers")
    assert [c["source_id"] for c in body["customers"]] == ["c1"]
    assert body["total"] == 2 and body["has_more"] is True
    rest = assert_response(second, "customers.json", "get", "/v1/customers")
    assert [c["source_id"] for c in rest["customers"]] == ["c2"] and rest["has_more"] is False
    assert body["object"] == "list" and body["data_ref"] == "customers"
    bad = api_client.get("/v1/customers?order=amount")
    assert_error(bad, 400, "invalid_query_params", "customers.json")


def test_date_bounds_with_extreme_offsets_are_a_400_never_a_500(api_client):
    CustomerFactory(source_id="old")

    far = api_client.get("/v1/customers", {"created_at[before]": "9999-12-31T23:00:00-18:59"})
    odd = api_client.get("/v1/customers", {"created_at[after]": "2849-08-21T05:17:11-18:59"})

    assert "created_at[before]" in assert_error(far, 400, "invalid_query_params")["details"]
    assert assert_response(odd, "customers.json", "get", "/v1/customers")["total"] == 0


@pytest.mark.parametrize("body", [[{"name": "Bob"}], [], "Bob", 7])
def test_a_body_that_is_not_an_object_is_400_and_creates_nobody(api_client, body):
    response = api_client.post_json("/v1/customers", body)

    details = assert_error(response, 400, "invalid_payload", "customers.json")["details"]
    assert details == "The request body should be an object; send a JSON object."
    assert not Customer.objects.exists()


@pytest.mark.parametrize(
    ("payload", "named"),
    [
        ({"name": "Bob", "address": "x"}, "Property .address should be an object"),
        ({"name": "Bob", "address": ["Main St"]}, "Property .address should be an object"),
        ({"name": "Bob", "birthdate": "10000-01-01"}, "Property .birthdate"),
    ],
)
def test_a_value_of_the_wrong_shape_is_refused_not_ignored(api_client, payload, named):
    customer = CustomerFactory(source_id="bob", city="Oslo")

    created = api_client.post_json("/v1/customers", payload)
    updated = api_client.put_json("/v1/customers/bob", payload)

    for response in (created, updated):
        details = assert_error(response, 400, "invalid_payload", "customers.json")["details"]
        assert details.startswith(named), details
    assert list(Customer.objects.all()) == [customer]
    customer.refresh_from_db()
    assert (customer.name, customer.city) == (customer.name, "Oslo")


def test_the_openapi_document_states_the_sorts_and_date_time_formats(client):
    document = client.get("/v1/openapi.json").json()
    parameters = document["paths"]["/v1/customers"]["get"]["parameters"]
    (order,) = [p for p in parameters if p["name"] == "order"]
    assert order["schema"]["enum"] == [
        "created_at", "-created_at", "updated_at", "-updated_at", "source_id", "-source_id"
    ]  # fmt: skip
    customer = document["components"]["schemas"]["CustomerOut"]["properties"]
    assert customer["created_at"]["format"] == customer["updated_at"]["format"] == "date-time"


def test_the_list_never_counts_every_row_and_estimates_a_large_total(api_client, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core import lists
    from customers import selectors

    # Given more customers than a page
    for index in range(3):
        CustomerFactory(source_id=f"c{index}", city="Oslo")

    # When a page is read, then the count it runs stops at a LIMIT
    with CaptureQueriesContext(connection) as queries:
        body = api_client.get("/v1/customers?limit=1&city=Oslo").json()
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert body["total"] == 3 and counts
    assert all("LIMIT" in sql.upper() for sql in counts)

    # ... and past the exact limit the total is the planner's estimate, as for orders
    monkeypatch.setattr(lists, "EXACT_COUNT_LIMIT", 1)
    for module in (lists, selectors):
        monkeypatch.setattr(module, "planner_row_estimate", lambda queryset: 1_234_567)
    body = api_client.get("/v1/customers?limit=1").json()
    assert body["total"] == 1_234_567 and body["has_more"] is True


def test_the_list_filters_through_the_customers_filterset(api_client):
    from api.customers import CustomerApiFilter
    from customers.filters import CustomerFilter

    # Given customers named alike and not
    CustomerFactory(source_id="a", name="Ada", email="ada@example.com")
    CustomerFactory(source_id="b", name="Bob", email="bob@example.com")

    # Then the API's filters are the customers list's FilterSet, and they filter
    assert issubclass(CustomerApiFilter, CustomerFilter)
    body = api_client.get("/v1/customers?email=bob@example.com").json()
    assert [c["source_id"] for c in body["customers"]] == ["b"] and body["total"] == 1
