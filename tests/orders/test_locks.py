"""Advisory locks are taken once per transaction, and known held only while they are."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from orders.locks import held_order_locks, lock_order_keys

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_lock_already_held_is_not_asked_for_again():
    with transaction.atomic():
        lock_order_keys(["a", "b"])
        with CaptureQueriesContext(connection) as queries:
            lock_order_keys(["b", "a", None])
        assert held_order_locks() == {"order:a", "order:b"}
        assert queries.captured_queries == []
        with CaptureQueriesContext(connection) as queries:
            lock_order_keys(["a", "c"])
        assert len(queries.captured_queries) == 1
        assert "order:c" in queries.captured_queries[0]["sql"]
        assert "order:a" not in queries.captured_queries[0]["sql"]


def test_a_rolled_back_savepoint_releases_its_locks_and_they_are_taken_again():
    with transaction.atomic():
        lock_order_keys(["kept"])
        try:
            with transaction.atomic():
                lock_order_keys(["released"])
                assert "order:released" in held_order_locks()
                raise RuntimeError
        except RuntimeError:
            pass
        assert held_order_locks() == {"order:kept"}
        # PostgreSQL released it with the savepoint: another session can take it now
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                "AND pid = pg_backend_pid()"
            )
            assert cursor.fetchone()[0] == 1


def test_nothing_is_held_outside_a_transaction():
    lock_order_keys(["x"])  # autocommit: released at once
    assert held_order_locks() == frozenset()
    with transaction.atomic():
        assert held_order_locks() == frozenset()


def test_other_locks_come_in_the_same_statement_after_the_order_keys():
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        lock_order_keys(["o"], then=["customer:z", "customer:a"])
    assert len(queries.captured_queries) == 1
    assert "{order:o,customer:z,customer:a}" in queries.captured_queries[0]["sql"]
