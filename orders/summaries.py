"""Customers' purchase summaries, kept by the order service from the orders it counts.

A customer's ``orders_*`` columns sum up their PAID and FULFILLED orders (``COUNTED_STATUSES``).
Only orders write them: the order service in the same transaction as an order change
(``refresh_purchase_summaries``), the importer and the demo loader in bulk
(``rebuild_purchase_summaries`` / ``rebuild_all_purchase_summaries``), and
``manage.py recompute_customer_summaries`` after changes made outside the service.
"""

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from core.money import MAX_MINOR_UNITS
from customers.models import Customer

from .models import COUNTED_STATUSES, Order


def refresh_purchase_summaries(customer_ids: Iterable[str | None]) -> None:
    """Recompute the purchase summary of these customers from their PAID/FULFILLED orders.

    Called by the order service in the same transaction as the order change, so a summary
    never disagrees with the orders it counts. The rule is ``rebuild_purchase_summaries``'s,
    the one every writer uses; for the few customers of one order change it is one
    statement (``refresh_few_purchase_summaries``).
    """
    ids = sorted({cid for cid in customer_ids if cid})
    if len(ids) <= MAX_FEW_CUSTOMERS:
        refresh_few_purchase_summaries(ids)
        return
    for start in range(0, len(ids), MAX_REBUILD_CUSTOMERS):
        rebuild_purchase_summaries(ids[start : start + MAX_REBUILD_CUSTOMERS])


# ``refresh_few_purchase_summaries`` reads each customer's counted orders through the
# customer's index, one customer after another: right for an order change's one or two.
MAX_FEW_CUSTOMERS = 100


def refresh_few_purchase_summaries(
    customer_ids: Collection[str], using: str = DEFAULT_DB_ALIAS
) -> int:
    """``rebuild_purchase_summaries`` for a few customers in one ``UPDATE`` (its two
    statements' work: a customer left without counted orders gets the empty summary).
    Returns how many summaries were rewritten (only those that were wrong)."""
    ids = sorted({customer_id for customer_id in customer_ids if customer_id})
    if not ids:
        return 0
    connection = connections[using]
    quote = connection.ops.quote_name
    orders = quote(Order._meta.db_table)
    customers = quote(Customer._meta.db_table)
    counted = ", ".join(["%s"] * len(COUNTED_STATUSES))
    sql = f"""
        UPDATE {customers} AS customer
        SET orders_total_amount = summary.spent,
            orders_total_count = summary.counted,
            orders_last_order_amount = summary.last_amount,
            orders_last_order_date = summary.last_date
        FROM (
            SELECT listed.id,
                   -- A summary saturates at the column's limit (as the rebuild's does).
                   LEAST(COALESCE(SUM(o.total_amount), 0), {MAX_MINOR_UNITS})::bigint AS spent,
                   COUNT(o.id) AS counted,
                   (ARRAY_AGG(o.total_amount ORDER BY o.created_at DESC, o.id DESC))[1]
                       AS last_amount,
                   MAX(o.created_at) AS last_date
            FROM unnest(%s::text[]) AS listed (id)
            LEFT JOIN {orders} AS o
                   ON o.customer_id = listed.id AND o.status IN ({counted})
            GROUP BY listed.id
        ) AS summary
        WHERE customer.id = summary.id
          AND (customer.orders_total_amount IS DISTINCT FROM summary.spent
               OR customer.orders_total_count IS DISTINCT FROM summary.counted
               OR customer.orders_last_order_amount IS DISTINCT FROM summary.last_amount
               OR customer.orders_last_order_date IS DISTINCT FROM summary.last_date)
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [ids, *[str(status) for status in COUNTED_STATUSES]])
        return cursor.rowcount


def count_new_order(order: Order, using: str = DEFAULT_DB_ALIAS) -> None:
    """Add a just-created order to its customer's purchase summary: one ``UPDATE`` with
    arithmetic instead of a recompute of every order of theirs.

    The result is the recompute's (``refresh_purchase_summaries``): a counted order adds its
    total (saturating, as the recompute's sum does) and one to the count, and becomes the
    last order when it is newer than the last one; an order that doesn't count changes
    nothing. An order created at the very instant of the customer's last order is ordered
    by id: that rare case is recomputed.
    """
    if not order.customer_id or order.status not in COUNTED_STATUSES:
        return
    connection = connections[using]
    customers = connection.ops.quote_name(Customer._meta.db_table)
    newer = "(orders_last_order_date IS NULL OR orders_last_order_date < %(created)s)"
    sql = f"""
        UPDATE {customers}
        SET orders_total_amount =
                LEAST(orders_total_amount::numeric + %(total)s, {MAX_MINOR_UNITS})::bigint,
            orders_total_count = orders_total_count + 1,
            orders_last_order_amount =
                CASE WHEN {newer} THEN %(total)s ELSE orders_last_order_amount END,
            orders_last_order_date =
                CASE WHEN {newer} THEN %(created)s ELSE orders_last_order_date END
        WHERE id = %(customer)s
          AND orders_last_order_date IS DISTINCT FROM %(created)s
    """
    params: dict[str, Any] = {
        "total": order.total_amount,
        "created": order.created_at,
        "customer": order.customer_id,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if cursor.rowcount:
            return
    refresh_few_purchase_summaries([order.customer_id], using)


@dataclass(frozen=True)
class SummaryRebuild:
    """What ``rebuild_all_purchase_summaries`` did."""

    updated: int  # customers with counted orders whose summary was wrong, now rewritten
    reset: int  # customers left with no counted order, their summary emptied


# At most this many customers per ``rebuild_purchase_summaries``: it reads their orders by
# customer, which pays while the customers are a small part of the table; for more, one pass
# over every summary (``rebuild_all_purchase_summaries``) or batches of this size.
MAX_REBUILD_CUSTOMERS = 10_000


def rebuild_all_purchase_summaries(using: str = DEFAULT_DB_ALIAS) -> SummaryRebuild:
    """Recompute every customer's purchase summary from the orders, set-based.

    The same rule as ``refresh_purchase_summaries`` (PAID and FULFILLED orders; the last
    order is the latest ``created_at``, ties broken by the highest id), in one ``UPDATE …
    FROM`` over all customers with counted orders instead of four queries per customer, plus
    one ``UPDATE`` emptying the summaries of customers who no longer have any (a summary
    left behind by data changed outside the service). Only rows whose summary differs are
    written: every summary column is indexed, so rewriting an already-correct row costs
    index writes for nothing (docs/benchmarks.md, "Customers and segments", has the figures).
    """
    return _rebuild_purchase_summaries(None, using)


def rebuild_purchase_summaries(
    customer_ids: Collection[str], using: str = DEFAULT_DB_ALIAS
) -> SummaryRebuild:
    """``rebuild_all_purchase_summaries`` for these customers only (at most
    ``MAX_REBUILD_CUSTOMERS``): the same two statements, reading only their orders, so the
    cost follows the number of customers rather than the size of the tables.
    """
    ids = sorted({customer_id for customer_id in customer_ids if customer_id})
    if len(ids) > MAX_REBUILD_CUSTOMERS:
        raise ValueError(f"at most {MAX_REBUILD_CUSTOMERS} customers (given {len(ids)})")
    if not ids:
        return SummaryRebuild(updated=0, reset=0)
    return _rebuild_purchase_summaries(ids, using)


def _rebuild_purchase_summaries(customer_ids: list[str] | None, using: str) -> SummaryRebuild:
    connection = connections[using]
    quote = connection.ops.quote_name
    orders = quote(Order._meta.db_table)
    customers = quote(Customer._meta.db_table)
    counted = ", ".join(["%s"] * len(COUNTED_STATUSES))
    statuses = [str(status) for status in COUNTED_STATUSES]
    only = only_orders = ""
    reset_params: list[Any] = statuses
    update_params: list[Any] = statuses
    if customer_ids is not None:
        # One array parameter: thousands of separate ones take longer to send and plan.
        listed = "SELECT unnest(%s::text[])"
        only = f" AND {customers}.id IN ({listed})"
        only_orders = f" AND customer_id IN ({listed})"
        reset_params, update_params = [customer_ids, *statuses], [*statuses, customer_ids]
    update_sql = f"""
        UPDATE {customers}
        SET orders_total_amount = ranked.spent,
            orders_total_count = ranked.counted,
            orders_last_order_amount = ranked.total_amount,
            orders_last_order_date = ranked.created_at
        FROM (
            SELECT customer_id,
                   total_amount,
                   created_at,
                   -- Each order's total fits a bigint, their sum may not: a summary
                   -- saturates at the column's limit rather than failing the order's save.
                   LEAST(
                       SUM(total_amount) OVER (PARTITION BY customer_id), {MAX_MINOR_UNITS}
                   )::bigint AS spent,
                   COUNT(*) OVER (PARTITION BY customer_id) AS counted,
                   ROW_NUMBER() OVER (
                       PARTITION BY customer_id ORDER BY created_at DESC, id DESC
                   ) AS recency
            FROM {orders}
            WHERE customer_id IS NOT NULL AND status IN ({counted}){only_orders}
        ) AS ranked
        WHERE ranked.recency = 1 AND {customers}.id = ranked.customer_id
          AND (orders_total_amount IS DISTINCT FROM ranked.spent
               OR orders_total_count IS DISTINCT FROM ranked.counted
               OR orders_last_order_amount IS DISTINCT FROM ranked.total_amount
               OR orders_last_order_date IS DISTINCT FROM ranked.created_at)
    """
    reset_sql = f"""
        UPDATE {customers}
        SET orders_total_amount = 0,
            orders_total_count = 0,
            orders_last_order_amount = NULL,
            orders_last_order_date = NULL
        WHERE (orders_total_count <> 0 OR orders_total_amount <> 0
               OR orders_last_order_date IS NOT NULL OR orders_last_order_amount IS NOT NULL){only}
          AND NOT EXISTS (
              SELECT 1 FROM {orders}
              WHERE {orders}.customer_id = {customers}.id AND {orders}.status IN ({counted})
          )
    """
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute(reset_sql, reset_params)
        reset = cursor.rowcount
        cursor.execute(update_sql, update_params)
        updated = cursor.rowcount
    return SummaryRebuild(updated=updated, reset=reset)
