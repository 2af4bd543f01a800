"""How many queries one API write costs (issue 18: at most 8 per create)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from api.auth import forget_api_keys
from core.models import ApiKey
from core.shared_cache import VersionedCache
from metadata.models import MetadataProperty, MetadataSchema

# A real transaction per request, as in production (in a test transaction it is a savepoint).
pytestmark = pytest.mark.django_db(transaction=True)

MAX_QUERIES_PER_WRITE = 8


def _payload(number: int, status: str = "PAID") -> dict:
    return {
        "source_id": f"q-{number}",
        "status": status,
        "items": [
            {"source_id": "roses", "quantity": 2, "price": 500, "discount_amount": 100},
            {"source_id": "vase", "quantity": 1, "price": 1500, "metadata": {"color": "red"}},
        ],
        "metadata": {"channel": "web"},
        "customer": {"source_id": "alice", "name": "Alice", "email": "alice@example.com"},
    }


@pytest.fixture
def schemas(db):
    order = MetadataSchema.objects.create(related_object="order")
    MetadataProperty.objects.create(schema=order, name="channel", type="string")
    MetadataSchema.objects.create(related_object="order_item")
    MetadataSchema.objects.create(related_object="customer")


def _count(call) -> tuple[object, list[str]]:
    """The response and the statements the request sent, its BEGIN and COMMIT left out."""
    with CaptureQueriesContext(connection) as queries:
        response = call()
    statements = [query["sql"] for query in queries.captured_queries]
    return response, [sql for sql in statements if sql not in ("BEGIN", "COMMIT")]


def test_create_with_items_customer_and_metadata_stays_within_the_bound(api_client, schemas):
    # the customer exists from then on; the key's first use is written, then it is cached
    api_client.post_json("/v1/orders", _payload(0))
    api_client.post_json("/v1/orders", _payload(-1))
    response, queries = _count(lambda: api_client.post_json("/v1/orders", _payload(1)))
    assert response.status_code == 200, response.content
    print("\n".join(queries))
    assert len(queries) <= MAX_QUERIES_PER_WRITE, "\n".join(queries)


def test_a_create_writes_its_order_items_and_event_in_one_statement(api_client, schemas):
    api_client.post_json("/v1/orders", _payload(0))
    api_client.post_json("/v1/orders", _payload(-1))
    response, queries = _count(lambda: api_client.post_json("/v1/orders", _payload(1)))
    # the locks, the order looked for (and locked), the catalogue, the customer, one INSERT
    # of the order with its items and event, the summary
    assert response.status_code == 200, response.content
    inserts = [sql for sql in queries if "INSERT INTO" in sql]
    assert len(inserts) == 1 and inserts[0].count("INSERT INTO") == 3, "\n".join(queries)
    assert len(queries) <= 6, "\n".join(queries)
    body = response.json()
    assert [item["quantity"] for item in body["items"]] == [2, 1]
    assert body["total_amount"] == 2400


def test_update_with_a_new_cart_status_and_metadata_stays_within_its_bound(api_client, schemas):
    # Given an order (the key's first use is written on this request)
    path = "/v1/orders/" + api_client.post_json("/v1/orders", _payload(0)).json()["id"]
    api_client.put_json(path, {"status": "FULFILLED"})
    body = _payload(1, status="PAID")
    del body["source_id"], body["customer"]
    body["items"][0]["quantity"] = 5
    # When it is updated: status, cart and metadata
    response, queries = _count(lambda: api_client.put_json(path, body))
    # Then: the locks, the row, the catalogue, the old cart, its DELETE, one statement updating
    # the order and inserting the new cart and the event, the summary (the total changed)
    assert response.status_code == 200, response.content
    assert [item["quantity"] for item in response.json()["items"]] == [5, 1]
    writes = [sql for sql in queries if "orders_order" in sql and "INSERT INTO" in sql]
    assert len(writes) == 1, "\n".join(queries)
    assert writes[0].count("INSERT INTO") == 2 and "UPDATE orders_order" in writes[0]
    assert len(queries) <= 7, "\n".join(queries)


def test_update_of_status_and_metadata_stays_within_the_bound(api_client, schemas):
    path = "/v1/orders/" + api_client.post_json("/v1/orders", _payload(0)).json()["id"]
    api_client.put_json(path, {"status": "FULFILLED"})
    body = {"status": "CANCELED", "metadata": {"channel": "store"}}
    response, queries = _count(lambda: api_client.put_json(path, body))
    # the locks, the row, its UPDATE, the event, the summary (a counted order is
    # canceled) and the cart for the answer
    assert response.status_code == 200, response.content
    assert len(queries) <= 6, "\n".join(queries)


def test_a_schema_change_is_seen_by_the_next_write(api_client, schemas):
    api_client.post_json("/v1/orders", _payload(0))  # the order schema is cached now
    MetadataProperty.objects.create(
        schema=MetadataSchema.objects.get(related_object="order"), name="tier", optional=False
    )
    response = api_client.post_json("/v1/orders", _payload(1))
    assert response.status_code == 400
    assert "tier: is required" in response.json()["details"]


def test_a_key_revoked_in_the_admin_is_refused_at_once(api_client, api_key):
    assert api_client.get("/v1/orders").status_code == 200  # the key is cached now
    ApiKey.objects.filter(pk=api_key.pk).update(revoked_at=timezone.now())
    forget_api_keys()  # what the admin's bulk action does after its update()
    assert api_client.get("/v1/orders").status_code == 401


def test_a_value_read_before_a_change_is_never_served_after_it():
    cache = VersionedCache("test-versioned")
    cache.forget_now()

    # A reader takes the version, then (slowly) reads the old rows ...
    def slow_load() -> str:
        cache.forget_now()  # ... while a writer changes them
        return "old"

    assert cache.get("k", slow_load) == "old"
    # the next reader does not get what the first one stored
    assert cache.get("k", lambda: "new") == "new"
    assert cache.get("k", lambda: "unused") == "new"


def test_a_cache_of_each_process_s_own_keeps_nothing(settings):
    # The default in-memory cache is per process: what one process forgets, another would
    # go on serving (a revoked key), so nothing is kept in it.
    settings.SHARED_CACHE = False
    cache = VersionedCache("test-unshared")
    assert cache.get("k", lambda: "first") == "first"
    assert cache.get("k", lambda: "second") == "second"
