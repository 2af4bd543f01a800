"""The purchase summary follows every order change made through the order service, and the
bulk command rebuilds the same figures."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command

from core.money import MAX_MINOR_UNITS
from customers.models import Customer
from orders.actors import Actor
from orders.models import Order, OrderStatus
from orders.services import change_order_status, delete_order, update_order
from orders.summaries import MAX_REBUILD_CUSTOMERS, rebuild_purchase_summaries
from tests.factories import CustomerFactory, make_order

pytestmark = pytest.mark.django_db
ACTOR = Actor.system("tests")
T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)


def summary(customer: Customer) -> tuple:
    customer.refresh_from_db()
    return (
        customer.orders_total_amount,
        customer.orders_total_count,
        customer.orders_last_order_amount,
        customer.orders_last_order_date,
    )


@pytest.mark.parametrize(
    ("before", "after", "counted_after"),
    [
        (OrderStatus.CREATED, OrderStatus.PAID, True),
        (OrderStatus.CREATED, OrderStatus.FULFILLED, True),
        (OrderStatus.CREATED, OrderStatus.CANCELED, False),
        (OrderStatus.PAID, OrderStatus.FULFILLED, True),
        (OrderStatus.PAID, OrderStatus.CANCELED, False),
        (OrderStatus.PAID, OrderStatus.CREATED, False),
        (OrderStatus.FULFILLED, OrderStatus.CANCELED, False),
        (OrderStatus.CANCELED, OrderStatus.PAID, True),
    ],
)
def test_every_status_transition_updates_the_summary(before, after, counted_after):
    # Given a customer with one counted order and one order in ``before``
    customer = CustomerFactory()
    make_order(customer=customer, amount=1000, status=OrderStatus.PAID, created_at=T0)
    order = make_order(customer=customer, amount=2500, status=before, created_at=T0 + timedelta(1))

    # When the order moves to ``after`` through the service
    change_order_status(order, after, actor=ACTOR)

    # Then only PAID and FULFILLED orders count, and the last order is the newest counted one
    if counted_after:
        assert summary(customer) == (3500, 2, 2500, T0 + timedelta(1))
    else:
        assert summary(customer) == (1000, 1, 1000, T0)
    assert customer.orders_average_amount == (1750 if counted_after else 1000)


def test_amount_customer_change_and_delete_move_the_summary():
    # Given two customers and a paid order of Ann's
    ann, ben = CustomerFactory(), CustomerFactory()
    order = make_order(customer=ann, amount=4000, status=OrderStatus.PAID, created_at=T0)
    assert summary(ann) == (4000, 1, 4000, T0)

    # When its amount changes, then it moves to Ben, then it is deleted
    update_order(order, actor=ACTOR, amount=6000)
    assert summary(ann) == (6000, 1, 6000, T0)
    update_order(order, actor=ACTOR, customer=ben)

    # Then each step is reflected at once on both customers
    assert summary(ann) == (0, 0, None, None)
    assert summary(ben) == (6000, 1, 6000, T0)
    delete_order(order, actor=ACTOR)
    assert summary(ben) == (0, 0, None, None)


def test_a_total_spent_beyond_a_bigint_saturates_instead_of_failing_the_save():
    # Given a customer with a paid order of the largest amount an order may have
    ann = CustomerFactory()
    make_order(customer=ann, amount=MAX_MINOR_UNITS, status=OrderStatus.PAID, created_at=T0)

    # When a second such order is saved for them (the sum no longer fits the column)
    later = T0 + timedelta(days=1)
    make_order(customer=ann, amount=MAX_MINOR_UNITS, status=OrderStatus.PAID, created_at=later)

    # Then the order is saved and the summary holds the column's limit, not an error
    assert Order.objects.filter(customer=ann).count() == 2
    assert summary(ann) == (MAX_MINOR_UNITS, 2, MAX_MINOR_UNITS, later)


def test_recompute_command_rebuilds_summaries_in_bulk(capsys):
    # Given summaries broken behind the service's back (SQL-style bulk updates)
    ann, ben = CustomerFactory(), CustomerFactory()
    make_order(customer=ann, amount=1000, status=OrderStatus.PAID, created_at=T0)
    make_order(
        customer=ann, amount=3000, status=OrderStatus.FULFILLED, created_at=T0 + timedelta(2)
    )
    make_order(customer=ann, amount=9900, status=OrderStatus.CANCELED, created_at=T0 + timedelta(3))
    Customer.objects.update(orders_total_amount=1, orders_total_count=99)
    Order.objects.filter(customer=ben).delete()

    # When the command runs
    call_command("recompute_customer_summaries")

    # Then every summary is right again, and it says what it did
    assert summary(ann) == (4000, 2, 3000, T0 + timedelta(2))
    assert summary(ben) == (0, 0, None, None)
    out = capsys.readouterr().out
    assert "1 corrected" in out and "1 emptied" in out


def test_rebuilding_some_summaries_leaves_the_others_alone():
    # Given three customers whose summaries were broken behind the service's back
    ann, ben, cat = CustomerFactory(), CustomerFactory(), CustomerFactory()
    make_order(customer=ann, amount=1000, status=OrderStatus.PAID, created_at=T0)
    make_order(customer=cat, amount=500, status=OrderStatus.PAID, created_at=T0)
    Customer.objects.update(orders_total_amount=1, orders_total_count=99)

    # When only ann's and ben's are rebuilt
    result = rebuild_purchase_summaries([ann.pk, ben.pk, None])

    # Then theirs are right (ben has no order left), cat's is untouched
    assert summary(ann) == (1000, 1, 1000, T0)
    assert summary(ben) == (0, 0, None, None)
    assert summary(cat)[:2] == (1, 99)
    assert (result.updated, result.reset) == (1, 1)
    assert rebuild_purchase_summaries([]) == rebuild_purchase_summaries([None])


def test_rebuilding_some_summaries_takes_a_bounded_number_of_customers():
    too_many = [f"cust_{number}" for number in range(MAX_REBUILD_CUSTOMERS + 1)]

    with pytest.raises(ValueError, match="at most"):
        rebuild_purchase_summaries(too_many)
