"""A metadata condition on a key's value (a text, number or date comparison) is answered by
the GIN index on metadata (``order_metadata_idx``, ``?``) when few orders hold the key,
instead of every order being read to find its value missing (``orders.grammar``, issue 21;
``bench/filters.py`` measures it at a million orders)."""

from datetime import UTC
from typing import Any

import pytest
from django.db import connection
from django.db.models import QuerySet

from orders import grammar
from orders.models import Order
from tests.factories import CustomerFactory, make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def orders() -> dict[str, Order]:
    """Two orders with the keys the conditions read, three without them."""
    made = {
        "light": make_order(
            amount=1000,
            metadata={"weight": 2, "note": "Happy birthday", "shipped": "2026-03-01T10:00:00Z"},
        ),
        "heavy": make_order(
            amount=1000,
            metadata={"weight": 7, "note": "Congratulations", "shipped": "2026-05-01T10:00:00Z"},
        ),
    }
    for index in range(3):
        made[f"plain{index}"] = make_order(amount=1000, metadata={"channel": "web"})
    return made


def matching(conditions: dict[str, Any]) -> QuerySet[Order]:
    filters = grammar.parse(conditions, {})  # keys the schema does not define
    return Order.objects.filter(grammar.filters_q(filters, zone=UTC)).order_by()


@pytest.mark.parametrize(
    ("field", "condition", "value", "expected"),
    [
        ("weight", "$more_than", 5, {"heavy"}),
        ("weight", "$less_than_equal", 5, {"light"}),
        ("note", "$contains", "BIRTH", {"light"}),
        ("note", "$starts_with", "congrat", {"heavy"}),
        ("note", "$ends_with", "day", {"light"}),
        ("shipped", "$after", "2026-04-01", {"heavy"}),
        ("shipped", "$before", "2026-04-01", {"light"}),
    ],
)
def test_a_condition_on_a_keys_value_is_read_from_the_metadata_index(
    orders: dict[str, Order], field: str, condition: str, value: Any, expected: set[str]
) -> None:
    # Given orders of which only two hold the key
    # When they are filtered on the key's value
    queryset = matching({f"metadata.{field}": {"conditions": {condition: value}}})
    # Then exactly the matching orders are selected ...
    assert set(queryset.values_list("pk", flat=True)) == {orders[name].pk for name in expected}
    # ... and PostgreSQL can find the orders holding the key through the index (a table this
    # small would be scanned otherwise; a million orders would be too, which is the point).
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    assert "order_metadata_idx" in queryset.explain()


def test_does_not_contain_still_selects_orders_without_the_key(orders: dict[str, Order]) -> None:
    # Given orders with and without a note
    # When they are filtered on notes not containing "birth"
    queryset = matching({"metadata.note": {"conditions": {"$not_contain": "birth"}}})
    # Then orders without a note are among them (nothing in them contains it)
    expected = {"heavy", "plain0", "plain1", "plain2"}
    assert set(queryset.values_list("pk", flat=True)) == {orders[name].pk for name in expected}


def _planned_with_indexes(queryset: QuerySet) -> str:
    """The plan PostgreSQL picks when it cannot scan the table (which it would at this size)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    return queryset.explain()


def test_a_source_ids_beginning_is_a_range_of_the_prefix_index() -> None:
    # Given orders whose source IDs share a beginning, in mixed case
    for number in range(5):
        make_order(amount=1000, source_id=f"Shop-{number:03}")
    # When they are filtered on a beginning, in another case
    queryset = matching({"source_id": {"conditions": {"$starts_with": "shop-00"}}})
    # Then the orders beginning so are selected, whatever the case ...
    assert queryset.count() == 5
    # ... through a range of the prefix index, not the trigram lists nearly every order is in
    plan = _planned_with_indexes(queryset)
    assert "order_source_id_prefix_idx" in plan and "~>=~ 'SHOP-00'" in plan


def test_a_customer_id_condition_finds_the_customers_through_their_id_trigrams() -> None:
    from customers.models import Customer

    # Given an order of a customer, and one of another
    first = make_order(amount=1000, customer=CustomerFactory())
    other = make_order(amount=1000, customer=CustomerFactory())
    fragment = first.customer_id[-10:].lower()
    # When orders are filtered on a fragment of the first customer's ID
    queryset = matching({"customer_id": {"conditions": {"$contains": fragment}}})
    # Then that customer's order is selected ...
    assert list(queryset.values_list("pk", flat=True)) == [first.pk]
    assert other.customer_id[-10:].lower() != fragment
    # ... and the customers are found by the trigram index on their ids
    customers = Customer.objects.filter(pk__icontains=fragment).order_by()
    assert "customer_id_trgm_idx" in _planned_with_indexes(customers)
