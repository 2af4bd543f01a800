"""core.rows: look-ups and inserts that answer what the ORM's would, without its per-call work."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from catalog.models import Product
from core.rows import insert_together, row_where, rows_where
from customers.models import Customer
from orders.models import Order, OrderEvent, OrderItem
from tests.factories import CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db


def _fields(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def test_a_row_found_by_a_unique_field_is_the_orms_instance():
    # Given a customer with metadata and a summary
    customer = CustomerFactory(source_id="c-1", metadata={"tier": "gold", "tags": ["a"]})
    # When it is looked up by source ID and by id
    by_source = row_where(Customer, "source_id", "c-1")
    by_id = row_where(Customer, "pk", customer.pk)
    # Then both are the instance the ORM reads, JSON decoded, saved
    expected = _fields(Customer.objects.get(pk=customer.pk))
    assert _fields(by_source) == expected
    assert _fields(by_id) == expected
    assert by_source.metadata == {"tier": "gold", "tags": ["a"]}
    assert not by_source._state.adding and by_source._state.db == "default"


def test_a_missing_row_is_none_and_no_values_ask_nothing():
    assert row_where(Customer, "source_id", "nobody") is None
    with CaptureQueriesContext(connection) as queries:
        assert rows_where(Customer, "source_id", []) == []
    assert not queries.captured_queries


def test_several_values_find_each_row_once_whatever_their_number():
    products = [ProductFactory(source_id=f"p-{n}") for n in range(3)]
    for count in (1, 2, 3):
        wanted = [p.source_id for p in products[:count]] + ["missing"]
        found = rows_where(Product, "source_id", wanted)
        assert sorted(p.pk for p in found) == sorted(p.pk for p in products[:count])


def test_for_update_locks_the_row():
    CustomerFactory(source_id="locked")
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        assert row_where(Customer, "source_id", "locked", for_update=True) is not None
    assert any("FOR UPDATE" in query["sql"] for query in queries.captured_queries)


def test_an_order_its_items_and_event_are_inserted_in_one_statement():
    # Given a new order with two lines and its event, as the order service makes them
    customer = CustomerFactory()
    order = Order(source_id="o-1", status="PAID", customer=customer, metadata={"channel": "web"})
    items = [
        OrderItem(order=order, position=p, source_id=f"line-{p}", quantity=1, price=100 + p)
        for p in range(2)
    ]
    event = OrderEvent(order=order, type="created", changes={"status": [None, "PAID"]})
    # When they are inserted together
    with CaptureQueriesContext(connection) as queries:
        insert_together([order], items, [event])
    # Then in one statement, each instance saved with the id the database gave it
    assert len(queries.captured_queries) == 1
    assert [item.pk for item in items] == list(
        OrderItem.objects.filter(order=order).order_by("position").values_list("pk", flat=True)
    )
    assert items[0].pk < items[1].pk
    assert event.pk == OrderEvent.objects.get(order=order).pk
    assert not order._state.adding and not items[0]._state.adding
    assert _fields(Order.objects.get(pk=order.pk)) == _fields(order)
    assert _fields(OrderItem.objects.get(pk=items[1].pk)) == _fields(items[1])
    assert _fields(OrderEvent.objects.get(pk=event.pk)) == _fields(event)
