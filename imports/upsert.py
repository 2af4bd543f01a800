"""Set-based writes from the staging tables: a handful of statements for the whole import.

Customers, products and SKUs are created when their source ID is new; existing ones get the
profile fields the file gives (the first occurrence's) when they differ (``IS DISTINCT
FROM``), and are not touched otherwise. Orders are upserted by ``source_id``: new ones
inserted, changed ones updated (fields compared with ``IS DISTINCT FROM``, carts by a digest
of their lines), unchanged ones not touched at all. Each inserted or changed order gets one
``imported`` event in the shape ``orders.events`` defines, generated from its field lists: a
new order's holds what ``create_order``'s does, a changed order's what ``update_order``'s
would (every changed field as ``[before, after]``, ``metadata.<key>`` per changed key,
``items`` as the cart's lines before and after).
"""

from dataclasses import dataclass
from typing import Any

from catalog.models import SKU, Product
from core.money import MAX_MINOR_UNITS
from customers.models import Customer
from orders import events, locks
from orders.models import COUNTED_STATUSES, Order, OrderEvent, OrderItem

from . import writers
from .staging import ITEMS, ORDERS, PEOPLE, PRODUCTS, SKUS

O = Order._meta.db_table  # noqa: E741 - short table aliases keep the SQL readable
I = OrderItem._meta.db_table  # noqa: E741
C = Customer._meta.db_table
P = Product._meta.db_table
K = SKU._meta.db_table


@dataclass(frozen=True)
class UpsertCounts:
    created: int
    updated: int
    unchanged: int


def find_duplicates(cursor: Any) -> list[tuple[str, int, str, int]]:
    """Orders repeating a source ID seen earlier in the files: (file, line, source_id,
    first line)."""
    cursor.execute(
        f"""
        SELECT s.file, s.line, s.source_id, f.line
        FROM (SELECT *, min(ord) OVER (PARTITION BY source_id) AS first_ord FROM {ORDERS}
              WHERE source_id IS NOT NULL) AS s
        JOIN {ORDERS} AS f ON f.ord = s.first_ord
        WHERE s.ord <> s.first_ord
        ORDER BY s.ord
        """
    )
    return cursor.fetchall()


def drop_duplicates(cursor: Any) -> None:
    """Keep the first order of each source ID (skip mode)."""
    cursor.execute(
        f"""
        DELETE FROM {ORDERS} AS s USING {ORDERS} AS f
        WHERE s.source_id = f.source_id AND f.ord < s.ord
        """
    )
    cursor.execute(f"DELETE FROM {ITEMS} WHERE ord NOT IN (SELECT ord FROM {ORDERS})")


_ITEM_LINE = (
    "concat_ws('|', {p}.position, {p}.related_object, coalesce({prod}, ''), coalesce({sku}, ''), "
    "{p}.source_id, {p}.quantity, {p}.price, {p}.discount_amount, {meta})"
)


def upsert(cursor: Any, actor_label: str) -> UpsertCounts:
    """Write the staged orders; return how many were created, updated and left unchanged."""
    # Temporary tables are never analyzed automatically; the joins below need the row
    # counts and the distributions of their keys (and only those columns are sampled).
    cursor.execute(
        f"ANALYZE {ORDERS} (ord, source_id, customer_source, referrer_source); "
        f"ANALYZE {ITEMS} (ord, product_source, sku_source)"
    )
    _lock_orders(cursor)
    _write_people_and_products(cursor)
    staged_line = _ITEM_LINE.format(
        p="i", prod="i.product_source", sku="i.sku_source", meta="i.metadata"
    )
    stored_line = _ITEM_LINE.format(p="i", prod="p.source_id", sku="k.source_id", meta="i.metadata")
    cursor.execute(
        f"""
        CREATE TEMP TABLE import_plan AS
        WITH matched AS (
            SELECT s.*, o.id AS old_id, o.version AS old_version, o.status AS old_status,
                o.amount AS old_amount, o.initial_amount AS old_initial_amount,
                o.discount_amount AS old_discount_amount,
                o.items_discount_amount AS old_items_discount_amount,
                o.total_discount_amount AS old_total_discount_amount,
                o.total_amount AS old_total, o.items_count AS old_items_count,
                o.customer_id AS old_customer_id, o.referrer_id AS old_referrer_id,
                o.metadata AS old_metadata, o.created_at AS old_created_at,
                c.id AS customer_id, r.id AS referrer_id,
                (o.id IS NOT NULL AND (
                    o.status, o.amount, o.initial_amount, o.discount_amount,
                    o.items_discount_amount, o.total_discount_amount, o.total_amount,
                    o.items_count, o.customer_id, o.referrer_id, o.metadata, o.created_at
                ) IS DISTINCT FROM (
                    s.status, s.amount, s.initial_amount, s.discount_amount,
                    s.items_discount_amount, s.total_discount_amount, s.total_amount,
                    s.items_count, c.id, r.id, s.metadata, coalesce(s.created_at, o.created_at)
                )) AS fields_changed
            FROM {ORDERS} AS s
            LEFT JOIN {O} AS o ON o.source_id = s.source_id
            LEFT JOIN {C} AS c ON c.source_id = s.customer_source
            LEFT JOIN {C} AS r ON r.source_id = s.referrer_source
        ),
        -- Carts are compared only for orders already stored: a new order's is not.
        staged_carts AS (
            SELECT i.ord, md5(string_agg({staged_line}, E'\\n' ORDER BY i.position)) AS digest
            FROM {ITEMS} AS i
            WHERE i.ord IN (SELECT ord FROM matched WHERE old_id IS NOT NULL)
            GROUP BY i.ord
        ),
        stored_carts AS (
            SELECT i.order_id, md5(string_agg({stored_line}, E'\\n' ORDER BY i.position)) AS digest
            FROM {I} AS i
            LEFT JOIN {P} AS p ON p.id = i.product_id
            LEFT JOIN {K} AS k ON k.id = i.sku_id
            WHERE i.order_id IN (SELECT old_id FROM matched WHERE old_id IS NOT NULL)
            GROUP BY i.order_id
        )
        SELECT m.*, coalesce(m.old_id, m.new_id) AS order_id, m.old_id IS NULL AS is_new,
            (m.old_id IS NOT NULL AND sc.digest IS DISTINCT FROM oc.digest) AS items_changed
        FROM matched AS m
        LEFT JOIN staged_carts AS sc ON sc.ord = m.ord
        LEFT JOIN stored_carts AS oc ON oc.order_id = m.old_id
        """
    )
    cursor.execute(
        "SELECT count(*) FILTER (WHERE is_new), "
        "count(*) FILTER (WHERE NOT is_new AND (fields_changed OR items_changed)), "
        "count(*) FILTER (WHERE NOT is_new AND NOT fields_changed AND NOT items_changed) "
        "FROM import_plan"
    )
    created, updated, unchanged = cursor.fetchone()
    if created or updated:
        _write_orders(cursor, actor_label)
    return UpsertCounts(created, updated, unchanged)


# Up to this many source IDs new to the database, an import takes their advisory locks (the
# API's and the wizard's, ``orders.locks``), so a concurrent creation of one of them waits
# for the import or the import for it, and the second then updates the first's order. Each
# lock is a slot of PostgreSQL's shared lock table (max_locks_per_transaction × connections,
# 6,400 by default, shared by every session), so a bigger import does without: a creation
# that wins the race makes the import plan again (``SourceIdTaken``), one that loses it is
# refused by the unique index with the service's "already used" message.
MAX_NEW_SOURCE_ID_LOCKS = 1_000


def _lock_orders(cursor: Any) -> None:
    """Take ``orders.locks``' per-order locks for the staged orders, before anything is read
    from or written to the orders they name: first the advisory locks of the source IDs new
    to the database, then the row locks of the stored orders, sorted by id. The plan built
    afterwards reads every stored order as it is under the lock (each statement sees what
    committed before it began), so an update starts from the current row and ``version``,
    and no change another writer acknowledged is overwritten unrecorded. The orders are
    locked before the customers and products are written, the order every writer follows."""
    cursor.execute(
        f"""
        SELECT s.source_id FROM {ORDERS} AS s
        WHERE s.source_id IS NOT NULL
          AND NOT EXISTS (SELECT FROM {O} AS o WHERE o.source_id = s.source_id)
        LIMIT %s
        """,
        [MAX_NEW_SOURCE_ID_LOCKS + 1],
    )
    new_source_ids = [row[0] for row in cursor.fetchall()]
    if len(new_source_ids) <= MAX_NEW_SOURCE_ID_LOCKS:
        locks.lock_order_keys(new_source_ids, using=cursor.db.alias)
    # Locked in id order (LockRows sits above the sort), as every other multi-order writer.
    cursor.execute(
        f"""
        SELECT count(*) FROM (
            SELECT o.id FROM {O} AS o
            WHERE o.source_id IN (SELECT source_id FROM {ORDERS})
            ORDER BY o.id FOR UPDATE OF o
        ) AS locked
        """
    )


def touched_customers(cursor: Any, limit: int) -> list[str]:
    """Customers (up to ``limit``) whose purchase summary the import may have changed: those
    of created and changed orders, before and after."""
    cursor.execute(
        """
        SELECT DISTINCT customer_id FROM (
            SELECT unnest(ARRAY[customer_id, old_customer_id]) AS customer_id FROM import_plan
            WHERE is_new OR fields_changed OR items_changed
        ) AS touched WHERE customer_id IS NOT NULL LIMIT %s
        """,
        [limit],
    )
    return [row[0] for row in cursor.fetchall()]


# What the order tables' new rows are made of (``writers``' columns; a column not named is
# the staged column of the same name).
_NEW_CUSTOMER = writers.CUSTOMERS.select(
    {
        "id": "p.new_id",
        "description": "''",
        "metadata": "'{}'",
        "created_at": "now()",
        "updated_at": "now()",
        "orders_total_amount": "coalesce(summary.spent, 0)",
        "orders_total_count": "coalesce(summary.orders, 0)",
        "orders_last_order_amount": "summary.last_amount",
        "orders_last_order_date": "summary.last_date",
    },
    prefix="p.",
)
_NEW_PRODUCT = writers.PRODUCTS.select(
    {
        "id": "new_id",
        "name": "coalesce(nullif(name, ''), source_id)",
        "price": "NULL",
        "metadata": "'{}'",
        "created_at": "now()",
        "updated_at": "now()",
    }
)
_NEW_SKU = writers.SKUS.select(
    {
        "id": "s.new_id",
        "product_id": "p.id",
        "sku": "coalesce(nullif(s.sku, ''), s.source_id)",
        "price": "NULL",
        "metadata": "'{}'",
        "created_at": "now()",
        "updated_at": "now()",
    },
    prefix="s.",
)
_NEW_ORDER = writers.ORDERS.select(
    {
        "id": "order_id",
        "created_at": "coalesce(created_at, now())",
        "updated_at": "now()",
        "version": "1",
    }
)
_NEW_ITEM = writers.ITEMS.select(
    {"order_id": "p.order_id", "product_id": "prod.id", "sku_id": "k.id"}, prefix="i."
)


# A customer's profile fields an import sets: a field the file leaves empty keeps its value.
_PROFILE: tuple[str, ...] = (
    "name",
    "email",
    "phone",
    "address_line_1",
    "address_line_2",
    "city",
    "state",
)
_PROFILE += ("postal_code", "country")


def _write_people_and_products(cursor: Any) -> None:
    """Create customers, products and SKUs new to the database (first staging row wins) and
    bring existing ones' profile fields up to what the file gives, where they differ."""
    given = " OR ".join(f"(s.{f} <> '' AND s.{f} IS DISTINCT FROM c.{f})" for f in _PROFILE)
    assignments = ", ".join(f"{f} = coalesce(nullif(s.{f}, ''), c.{f})" for f in _PROFILE)
    cursor.execute(
        f"""
        UPDATE {C} AS c SET {assignments}, updated_at = now()
        FROM (SELECT DISTINCT ON (source_id) * FROM {PEOPLE} ORDER BY source_id, ord) AS s
        WHERE c.source_id = s.source_id AND ({given})
        """
    )
    # A new customer's purchase summary is pre-filled from the staged orders (all its orders
    # are in the file): the summary rebuild after the orders are written then finds it right
    # and leaves the row alone, where rewriting it would write every one of the customers'
    # indexes again (the summary columns are indexed, so the update cannot be HOT). The
    # rebuild stays the judge: it rewrites a guess that is off (an order already stored
    # moved to a new customer by a file that gives no created_at).
    counted = ", ".join(["%s"] * len(COUNTED_STATUSES))
    cursor.execute(
        f"""
        {writers.CUSTOMERS.into()}
        WITH new_people AS (
            SELECT DISTINCT ON (source_id) * FROM {PEOPLE} AS p
            WHERE NOT EXISTS (SELECT FROM {C} AS c WHERE c.source_id = p.source_id)
            ORDER BY source_id, ord
        )
        SELECT {_NEW_CUSTOMER}
        FROM new_people AS p
        LEFT JOIN (
            -- saturating as customers.services' rebuild does: each total fits, a sum may not
            SELECT customer_source, least(sum(total_amount), {MAX_MINOR_UNITS})::bigint AS spent,
                count(*) AS orders,
                (array_agg(total_amount ORDER BY created DESC, new_id DESC))[1] AS last_amount,
                max(created) AS last_date
            FROM (SELECT customer_source, total_amount, new_id,
                      coalesce(created_at, now()) AS created
                  FROM {ORDERS} WHERE status IN ({counted})
                    AND customer_source IN (SELECT source_id FROM new_people)
            ) AS counted
            GROUP BY customer_source
        ) AS summary ON summary.customer_source = p.source_id
        ORDER BY p.source_id
        ON CONFLICT (source_id) DO NOTHING
        """,
        [str(status) for status in COUNTED_STATUSES],
    )
    # Products and SKUs: the first occurrence that names them gives the name; without one,
    # a new product or SKU is named after its source ID.
    cursor.execute(
        f"""
        UPDATE {P} AS p SET name = s.name, updated_at = now()
        FROM (SELECT DISTINCT ON (source_id) source_id, name FROM {PRODUCTS}
              WHERE name <> '' ORDER BY source_id, ord) AS s
        WHERE p.source_id = s.source_id AND p.name IS DISTINCT FROM s.name
        """
    )
    cursor.execute(
        f"""
        {writers.PRODUCTS.into()}
        SELECT DISTINCT ON (source_id) {_NEW_PRODUCT}
        FROM {PRODUCTS} AS s
        WHERE NOT EXISTS (SELECT FROM {P} AS p WHERE p.source_id = s.source_id)
        ORDER BY source_id, name = '', ord
        ON CONFLICT (source_id) DO NOTHING
        """
    )
    cursor.execute(
        f"""
        UPDATE {K} AS k SET sku = s.sku, updated_at = now()
        FROM (SELECT DISTINCT ON (source_id) source_id, sku FROM {SKUS}
              WHERE sku <> '' ORDER BY source_id, ord) AS s
        WHERE k.source_id = s.source_id AND k.sku IS DISTINCT FROM s.sku
        """
    )
    cursor.execute(
        f"""
        {writers.SKUS.into()}
        SELECT DISTINCT ON (s.source_id) {_NEW_SKU}
        FROM {SKUS} AS s JOIN {P} AS p ON p.source_id = s.product_source
        WHERE NOT EXISTS (SELECT FROM {K} AS k WHERE k.source_id = s.source_id)
        ORDER BY s.source_id, s.sku = '', s.ord
        ON CONFLICT (source_id) DO NOTHING
        """
    )


# The stored order's value of each field an import can change, as ``import_plan`` holds it.
_OLD = {"total_amount": "old_total"}
# What an import compares and records of an order already stored: every field a change
# records but the source ID, which matched it.
IMPORTED_FIELDS = tuple(name for name in events.FIELD_KINDS if name != "source_id")


def _old(name: str) -> str:
    return f"p.{_OLD.get(name, f'old_{name}')}"


def _new(name: str) -> str:
    # A file that gives no created_at keeps the stored one.
    return "coalesce(p.created_at, p.old_created_at)" if name == "created_at" else f"p.{name}"


# A stored order's ``imported`` event: what update_order would record for the same change.
_UPDATE_CHANGES = " || ".join(
    (
        events.field_changes_sql(IMPORTED_FIELDS, _old, _new),
        events.metadata_changes_sql("p.old_metadata", "p.metadata"),
        events.items_changes_sql("p.items_changed", "before.lines", "after.lines"),
    )
)
# A new order's ``imported`` event: what create_order records.
_CREATE_CHANGES = events.created_changes_sql(lambda name: f"p.{name}")
# An import's event; its type, actor type and actor label are the statement's parameters.
_NEW_EVENT = writers.EVENTS.select(
    {
        "order_id": "p.order_id",
        "type": "%s",
        "actor_type": "%s",
        "actor_user_id": "NULL",
        "actor_label": "%s",
        "changes": f"CASE WHEN p.is_new THEN {_CREATE_CHANGES} ELSE {_UPDATE_CHANGES} END",
        "version": "CASE WHEN p.is_new THEN 1 ELSE p.old_version + 1 END",
        "created_at": "now()",
    }
)


def _item_line(product: str, sku: str) -> str:
    """One cart line (``events.item_line``) of the item ``i``, product and SKU ids given."""
    ids = {"product_id": product, "sku_id": sku}
    return events.item_line_sql(lambda name: ids.get(name, f"i.{name}"))


class SourceIdTaken(Exception):
    """Another writer created one of the import's new source IDs after the plan was made (an
    import past ``MAX_NEW_SOURCE_ID_LOCKS`` does not lock them): planning again finds it
    stored and updates it."""


def _write_orders(cursor: Any, actor_label: str) -> None:
    cursor.execute("SELECT count(*) FROM import_plan WHERE is_new")
    (planned,) = cursor.fetchone()
    cursor.execute(
        f"""
        {writers.ORDERS.into()}
        SELECT {_NEW_ORDER}
        FROM import_plan WHERE is_new ORDER BY ord
        ON CONFLICT (source_id) DO NOTHING
        """
    )
    if cursor.rowcount != planned:
        raise SourceIdTaken(
            "Other writers kept creating orders with this import's new source IDs while it "
            "ran; run it again."
        )
    cursor.execute(
        f"""
        UPDATE {O} AS o SET status = p.status, amount = p.amount,
            initial_amount = p.initial_amount, discount_amount = p.discount_amount,
            items_discount_amount = p.items_discount_amount,
            total_discount_amount = p.total_discount_amount, total_amount = p.total_amount,
            items_count = p.items_count, customer_id = p.customer_id,
            referrer_id = p.referrer_id, metadata = p.metadata,
            created_at = coalesce(p.created_at, o.created_at), updated_at = now(),
            version = o.version + 1
        FROM import_plan AS p
        WHERE o.id = p.old_id AND (p.fields_changed OR p.items_changed)
        """
    )
    # The events, before the changed carts are replaced (an update's event shows the lines
    # it replaces). A new order's is create_order's; a changed one's, update_order's.
    stored_line = _item_line("i.product_id", "i.sku_id")
    staged_line = _item_line("prod.id", "k.id")
    cursor.execute(
        f"""
        {writers.EVENTS.into()}
        WITH before AS (
            SELECT p.ord, jsonb_agg({stored_line} ORDER BY i.position) AS lines
            FROM import_plan AS p JOIN {I} AS i ON i.order_id = p.old_id
            WHERE p.items_changed GROUP BY p.ord
        ),
        after AS (
            SELECT p.ord, jsonb_agg({staged_line} ORDER BY i.position) AS lines
            FROM import_plan AS p JOIN {ITEMS} AS i ON i.ord = p.ord
            LEFT JOIN {P} AS prod ON prod.source_id = i.product_source
            LEFT JOIN {K} AS k ON k.source_id = i.sku_source
            WHERE p.items_changed GROUP BY p.ord
        )
        SELECT {_NEW_EVENT}
        FROM import_plan AS p
        LEFT JOIN before ON before.ord = p.ord
        LEFT JOIN after ON after.ord = p.ord
        WHERE p.is_new OR p.fields_changed OR p.items_changed
        ORDER BY p.ord
        """,
        [OrderEvent.Type.IMPORTED, OrderEvent.ActorType.IMPORTER, actor_label],
    )
    cursor.execute(
        f"DELETE FROM {I} WHERE order_id IN (SELECT old_id FROM import_plan WHERE items_changed)"
    )
    cursor.execute(
        f"""
        {writers.ITEMS.into()}
        SELECT {_NEW_ITEM}
        FROM {ITEMS} AS i
        JOIN import_plan AS p ON p.ord = i.ord AND (p.is_new OR p.items_changed)
        LEFT JOIN {P} AS prod ON prod.source_id = i.product_source
        LEFT JOIN {K} AS k ON k.source_id = i.sku_source
        ORDER BY i.ord, i.position
        """
    )
