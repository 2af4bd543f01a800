"""Compaction of the order statistics: one row per (quarter-hour, status) and per (hour,
status), the same sums, even while orders are written and truncated meanwhile; one
compaction at a time."""

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction

from insights.models import HourlyOrderStats, OrderStats
from insights.services import Compaction, compact_order_stats
from orders.actors import Actor
from orders.models import Order, OrderStatus
from orders.services import change_order_status, delete_order
from tests.factories import make_order
from tests.insights.test_order_stats import (
    HOURS,
    QUARTERS,
    assert_tables_exact,
    at,
    hour,
    order_sums,
    quarter_hour,
    stats_sums,
)

pytestmark = pytest.mark.django_db

NOON = at("2026-03-07T12:00:00Z")
SYSTEM = Actor.system("tests")


def rows_per_group(table: str = QUARTERS) -> dict[tuple[Any, str], int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT bucket, status, count(*) FROM {table} GROUP BY 1, 2")  # noqa: S608
        return {(bucket, status): count for bucket, status, count in cursor.fetchall()}


def zero_rows() -> int:
    return sum(
        model.objects.filter(orders=0, amount=0, total_amount=0, discount_amount=0).count()
        for model in (OrderStats, HourlyOrderStats)
    )


def one_row_per_group() -> bool:
    return set(rows_per_group().values()) == set(rows_per_group(HOURS).values()) == {1}


def busy_history() -> list[Order]:
    """Orders whose quarter-hours have gathered several rows each, and groups that net to
    nothing: orders moved through statuses, one deleted."""
    orders = [
        make_order(items=0, amount=1000 * n, created_at=NOON + timedelta(minutes=4 * n))
        for n in range(1, 8)
    ]
    for order in orders[:5]:
        change_order_status(order, OrderStatus.PAID, actor=SYSTEM)
    for order in orders[:3]:
        change_order_status(order, OrderStatus.CANCELED, actor=SYSTEM)
        change_order_status(order, OrderStatus.PAID, actor=SYSTEM)
    delete_order(orders[6], actor=SYSTEM)
    return orders[:6]


def test_compaction_keeps_the_sums_in_one_row_per_group():
    # Given quarter-hours with several rows each, some groups netting to nothing
    busy_history()
    sums, rows = stats_sums(), OrderStats.objects.count()
    hourly_sums, hourly_rows = stats_sums(HOURS), HourlyOrderStats.objects.count()
    assert max(rows_per_group().values()) > 1 and max(rows_per_group(HOURS).values()) > 1
    assert_tables_exact()

    # When the statistics are compacted
    result = compact_order_stats()

    # Then every group is one row of non-zero sums, and the sums are those of before
    assert result.ran
    assert one_row_per_group()
    assert zero_rows() == 0
    assert stats_sums() == sums == order_sums()
    assert stats_sums(HOURS) == hourly_sums == order_sums(hour)
    assert OrderStats.objects.count() == len(sums) == rows - result.removed + result.added
    assert (
        HourlyOrderStats.objects.count()
        == len(hourly_sums)
        == hourly_rows - result.hourly_removed + result.hourly_added
    )
    # and compacting again changes nothing
    assert compact_order_stats() == Compaction(ran=True)


def test_groups_that_net_to_nothing_disappear():
    # Given an order created then deleted, and another moved away from CANCELED and back
    gone = make_order(items=0, amount=500, created_at=NOON)
    delete_order(gone, actor=SYSTEM)
    kept = make_order(items=0, amount=700, status=OrderStatus.CANCELED, created_at=NOON)
    change_order_status(kept, OrderStatus.PAID, actor=SYSTEM)
    change_order_status(kept, OrderStatus.CANCELED, actor=SYSTEM)
    change_order_status(kept, OrderStatus.PAID, actor=SYSTEM)
    assert OrderStats.objects.count() == 9  # 2 + 1 + 3 changes of 2 rows each
    assert HourlyOrderStats.objects.count() == 9

    # When compacted, only the PAID order's row is left, in both tables
    assert compact_order_stats() == Compaction(
        ran=True, removed=9, added=1, hourly_removed=9, hourly_added=1
    )
    for model in (OrderStats, HourlyOrderStats):
        assert list(model.objects.values_list("status", "orders", "amount")) == [
            (OrderStatus.PAID, 1, 700)
        ]


def test_the_command_compacts_and_says_what_it_did():
    busy_history()
    sums = stats_sums()
    out = StringIO()

    call_command("compact_order_stats", stdout=out)

    assert stats_sums() == sums and one_row_per_group()
    assert "rows folded into" in out.getvalue() and "hourly rows into" in out.getvalue()


def test_beat_runs_the_task_every_five_minutes(settings):
    from config.celery import app
    from insights.tasks import compact_order_stats as task

    entry = settings.CELERY_BEAT_SCHEDULE["compact-order-stats"]
    assert entry["task"] == "insights.tasks.compact_order_stats" in app.tasks
    assert entry["schedule"] == timedelta(minutes=5)

    busy_history()
    sums = stats_sums()
    assert task.apply().get()["ran"] is True
    assert stats_sums() == sums and one_row_per_group()


# --- while others write -----------------------------------------------------------------------


class Backend(threading.Thread):
    """``work`` run in a thread on a database connection of its own."""

    def __init__(self, work: Callable[[], Any]) -> None:
        super().__init__()
        self.work = work
        self.pid: int | None = None
        self.has_pid = threading.Event()
        self.result: Any = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                self.pid = cursor.fetchone()[0]
            self.has_pid.set()
            self.result = self.work()
        except BaseException as error:  # noqa: BLE001  # re-raised by outcome()
            self.error = error
        finally:
            self.has_pid.set()
            connections.close_all()

    def outcome(self) -> Any:
        self.join()
        if self.error is not None:
            raise self.error
        return self.result


def blocked_or_done(backend: Backend) -> bool:
    """Wait until ``backend`` either waits for a lock another session holds (True) or has
    finished (False)."""
    assert backend.has_pid.wait(timeout=30)
    deadline = time.monotonic() + 30
    with connection.cursor() as cursor:
        while True:
            cursor.execute("SELECT cardinality(pg_blocking_pids(%s)) > 0", [backend.pid])
            if cursor.fetchone()[0]:
                return True
            if not backend.is_alive():
                return False
            assert time.monotonic() < deadline, "the session neither waited nor finished"
            time.sleep(0.005)  # polls the condition; the order of events is the locks'


def wait_until_blocked(backend: Backend) -> None:
    assert blocked_or_done(backend), backend.error


@contextmanager
def compaction_held_inside_its_statement() -> Iterator[Backend]:
    """A compaction in a thread of its own, stopped inside its one statement (its snapshot
    taken, its rows being deleted) by a row lock on one of the rows it deletes. It goes on
    when the block ends; ``.outcome()`` is its ``Compaction``."""
    busy = next(group for group, count in rows_per_group().items() if count > 1)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM insights_orderstats WHERE bucket = %s AND status = %s LIMIT 1 "
            "FOR UPDATE",
            list(busy),
        )
        compaction = Backend(compact_order_stats)
        compaction.start()
        try:
            wait_until_blocked(compaction)
            yield compaction
        finally:
            transaction.set_rollback(True)  # releases the row lock
    compaction.join()


@pytest.mark.django_db(transaction=True)
def test_a_write_committed_during_a_compaction_is_kept():
    # Given busy quarter-hours and a compaction in the middle of folding them
    orders = busy_history()
    with compaction_held_inside_its_statement() as compaction:
        # When a writer adds an order to a busy quarter-hour, changes and deletes others,
        # and commits
        def write() -> None:
            make_order(items=0, amount=999, status=OrderStatus.PAID, created_at=NOON)
            change_order_status(orders[4].pk, OrderStatus.FULFILLED, actor=SYSTEM)
            delete_order(orders[5].pk, actor=SYSTEM)

        writer = Backend(write)
        writer.start()
        writer.outcome()
        # and another compaction starts meanwhile, it does nothing
        second = Backend(compact_order_stats)
        second.start()
        assert not blocked_or_done(second), "the second compaction waited for the first"
        assert second.outcome() == Compaction(ran=False)

    # Then the compaction ran, and the statistics still equal the orders
    assert compaction.outcome().ran
    assert_tables_exact()
    # The writer's rows were left as they were, beside the folded ones
    assert rows_per_group()[quarter_hour(NOON), OrderStatus.PAID] == 2
    # and the next compaction folds them too
    compact_order_stats()
    assert one_row_per_group()
    assert_tables_exact()


@pytest.mark.django_db(transaction=True)
def test_a_truncate_during_a_compaction_leaves_no_statistics():
    # Given a compaction in the middle of folding
    busy_history()
    with compaction_held_inside_its_statement() as compaction:
        # When the orders are truncated meanwhile (seed_demo --flush does)
        def truncate() -> None:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("TRUNCATE orders_orderevent, orders_orderitem, orders_order")

        truncating = Backend(truncate)
        truncating.start()
        wait_until_blocked(truncating)

    # Then both finish, and no statistic is left without its order
    assert compaction.outcome().ran
    truncating.outcome()
    assert not Order.objects.exists()
    assert stats_sums() == order_sums() == stats_sums(HOURS) == {}
