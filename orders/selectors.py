"""Reads of orders."""

from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.contrib.humanize.templatetags.humanize import intcomma
from django.db.models import QuerySet

from core.counts import planner_row_estimate

from .models import Order


def orders_visible_to(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Order]:
    """The orders ``user`` may see: every view, export and download starts here."""
    if user.is_active and user.has_perm("orders.view_order"):
        return Order.objects.all()
    return Order.objects.none()


# Page sizes the list offers; anything else falls back to the default.
PAGE_SIZES = (20, 50, 100)
DEFAULT_PAGE_SIZE = 50
# Up to this many matches the list counts them exactly (cheap with a LIMIT); past it, the
# planner's estimate is shown instead of a COUNT(*) over a million rows.
EXACT_COUNT_LIMIT = 10_000


@dataclass(frozen=True)
class OrderPage:
    """One page of the orders list and what is known of the total."""

    orders: list[Order]
    number: int
    per_page: int
    has_next: bool
    count: int | None  # exact, when it is known
    estimate: int | None  # the planner's estimate, when counting would be too dear

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.orders else 0

    @property
    def end_index(self) -> int:
        return self.start_index + len(self.orders) - 1 if self.orders else 0

    @property
    def last_number(self) -> int | None:
        """The last page's number when the total is exact."""
        if self.count is None:
            return None
        return max(1, -(-self.count // self.per_page))

    @property
    def count_label(self) -> str:
        """``"12,345 orders"``, ``"about 1.2 million orders"`` or ``"10,000+ orders"``."""
        if self.count is not None:
            return f"{intcomma(self.count)} order{'' if self.count == 1 else 's'}"
        if self.estimate is not None:
            return f"about {_about(self.estimate)} orders"
        return f"{intcomma(EXACT_COUNT_LIMIT)}+ orders"


def _about(number: int) -> str:
    if number >= 1_000_000:
        return f"{number / 1_000_000:.1f} million".replace(".0 ", " ")
    return intcomma(round(number, -3))


def order_page(queryset: QuerySet[Order], *, number: int, per_page: int) -> OrderPage:
    """A page of ``queryset`` (already filtered and ordered) in a constant number of queries.

    One query reads the page's rows with their customers (one row more than the page, to
    know whether a next page exists); one counts at most ``EXACT_COUNT_LIMIT + 1`` matches;
    only when there are more does the planner estimate the total (EXPLAIN, no scan).
    """
    offset = (number - 1) * per_page
    rows = list(queryset.select_related("customer")[offset : offset + per_page + 1])
    unordered = queryset.order_by()
    bounded = unordered[: EXACT_COUNT_LIMIT + 1].count()
    count = estimate = None
    if bounded <= EXACT_COUNT_LIMIT:
        count = bounded
    else:
        planned = planner_row_estimate(unordered)
        estimate = planned if planned and planned > EXACT_COUNT_LIMIT else None
    return OrderPage(
        orders=rows[:per_page],
        number=number,
        per_page=per_page,
        has_next=len(rows) > per_page,
        count=count,
        estimate=estimate,
    )
