"""The order service's one-statement summary writes give what the full recompute gives.

``count_new_order`` (a new order, by arithmetic) and ``refresh_few_purchase_summaries`` (one
``UPDATE`` for an order change's customers) against ``rebuild_purchase_summaries``, the rule
every writer uses, for every kind of customer: none, earlier, later and same-instant orders,
uncounted statuses, a saturated total and a summary left wrong by a change made outside the
service."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.money import MAX_MINOR_UNITS
from customers.models import Customer
from orders.actors import Actor
from orders.models import Order, OrderStatus
from orders.summaries import (
    count_new_order,
    rebuild_purchase_summaries,
    refresh_few_purchase_summaries,
)
from tests.factories import CustomerFactory, make_order

pytestmark = pytest.mark.django_db

SUMMARY = (
    "orders_total_amount",
    "orders_total_count",
    "orders_last_order_amount",
    "orders_last_order_date",
)
NOON = datetime(2026, 3, 1, 12, tzinfo=UTC)


def summary(customer: Customer) -> tuple:
    customer.refresh_from_db()
    return tuple(getattr(customer, name) for name in SUMMARY)


def recomputed(customer: Customer) -> tuple:
    rebuild_purchase_summaries([customer.pk])
    return summary(customer)


def _order(customer: Customer, amount: int, status: str, created_at: datetime) -> Order:
    return make_order(
        items=0, amount=amount, customer=customer, status=status, created_at=created_at
    )


@pytest.mark.parametrize(
    ("earlier", "new_at", "new_status"),
    [
        ([], NOON, OrderStatus.PAID),  # a first order
        ([(1000, OrderStatus.PAID, -1)], NOON, OrderStatus.FULFILLED),  # a later one
        ([(1000, OrderStatus.PAID, +1)], NOON, OrderStatus.PAID),  # an older one
        ([(1000, OrderStatus.PAID, 0)], NOON, OrderStatus.PAID),  # the same instant
        ([(1000, OrderStatus.CANCELED, -1)], NOON, OrderStatus.PAID),  # beside an uncounted
        ([(1000, OrderStatus.PAID, -1)], NOON, OrderStatus.CREATED),  # an uncounted one
    ],
)
def test_a_new_order_counts_as_the_recompute_says(earlier, new_at, new_status):
    customer = CustomerFactory()
    for amount, status, hours in earlier:
        _order(customer, amount, status, NOON + timedelta(hours=hours))
    # make_order goes through create_order, which uses count_new_order
    order = _order(customer, 2500, new_status, new_at)
    assert order.customer_id == customer.pk
    assert summary(customer) == recomputed(customer)


def test_a_saturated_total_stays_saturated():
    customer = CustomerFactory()
    _order(customer, MAX_MINOR_UNITS - 10, OrderStatus.PAID, NOON)
    _order(customer, 500, OrderStatus.PAID, NOON + timedelta(hours=1))
    assert summary(customer)[0] == MAX_MINOR_UNITS
    assert summary(customer) == recomputed(customer)


def test_count_new_order_ignores_orders_without_a_counted_customer():
    order = make_order(items=0, amount=100, status=OrderStatus.PAID)
    count_new_order(order)  # no customer: nothing to do, no error


@pytest.mark.parametrize("statuses", [[], [OrderStatus.CREATED], [OrderStatus.PAID] * 3])
def test_refresh_of_a_few_customers_matches_the_rebuild(statuses):
    # Given customers whose summaries were left wrong by changes made outside the service
    customers = [CustomerFactory(), CustomerFactory()]
    for customer in customers:
        for index, status in enumerate(statuses):
            _order(customer, 1000 * (index + 1), status, NOON + timedelta(hours=index % 2))
    Customer.objects.filter(pk__in=[c.pk for c in customers]).update(
        orders_total_amount=7, orders_total_count=9, orders_last_order_amount=3,
        orders_last_order_date=NOON - timedelta(days=9),
    )  # fmt: skip

    rewritten = refresh_few_purchase_summaries([c.pk for c in customers])
    fast = [summary(customer) for customer in customers]
    Customer.objects.filter(pk__in=[c.pk for c in customers]).update(orders_total_count=9)
    slow = [recomputed(customer) for customer in customers]

    assert rewritten == 2
    assert fast == slow
    # and a second refresh finds nothing to rewrite
    assert refresh_few_purchase_summaries([c.pk for c in customers]) == 0


def test_an_update_that_leaves_what_counts_alone_does_not_touch_the_summary():
    from orders import services

    customer = CustomerFactory()
    order = _order(customer, 1000, OrderStatus.CREATED, NOON)
    # CREATED → CANCELED: counted neither before nor after
    with CaptureQueriesContext(connection) as queries:
        services.update_order(order, actor=Actor.system(), status=OrderStatus.CANCELED)
    assert not [q for q in queries.captured_queries if "customers_customer" in q["sql"]]
    assert summary(customer) == recomputed(customer)
