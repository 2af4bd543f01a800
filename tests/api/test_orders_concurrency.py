"""The order session: concurrent API requests on one order run one at a time, and none loses
another's change (PostgreSQL, real threads with their own connections)."""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connections

from customers.models import Customer
from orders.models import Order
from tests.api.conftest import make_client
from tests.factories import CustomerFactory, make_order

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(calls: list[Callable[[], Any]]) -> list[Any]:
    """Start every call at the same moment in its own thread; their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = calls[index]()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_concurrent_partial_updates_of_one_order_all_survive(api_key):
    order = make_order(source_id="busy", amount=10_000)
    referrer = CustomerFactory()
    updates = [
        {"status": "PAID"},
        {"discount_amount": 700},
        {"referrer_id": referrer.pk},
        {"metadata": {"channel": "pos"}},
        {"customer": {"source_id": "walk-in", "name": "Walk In"}},
    ]

    def put(payload: dict[str, Any]) -> Callable[[], Any]:
        return lambda: make_client(api_key).put_json("/v1/orders/busy", payload)

    responses = run_together([put(payload) for payload in updates * 2])

    assert [r.status_code for r in responses] == [200] * 10
    order.refresh_from_db()
    assert order.status == "PAID"
    assert (order.discount_amount, order.total_amount) == (700, 9300)
    assert order.referrer_id == referrer.pk
    assert order.metadata == {"channel": "pos"}
    assert order.customer == Customer.objects.get(source_id="walk-in")
    # one change at a time: each saved change has its own version, without gaps
    versions = sorted(order.events.exclude(type="created").values_list("version", flat=True))
    assert versions == list(range(2, order.version + 1))
    assert len(versions) == 5  # the repeated payloads changed nothing the second time


def test_concurrent_status_changes_are_serialized(api_key):
    order = make_order(amount=1000)
    statuses = ["PAID", "CANCELED", "FULFILLED", "CREATED"] * 4
    responses = run_together(
        [
            (lambda s=s: make_client(api_key).put_json(f"/v1/orders/{order.pk}", {"status": s}))
            for s in statuses
        ]
    )
    assert all(r.status_code == 200 for r in responses)
    order.refresh_from_db()
    events = list(order.events.exclude(type="created").order_by("version"))
    assert [e.version for e in events] == list(range(2, order.version + 1))
    for before, after in zip(events, events[1:], strict=False):
        assert after.changes["status"][0] == before.changes["status"][1]
    assert order.status == events[-1].changes["status"][1]


def test_concurrent_upserts_of_a_new_source_id_make_one_order(api_key):
    payloads = [
        {"source_id": "fresh", "amount": 500, "customer": {"source_id": "new-customer"}},
        {"source_id": "fresh", "amount": 500, "status": "PAID"},
        {"source_id": "fresh", "amount": 500, "metadata": {"from": "webhook"}},
        {"source_id": "fresh", "amount": 500, "discount_amount": 100},
    ] * 2
    responses = run_together(
        [(lambda p=p: make_client(api_key).post_json("/v1/orders", p)) for p in payloads]
    )

    assert [r.status_code for r in responses] == [200] * len(payloads), [
        r.content for r in responses
    ]
    order = Order.objects.get(source_id="fresh")
    assert {r.json()["id"] for r in responses} == {order.pk}
    # every request's field is there: none overwrote another's
    assert order.status == "PAID"
    assert order.metadata == {"from": "webhook"}
    assert order.discount_amount == 100
    assert order.customer == Customer.objects.get(source_id="new-customer")
    assert Customer.objects.filter(source_id="new-customer").count() == 1
    assert order.events.filter(type="created").count() == 1
