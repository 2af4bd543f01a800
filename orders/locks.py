"""The per-order lock every writer of an order takes: the service, the importer, the admin,
the API and the Create order wizard.

Two locks, always taken in this order so that no two writers ever wait for each other in a
circle:

1. the advisory lock of each *key* the writer names (an order's id or source ID, a wizard's
   creation key), sorted — it serializes writers of an order that may not exist yet, such as
   two creations of one source ID;
2. the row lock (``SELECT ... FOR UPDATE``) of each stored order it changes, sorted by id.

Both are transaction-scoped: they are released when the writer's transaction ends.
"""

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections


def order_key(key: str) -> str:
    """The advisory lock name of an order's id, source ID or creation key: the one spelling
    every writer uses."""
    return f"order:{key}"


def lock_order_keys(
    keys: Iterable[str | None], *, then: Sequence[str] = (), using: str = DEFAULT_DB_ALIAS
) -> None:
    """Wait for, then hold until the end of the transaction, the advisory lock of each key
    (empty ones skipped), in sorted order (code-point order, which is also PostgreSQL's
    ``COLLATE "C"`` order for the importer's SQL).

    ``then``: other advisory lock names the caller takes next, in its own order (the API's
    customers), taken in the same statement after the order keys'."""
    connection = connections[using]
    held = held_order_locks(using)
    names = sorted({order_key(key) for key in keys if key} - held)
    if not names and not then:
        return
    with connection.cursor() as cursor:
        # unnest yields the array in its order, so the locks are taken in sorted order.
        cursor.execute(
            "SELECT count(pg_advisory_xact_lock(hashtextextended(name, 0))) "
            "FROM unnest(%s::text[]) AS name",
            [[*names, *then]],
        )
    if connection.in_atomic_block and names:
        connection.on_commit(_HeldLocks(names))


class _HeldLocks:
    """A no-op commit callback naming advisory locks taken in the current transaction.

    Django drops a savepoint's callbacks when the savepoint is rolled back, and PostgreSQL
    releases the locks taken in it then; both keep the callbacks of a committed transaction
    until it ends, when the locks are released too. So the callbacks still pending are the
    locks still held, and a writer nested in another (the API's order session, then the
    order service) takes each lock once.
    """

    def __init__(self, names: list[str]) -> None:
        self.names = frozenset(names)

    def __call__(self) -> None:
        pass


def held_order_locks(using: str = DEFAULT_DB_ALIAS) -> frozenset[str]:
    """The advisory lock names ``lock_order_keys`` took in the current transaction."""
    connection = connections[using]
    if not connection.in_atomic_block:
        return frozenset()
    # Django keeps (savepoint ids, function, robust) triples; its stubs say pairs.
    hooks: list[tuple[Any, ...]] = connection.run_on_commit
    held = [func.names for _, func, _ in hooks if isinstance(func, _HeldLocks)]
    return frozenset().union(*held)
