"""The order session: concurrent API requests on one order run one at a time, and none loses
another's change (PostgreSQL, real threads with their own connections)."""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connections

from customers.models import Customer
from imports.loading import import_payloads
from orders.models import Order, OrderEvent
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


def _assert_history_is_whole(order: Order, created_with: dict[str, int] | None = None) -> None:
    """Versions 1..order.version, once each, and each discount change starting from what the
    previous one left: no write went unrecorded or overwrote another unseen.
    ``created_with``: the discount each creator's actor type gives (a created event does not
    record it); 0 by default."""
    events = list(order.events.order_by("version", "pk"))
    assert [e.version for e in events] == list(range(1, order.version + 1)), order.pk
    discount = (created_with or {}).get(events[0].actor_type, 0)
    for event in events[1:]:
        if "discount_amount" in event.changes:
            assert event.changes["discount_amount"][0] == discount, (order.pk, event.version)
            discount = event.changes["discount_amount"][1]
    assert order.discount_amount == discount


def test_puts_racing_an_import_of_the_same_orders_keep_every_acknowledged_change(api_key):
    # Given orders of one customer, which both the import and the requests rename
    sources = [f"shared-{n}" for n in range(10)]
    customer = CustomerFactory(source_id="c-shared", name="Ann")
    for source_id in sources:
        make_order(source_id=source_id, amount=10_000, customer=customer)

    def importer() -> list[int]:
        failed = []
        for round_ in range(1, 9):
            result = import_payloads(
                [
                    {
                        "source_id": source_id,
                        "amount": 10_000,
                        "discount_amount": round_,
                        "customer": {"source_id": "c-shared", "name": f"Imported {round_}"},
                    }
                    for source_id in sources
                ],
                actor_label="import",
            )
            failed.append(result.failed)
        return failed

    def puts(first: int) -> list[tuple[str, int, int]]:
        client = make_client(api_key)
        answers = []
        for n in range(first, first + 12):
            source_id, discount = sources[n % len(sources)], 1_000 + n
            response = client.put_json(
                f"/v1/orders/{source_id}",
                {
                    "discount_amount": discount,
                    "customer": {"source_id": "c-shared", "name": f"Api {n}"},
                },
            )
            answers.append((source_id, discount, response.status_code))
        return answers

    # When an import and two clients change the same orders and customer at once
    imported, *answered = run_together([importer, lambda: puts(0), lambda: puts(100)])

    # Then nothing failed (no deadlock, no 500) ...
    assert imported == [0] * 8
    answers = [answer for answers in answered for answer in answers]
    assert {status for *_, status in answers} == {200}, answers
    # ... and every order's history is whole, each acknowledged PUT recorded at its version
    for order in Order.objects.filter(source_id__in=sources):
        _assert_history_is_whole(order)
    recorded = {
        (e.order.source_id, e.changes["discount_amount"][1])
        for e in OrderEvent.objects.filter(actor_type=OrderEvent.ActorType.API_KEY)
        .select_related("order")
        .exclude(changes__discount_amount=None)
    }
    assert {(source_id, discount) for source_id, discount, _ in answers} <= recorded


def test_creations_racing_an_import_of_the_same_new_source_ids_make_one_order_each(api_key):
    # Given source IDs no order has yet, which an import (a few at a time) and two clients
    # create in the same order, so that they keep meeting on the same ones
    sources = [f"born-{n}" for n in range(60)]

    def importer() -> list[tuple[int, int, int]]:
        counts = []
        for start in range(0, len(sources), 3):
            result = import_payloads(
                [
                    {"source_id": s, "amount": 700, "discount_amount": 7}
                    for s in sources[start : start + 3]
                ],
                actor_label="import",
            )
            counts.append((result.created, result.updated, result.failed))
        return counts

    def posts(chunk: list[str]) -> list[int]:
        client = make_client(api_key)
        return [
            client.post_json(
                "/v1/orders", {"source_id": s, "amount": 700, "status": "PAID"}
            ).status_code
            for s in chunk
        ]

    counts, *statuses = run_together(
        [importer, lambda: posts(sources[::2]), lambda: posts(sources[1::2])]
    )

    # Then neither side fails on the unique source ID: the second to come updates the first's
    # order, so each source ID is one order holding both sides' fields
    assert [status for chunk in statuses for status in chunk] == [200] * len(sources)
    assert counts is not None, "the import failed"
    assert sum(created + updated for created, updated, _ in counts) == len(sources)
    assert {failed for *_, failed in counts} == {0}
    for order in Order.objects.filter(source_id__in=sources):
        assert (order.status, order.discount_amount) in {("PAID", 7), ("CREATED", 7)}
        _assert_history_is_whole(order, created_with={OrderEvent.ActorType.IMPORTER: 7})
    assert Order.objects.filter(source_id__in=sources).count() == len(sources)
