"""Reads of orders."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import (
    DateTimeField,
    ExpressionWrapper,
    F,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone

from core.lists import RowReader, bounded_count, paginate
from core.paging import CountedPage
from customers.models import Customer

from .filters import DEFAULT_SORT, ordering_for
from .models import COUNTED_STATUSES, Order


def orders_visible_to(user: User | AnonymousUser) -> QuerySet[Order]:
    """The orders ``user`` may see: every view, export and download starts here."""
    if user.is_active and user.has_perm("orders.view_order"):
        return Order.objects.all()
    return Order.objects.none()


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


def _read_ids(queryset: QuerySet[Order], offset: int, limit: int) -> list[str]:
    return list(queryset.values_list("pk", flat=True)[offset : offset + limit])


NEWEST_FIRST = ordering_for(DEFAULT_SORT)
# How many of the newest orders a page of a source ID pattern is first looked for among: a
# walk of 7 ms at a million orders, which holds a page of 100 when one order in 200 matches
# (with 5,000, a pattern one order in 100 holds, spread in time, was sorted from all its
# 10,000 matches, read from all over the table: 60 ms instead of 40).
PROBE_ORDERS = 20_000


class NewestFirst:
    """Reading the first pages of the newest orders first under a source ID pattern: from
    the newest ``PROBE_ORDERS`` orders when they hold the page, else from every match sorted.

    PostgreSQL reads such a page by walking ``order_created_idx`` newest first, expecting the
    matches to be spread in time and the first ones near. Source IDs often grow with time, so a
    prefix's matches ("ORD-01") can all be the oldest orders: the walk then reads nearly every
    order before the first (300 ms at a million). The newest ``PROBE_ORDERS`` orders are read
    first (a bounded walk); when they hold the page, it is the page the whole walk would give.
    Otherwise the matches are few or old, and the orders are sorted by a copy of the creation
    time that no index holds, so PostgreSQL finds every match through the source ID's trigram
    index and sorts them (50 ms for 100,000 matches). Counting them then goes the same way,
    not along another index that meets them as late (``bounded_count(by_bitmap=True)``).
    """

    def __init__(self, read: RowReader) -> None:
        self._read = read
        self.sorted_every_match = False

    def read(self, queryset: QuerySet[Order], offset: int, limit: int) -> Sequence[Any]:
        if list(queryset.query.order_by) != NEWEST_FIRST or offset + limit > PROBE_ORDERS:
            return self._read(queryset, offset, limit)
        # The orders created since the PROBE_ORDERS-th newest are the list's start, so its
        # first rows are theirs; the bound is read in the same statement. With fewer orders
        # than that it is NULL, no order is read here, and every match is sorted (a few).
        since = Order.objects.order_by(*NEWEST_FIRST).values("created_at")
        newest = queryset.filter(created_at__gte=Subquery(since[PROBE_ORDERS - 1 : PROBE_ORDERS]))
        rows = self._read(newest, offset, limit)
        if len(rows) == limit:
            return rows
        self.sorted_every_match = True
        unindexed = ExpressionWrapper(
            F("created_at") + Value(timedelta(0)), output_field=DateTimeField()
        )
        return self._read(queryset.order_by(unindexed.desc(), "-id"), offset, limit)

    def count(self, queryset: QuerySet[Order]) -> int | None:
        return bounded_count(queryset, by_bitmap=self.sorted_every_match)


def _paged(read: RowReader, source_id_pattern: bool) -> dict[str, Any]:
    """``paginate``'s ``read`` (and ``counter``) for a list of orders, see ``NewestFirst``."""
    if not source_id_pattern:
        return {"read": read}
    newest = NewestFirst(read)
    return {"read": newest.read, "counter": newest.count}


def _read_orders(queryset: QuerySet[Order], offset: int, limit: int) -> list[Order]:
    ids = _read_ids(queryset, offset, limit)
    return _orders_with_customers(ids) if ids else []


def order_page(
    queryset: QuerySet[Order],
    *,
    number: int,
    per_page: int,
    estimable: bool = True,
    text_search: bool = False,
) -> OrderPage:
    """A page of ``queryset`` (already filtered and ordered) in a constant number of queries,
    its total as ``core.lists.paginate`` knows it.

    The page's ids are read first, without joins, so the database walks only the sort index;
    then those orders are read with their customers by primary key.
    """
    return paginate(
        queryset,
        number=number,
        per_page=per_page,
        page_class=OrderPage,
        read=_read_orders,
        estimable=estimable,
        text_search=text_search,
    )


def order_ids_page(
    queryset: QuerySet[Order],
    *,
    number: int,
    per_page: int,
    estimable: bool = True,
    source_id_pattern: bool = False,
) -> OrderPage:
    """As ``order_page``, but the page's rows are the orders' ids, in the queryset's order:
    for callers that read the orders in a shape of their own (the API's list). With a
    ``source_id_pattern``, see ``NewestFirst``."""
    return paginate(
        queryset,
        number=number,
        per_page=per_page,
        page_class=OrderPage,
        **_paged(_read_ids, source_id_pattern),
        estimable=estimable,
    )


# --- a customer's profile --------------------------------------------------------------------

CUSTOMER_ORDERS_PAGE_SIZE = 20


@dataclass(frozen=True)
class MonthSpend:
    """One bar of the profile's spend-per-month chart."""

    month: date
    amount: int
    height: float  # 0..100, relative to the biggest month shown
    index: int

    # Where the inline SVG draws the bar: 30 units a month, bars standing on y = 105.
    @property
    def x(self) -> int:
        return self.index * 30 + 3

    @property
    def y(self) -> float:
        return 105 - self.height


def monthly_spend(customer: Customer, *, months: int = 12) -> list[MonthSpend]:
    """The customer's PAID/FULFILLED spend in each of the ``months`` months up to their last
    counted order (or this month), oldest first, empty months included."""
    anchor = customer.orders_last_order_date or timezone.now()
    last = date(anchor.year, anchor.month, 1)
    first = _add_months(last, -(months - 1))
    rows = (
        Order.objects.filter(
            customer=customer,
            status__in=COUNTED_STATUSES,
            created_at__gte=datetime.combine(first, time(), UTC),
        )
        .annotate(month=TruncMonth("created_at", tzinfo=UTC))
        .values("month")
        .annotate(spent=Sum("total_amount"))
    )
    by_month = {row["month"].date(): row["spent"] for row in rows}
    top = max(by_month.values(), default=0) or 1
    series = [_add_months(first, step) for step in range(months)]
    return [
        MonthSpend(month, by_month.get(month, 0), round(100 * by_month[month] / top, 1), index)
        if month in by_month
        else MonthSpend(month, 0, 0.0, index)
        for index, month in enumerate(series)
    ]


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def customer_orders_page(
    user: User | AnonymousUser, customer: Customer, *, role: str, number: int
) -> OrderPage:
    """A page of the orders ``customer`` placed (``role="customer"``) or referred
    (``role="referrer"``), newest first, served by ``order_customer_idx`` /
    ``order_referrer_idx``."""
    orders = orders_visible_to(user).filter(**{role: customer}).order_by("-created_at", "-id")
    return order_page(orders, number=number, per_page=CUSTOMER_ORDERS_PAGE_SIZE)


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


def _read_order_rows(queryset: QuerySet[Order], offset: int, limit: int) -> list[OrderRow]:
    return [_order_row(values) for values in order_list_query(queryset, offset, limit)]


def order_list_page(
    queryset: QuerySet[Order],
    *,
    number: int,
    per_page: int,
    estimable: bool = True,
    text_search: bool = False,
    source_id_pattern: bool = False,
) -> OrderPage:
    """The orders list's page of ``OrderRow``s, in one query; otherwise as ``order_page``.

    Near the start of the list (the pages people look at) the rows are read with their
    customers' names straight away. Deeper, the page's ids are picked in a sub-select that
    walks only the sort index, and just those orders are joined to their customers: joining
    before skipping tens of thousands of rows would repeat the join for each of them. With a
    ``source_id_pattern``, see ``NewestFirst``.
    """
    return paginate(
        queryset,
        number=number,
        per_page=per_page,
        page_class=OrderPage,
        **_paged(_read_order_rows, source_id_pattern),
        estimable=estimable,
        text_search=text_search,
    )
