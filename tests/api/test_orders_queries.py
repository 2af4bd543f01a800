"""How many queries one API write costs (issue 18: at most 8 per create)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

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
