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

from collections.abc import Iterable

from django.db import DEFAULT_DB_ALIAS, connections


def order_key(key: str) -> str:
    """The advisory lock name of an order's id, source ID or creation key: the one spelling
    every writer uses."""
    return f"order:{key}"


def lock_order_keys(keys: Iterable[str | None], *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Wait for, then hold until the end of the transaction, the advisory lock of each key
    (empty ones skipped), in sorted order (code-point order, which is also PostgreSQL's
    ``COLLATE "C"`` order for the importer's SQL)."""
    names = sorted({order_key(key) for key in keys if key})
    if not names:
        return
    with connections[using].cursor() as cursor:
        # unnest yields the array in its order, so the locks are taken in sorted order.
        cursor.execute(
            "SELECT count(pg_advisory_xact_lock(hashtextextended(name, 0))) "
            "FROM unnest(%s::text[]) AS name",
            [names],
        )
