"""Reads of orders."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import OperationalError, connections, transaction
from django.db.models import Q, QuerySet

from core.counts import planner_row_estimate, table_row_estimate
from core.paging import CountedPage

from .models import SKU, Order, Product


def orders_visible_to(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Order]:
    """The orders ``user`` may see: every view, export and download starts here."""
    if user.is_active and user.has_perm("orders.view_order"):
        return Order.objects.all()
    return Order.objects.none()


# Page sizes the list offers; anything else falls back to the default.
PAGE_SIZES = (20, 50, 100)
DEFAULT_PAGE_SIZE = 50
# Up to this many matches the list counts them exactly (with a LIMIT, never a full scan) ...
EXACT_COUNT_LIMIT = 10_000
# ... as long as counting takes no longer than this on PostgreSQL; past it, the total is the
# planner's estimate (when the filters allow a trustworthy one) or a lower bound.
COUNT_TIME_BUDGET_MS = 25
# A free-text search (``text_search=True``) has no usable estimate, and its count reads the
# orders table row by row (an OR of an id, a source ID pattern and a customer sub-select has
# no index plan): at a million orders even 300 matches take most of a second to count, so a
# count there is always cancelled and only slows the page down. The search is counted on
# tables up to this size (statistics' row count), under a smaller budget; past it the page
# shows the bound straight away.
SEARCH_COUNT_MAX_TABLE_ROWS = 100_000
SEARCH_COUNT_TIME_BUDGET_MS = 5


class OrderPage(CountedPage):
    """One page of the orders list and what is known of the total."""

    noun = "order"

    @property
    def orders(self) -> list[Any]:
        """The page's orders: ``Order`` instances (``order_page``) or ``OrderRow``s
        (``order_list_page``)."""
        return self.rows


@dataclass(frozen=True, slots=True)
class OrderRow:
    """What a row of the orders list shows, read without building ``Order`` instances."""

    id: str
    status: str
    customer_id: str | None
    customer_label: str  # what ``str(customer)`` gives: name, else email, source ID or id
    items_count: int
    amount: int
    total_amount: int
    created_at: datetime


LIST_ROW_COLUMNS = (
    "id",
    "status",
    "customer_id",
    "customer__name",
    "customer__email",
    "customer__source_id",
    "items_count",
    "amount",
    "total_amount",
    "created_at",
)


def _order_row(values: tuple[Any, ...]) -> OrderRow:
    pk, status, customer_id, name, email, source_id, items, amount, total, created = values
    label = (name or email or source_id or customer_id) if customer_id else ""
    return OrderRow(pk, status, customer_id, label, items, amount, total, created)


def _orders_with_customers(ids: Sequence[str]) -> list[Order]:
    by_id = Order.objects.select_related("customer").in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]


def bounded_count(queryset: QuerySet[Order], budget_ms: int | None = None) -> int | None:
    """Count at most ``EXACT_COUNT_LIMIT + 1`` rows; ``None`` if that overruns the time budget
    (``COUNT_TIME_BUDGET_MS`` unless ``budget_ms`` says otherwise).

    The count runs under ``statement_timeout`` in a savepoint, so a count that would read a
    large part of the table is cancelled instead of slowing the page down.
    """
    limited = queryset[: EXACT_COUNT_LIMIT + 1]
    connection = connections[queryset.db]
    budget = COUNT_TIME_BUDGET_MS if budget_ms is None else budget_ms
    # SET LOCAL lasts until the end of the *transaction*: releasing the savepoint keeps it.
    # Inside a caller's transaction the budget would then cut every later statement short,
    # so the caller's timeout is put back after the count.
    nested = connection.in_atomic_block
    try:
        with transaction.atomic(using=queryset.db), connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('statement_timeout'), "
                "set_config('statement_timeout', %s, true)",
                [f"{max(1, int(budget))}ms"],
            )
            previous = cursor.fetchone()[0]
            count = limited.count()
            if nested:
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [previous])
            return count
    except OperationalError:
        # Cancelled by the timeout (psycopg's QueryCanceled); the savepoint was rolled back.
        return None


def order_page(
    queryset: QuerySet[Order],
    *,
    number: int,
    per_page: int,
    estimable: bool = True,
    text_search: bool = False,
) -> OrderPage:
    """A page of ``queryset`` (already filtered and ordered) in a constant number of queries.

    The page's ids are read first, without joins, so the database walks only the sort index
    (one id more than the page, to know whether a next page exists); then those orders are
    read with their customers by primary key. The total is the planner's estimate when the
    filters are ``estimable`` (the caller knows whether PostgreSQL estimates them well) and
    it is past ``EXACT_COUNT_LIMIT``; otherwise it is counted, exactly when that is cheap
    (see ``bounded_count``; a ``text_search`` only on a small table, see
    ``SEARCH_COUNT_MAX_TABLE_ROWS``), else it is given as a lower bound.
    """
    offset = (number - 1) * per_page
    ids = list(queryset.values_list("pk", flat=True)[offset : offset + per_page + 1])
    has_next = len(ids) > per_page
    ids = ids[:per_page]
    orders = _orders_with_customers(ids) if ids else []
    return _with_total(
        queryset,
        orders,
        number=number,
        per_page=per_page,
        has_next=has_next,
        estimable=estimable,
        text_search=text_search,
    )


# Up to this offset the orders list reads a page's rows joined to customers straight away;
# past it the page's ids are picked in a sub-select first (see ``order_list_query``), so the
# join is not repeated for every skipped row.
SINGLE_QUERY_MAX_OFFSET = 1_000


def order_list_query(queryset: QuerySet[Order], offset: int, limit: int) -> QuerySet:
    """The one query of ``order_list_page``: ``limit`` rows of ``LIST_ROW_COLUMNS`` from
    ``offset`` on, in ``queryset``'s order."""
    window = slice(offset, offset + limit)
    if offset > SINGLE_QUERY_MAX_OFFSET:
        ids = queryset.values("pk")[window]
        rows = Order.objects.filter(pk__in=ids).order_by(*queryset.query.order_by)
        return rows.values_list(*LIST_ROW_COLUMNS)
    return queryset.values_list(*LIST_ROW_COLUMNS)[window]


def order_list_page(
    queryset: QuerySet[Order],
    *,
    number: int,
    per_page: int,
    estimable: bool = True,
    text_search: bool = False,
) -> OrderPage:
    """The orders list's page of ``OrderRow``s, in one query; otherwise as ``order_page``.

    Near the start of the list (the pages people look at) the rows are read with their
    customers' names straight away. Deeper, the page's ids are picked in a sub-select that
    walks only the sort index, and just those orders are joined to their customers: joining
    before skipping tens of thousands of rows would repeat the join for each of them.
    """
    offset = (number - 1) * per_page
    # One row more than the page, to know whether a next page exists.
    rows = [_order_row(values) for values in order_list_query(queryset, offset, per_page + 1)]
    return _with_total(
        queryset,
        rows[:per_page],
        number=number,
        per_page=per_page,
        has_next=len(rows) > per_page,
        estimable=estimable,
        text_search=text_search,
    )


def _count_if_cheap(queryset: QuerySet[Order], *, text_search: bool) -> int | None:
    """``bounded_count``, except for a text search on a large table (``None`` at once)."""
    if not text_search:
        return bounded_count(queryset)
    if (table_row_estimate(Order, queryset.db) or 0) > SEARCH_COUNT_MAX_TABLE_ROWS:
        return None  # it would be cancelled; see SEARCH_COUNT_MAX_TABLE_ROWS
    return bounded_count(queryset, budget_ms=SEARCH_COUNT_TIME_BUDGET_MS)


def _with_total(
    queryset: QuerySet[Order],
    orders: list[Any],
    *,
    number: int,
    per_page: int,
    has_next: bool,
    estimable: bool,
    text_search: bool,
) -> OrderPage:
    """The page of ``orders`` with what is known of the total (see ``order_page``)."""
    offset = (number - 1) * per_page
    count = estimate = at_least = None
    unordered = queryset.order_by()
    # For filters PostgreSQL estimates well, a large estimate is shown as it is: counting
    # ten thousand matching rows exactly would cost more than the page itself.
    planned = planner_row_estimate(unordered) if estimable and has_next else None
    if not has_next and (orders or number == 1):
        count = offset + len(orders)  # the last page tells the total for free
    elif planned is not None and planned > EXACT_COUNT_LIMIT:
        estimate = planned
    else:
        counted = _count_if_cheap(unordered, text_search=text_search)
        if counted is not None and counted <= EXACT_COUNT_LIMIT:
            count = counted
        elif counted is not None:
            at_least = EXACT_COUNT_LIMIT
        else:
            at_least = offset + len(orders) + 1  # the rows shown and the next page's first
    return OrderPage(
        rows=orders,
        number=number,
        per_page=per_page,
        has_next=has_next,
        count=count,
        estimate=estimate,
        at_least=at_least,
    )


@dataclass(frozen=True)
class CatalogueMatch:
    """A product or SKU offered by the Create order wizard's type-ahead."""

    id: str
    name: str
    source_id: str
    price: int | None
    kind: str  # "product" or "SKU"


def search_catalogue(text: str, *, limit: int = 10) -> list[CatalogueMatch]:
    """Up to ``limit`` products and SKUs whose name contains ``text`` or whose id or source ID
    starts with it; SKUs first (they are the more specific)."""
    text = text.strip()
    if not text:
        return []
    skus = SKU.objects.select_related("product").filter(
        Q(sku__icontains=text)
        | Q(product__name__icontains=text)
        | Q(pk__startswith=text)
        | Q(source_id__istartswith=text)
    )
    products = Product.objects.filter(
        Q(name__icontains=text) | Q(pk__startswith=text) | Q(source_id__istartswith=text)
    )
    matches = [
        CatalogueMatch(
            sku.pk,
            f"{sku.product.name} · {sku.sku}",
            sku.source_id or "",
            sku.price if sku.price is not None else sku.product.price,
            "SKU",
        )
        for sku in skus.order_by("sku", "id")[:limit]
    ]
    matches += [
        CatalogueMatch(product.pk, product.name, product.source_id or "", product.price, "product")
        for product in products.order_by("name", "id")[: limit - len(matches)]
    ]
    return matches[:limit]
