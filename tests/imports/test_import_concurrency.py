"""An import racing the order service over the same orders loses nothing (PostgreSQL, real
threads with their own connections): both take the same per-order lock, so every change
either side acknowledges is recorded once, at its own version, and stays until a later event
replaces it."""

import itertools
import threading
from collections.abc import Callable

import pytest
from django.db import connections

from imports import upsert
from imports.loading import import_payloads
from orders.actors import Actor
from orders.models import Order, OrderEvent
from orders.services import create_order, update_order
from tests.factories import make_order

pytestmark = pytest.mark.django_db(transaction=True)

ORDERS = 40
IMPORT_ROUNDS = 12
AMOUNT = 10_000


def _in_thread(target: Callable[[], None], failures: list[BaseException]) -> threading.Thread:
    def run() -> None:
        try:
            target()
        except BaseException as error:  # reported by the test, not lost in the thread
            failures.append(error)
        finally:
            connections.close_all()

    return threading.Thread(target=run)


def test_an_import_and_the_service_on_the_same_orders_lose_no_acknowledged_change():
    # Given stored orders, each with a discount of 0
    order_ids = {
        f"race-{n}": make_order(source_id=f"race-{n}", amount=AMOUNT).pk for n in range(ORDERS)
    }
    done = threading.Event()
    failures: list[BaseException] = []
    # (order id, version, discount) of every change the service acknowledged
    acknowledged: list[tuple[str, int, int]] = []
    discounts = itertools.count(1_000)  # the service's; the importer's stay below 1,000

    def importer() -> None:
        try:
            for round_ in range(1, IMPORT_ROUNDS + 1):
                payloads = [
                    {
                        "source_id": s,
                        "status": "CREATED",
                        "amount": AMOUNT,
                        "discount_amount": round_,
                    }
                    for s in order_ids
                ]
                result = import_payloads(payloads, actor_label="race importer")
                assert result.failed == 0, result.problems
        finally:
            done.set()

    def service(offset: int) -> None:
        ids = list(order_ids.values())
        for n in itertools.count(offset):
            if done.is_set():
                return
            discount = next(discounts)
            order = update_order(
                ids[n % len(ids)], actor=Actor.system("race"), discount_amount=discount
            )
            acknowledged.append((order.pk, order.version, discount))

    # When an import rewrites them over and over while two service callers change them too
    threads = [_in_thread(importer, failures)]
    threads += [_in_thread(lambda o=offset: service(o), failures) for offset in (0, ORDERS // 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert acknowledged

    # Then each order's events have unique, gapless versions up to the order's own, and each
    # event's "before" is what the previous one left: no write happened unrecorded
    for order in Order.objects.filter(pk__in=order_ids.values()):
        events = list(OrderEvent.objects.filter(order=order).order_by("version", "pk"))
        versions = [event.version for event in events]
        assert versions == list(range(1, order.version + 1)), order.pk
        discount = 0
        for event in events[1:]:
            if "discount_amount" in event.changes:
                before, after = event.changes["discount_amount"]
                assert before == discount, (order.pk, event.version)
                discount = after
        assert order.discount_amount == discount
    # and every change the service acknowledged is recorded at the version it answered with
    recorded = {
        (event.order_id, event.version): event.changes.get("discount_amount", [None, None])[1]
        for event in OrderEvent.objects.filter(order_id__in=order_ids.values())
        if event.actor_type != OrderEvent.ActorType.IMPORTER
    }
    for order_id, version, discount in acknowledged:
        assert recorded.get((order_id, version)) == discount, (order_id, version)
    # and the importer did get its turns
    assert (
        OrderEvent.objects.filter(
            order_id__in=order_ids.values(), actor_type=OrderEvent.ActorType.IMPORTER
        ).count()
        >= ORDERS
    )


def test_an_import_past_the_lock_limit_plans_again_when_a_new_source_id_gets_taken(
    monkeypatch,
):
    # Given an import too big to lock its new source IDs (the limit lowered to none), and
    # another writer creating one of them after the import planned, before it writes
    monkeypatch.setattr(upsert, "MAX_NEW_SOURCE_ID_LOCKS", -1)
    write_orders = upsert._write_orders
    failures: list[BaseException] = []
    writes: list[str] = []

    def created_elsewhere_first(cursor: object, actor_label: str) -> None:
        writes.append(actor_label)
        if len(writes) == 1:
            elsewhere = _in_thread(
                lambda: create_order(
                    actor=Actor.system("elsewhere"), source_id="born-1", amount=500
                ),
                failures,
            )
            elsewhere.start()
            elsewhere.join()
        write_orders(cursor, actor_label)

    monkeypatch.setattr(upsert, "_write_orders", created_elsewhere_first)

    # When the import writes
    result = import_payloads(
        [{"source_id": f"born-{n}", "amount": 700, "discount_amount": 7} for n in range(3)],
        actor_label="import",
    )

    # Then it planned again and updated the order the other writer made, failing nothing
    assert failures == []
    assert len(writes) == 2
    assert (result.created, result.updated, result.failed) == (2, 1, 0)
    order = Order.objects.get(source_id="born-1")
    assert (order.amount, order.discount_amount, order.version) == (700, 7, 2)
    events = list(order.events.order_by("version"))
    assert [(e.version, e.actor_type) for e in events] == [
        (1, OrderEvent.ActorType.SYSTEM),
        (2, OrderEvent.ActorType.IMPORTER),
    ]
    assert events[1].changes["amount"] == [500, 700]
    assert Order.objects.filter(source_id__startswith="born-").count() == 3
