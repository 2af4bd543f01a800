"""Reads of customers."""

from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import CharField, F, Func, OrderBy, Q, QuerySet
from django.db.models.functions import Coalesce
from django.db.models.lookups import IContains

from core.counts import planner_row_estimate
from core.lists import EXACT_COUNT_LIMIT, paginate
from core.paging import CountedPage

from .models import Customer, Segment
from .segments import conditions_q


def contains_q(field: str, text: str) -> Q:
    """``field`` contains ``text``, ignoring case (``icontains``), written so that its trigram
    index on ``UPPER(field)`` reads few entries when ``text`` is an email address.

    The trigrams of an email's domain (``EXAMPLE.COM``) are in most emails, and GIN reads
    every entry of every trigram the pattern holds: an exact email took about 45 ms at
    200,000 customers. The text before the ``@``, contained in whatever contains the whole
    text, finds the few candidates through the index (under a millisecond); the whole text
    is then checked on them, written so that the index is not asked about it again.
    """
    local = text.partition("@")[0]
    if "@" not in text or len(local) < 3:
        return Q(**{f"{field}__icontains": text})
    not_indexed = Func(F(field), template="(%(expressions)s || '')", output_field=CharField())
    return Q(**{f"{field}__icontains": local}) & Q(IContains(not_indexed, text))


def customers_visible_to(user: User | AnonymousUser) -> QuerySet[Customer]:
    """The customers ``user`` may see."""
    if user.is_active and user.has_perm("customers.view_customer"):
        return Customer.objects.all()
    return Customer.objects.none()


def search_customers(user: User | AnonymousUser, text: str, *, limit: int = 10) -> list[Customer]:
    """Up to ``limit`` customers ``user`` may see whose name or email contains ``text``, or
    whose id or source ID starts with it (the Create order wizard's type-ahead)."""
    text = text.strip()
    if not text:
        return []
    match = (
        Q(name__icontains=text)
        | Q(email__icontains=text)
        | Q(pk__startswith=text)
        | Q(source_id__istartswith=text)
    )
    return list(customers_visible_to(user).filter(match).order_by("name", "id")[:limit])


def segment_members(user: User | AnonymousUser, segment: Segment) -> QuerySet:
    """The customers ``user`` may see who are in ``segment`` now."""
    return customers_visible_to(user).filter(conditions_q(segment.conditions))


# --- the list --------------------------------------------------------------------------------


# The fields the customers list shows (customers.templatetags.customer_rows): the list reads
# only these, not the address, description and metadata of every row.
LIST_FIELDS = (
    "id",
    "name",
    "email",
    "source_id",
    "orders_total_count",
    "orders_total_amount",
    "orders_last_order_date",
)


class CustomerPage(CountedPage):
    """One page of the customers list and what is known of the total."""

    noun = "customer"

    @property
    def customers(self) -> list[Customer]:
        return self.rows


def customer_page(
    queryset: QuerySet[Customer],
    *,
    number: int,
    per_page: int,
    estimable: bool = True,
    sort_after_filtering: bool = True,
) -> CustomerPage:
    """A page of ``queryset`` (filtered and ordered), its total as ``core.lists.paginate``
    knows it.

    ``sort_after_filtering=False`` keeps the index walk for few matches too: for callers
    whose sort column is the one their filter restricts (see ``_sorted_after_filtering``).
    """
    planned = planner_row_estimate(queryset.order_by()) if estimable else None
    few = planned is not None and planned <= EXACT_COUNT_LIMIT
    if sort_after_filtering and few and queryset.query.where:
        queryset = _sorted_after_filtering(queryset)
    # Customers have no joins to avoid, so the page is read in one query.
    return paginate(
        queryset,
        number=number,
        per_page=per_page,
        page_class=CustomerPage,
        estimable=estimable,
        estimated=planned,
    )


def _sorted_after_filtering(queryset: QuerySet[Customer]) -> QuerySet[Customer]:
    """The same order, written so PostgreSQL cannot walk the sort column's index.

    With a selective filter (a few thousand high spenders) and the default newest-first sort,
    the planner walks ``created_at`` backwards expecting matches to be spread evenly; but
    lifetime spend correlates with age, so it reads most of the table to find a few matches.
    ``COALESCE(col, col)`` sorts identically but matches no index, so the planner fetches the
    matches through the filter's index and sorts only those (docs/benchmarks.md, "Customers and
    segments"). Used only when the planner expects at most ``EXACT_COUNT_LIMIT`` matches,
    where that sort is cheap.
    """
    first, *rest = queryset.query.order_by
    if isinstance(first, str):
        column: Any = F(first.lstrip("-"))
        ordering = OrderBy(Coalesce(column, column), descending=first.startswith("-"))
    elif isinstance(first, OrderBy):
        ordering = OrderBy(
            Coalesce(first.expression, first.expression),
            descending=first.descending,
            nulls_first=first.nulls_first,
            nulls_last=first.nulls_last,
        )
    else:
        return queryset
    return queryset.order_by(ordering, *rest)
