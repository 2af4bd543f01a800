"""Reads of orders."""

from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import OperationalError, connections, transaction
from django.db.models import Q, QuerySet

from core.counts import planner_row_estimate
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


class OrderPage(CountedPage):
    """One page of the orders list and what is known of the total."""

    noun = "order"

    @property
    def orders(self) -> list[Order]:
        return self.rows


def bounded_count(queryset: QuerySet[Order]) -> int | None:
    """Count at most ``EXACT_COUNT_LIMIT + 1`` rows; ``None`` if that overruns the time budget.

    On PostgreSQL the count runs under ``statement_timeout`` in a savepoint, so a count that
    would read a large part of the table is cancelled instead of slowing the page down.
    """
    limited = queryset[: EXACT_COUNT_LIMIT + 1]
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return limited.count()
    try:
        with transaction.atomic(using=queryset.db), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL statement_timeout = {int(COUNT_TIME_BUDGET_MS)}")
            return limited.count()
    except OperationalError:
        # Cancelled by the timeout (psycopg's QueryCanceled); the savepoint was rolled back.
        return None


def order_page(
    queryset: QuerySet[Order], *, number: int, per_page: int, estimable: bool = True
) -> OrderPage:
    """A page of ``queryset`` (already filtered and ordered) in a constant number of queries.

    The page's ids are read first, without joins, so the database walks only the sort index
    (one id more than the page, to know whether a next page exists); then those orders are
    read with their customers by primary key. The total is the planner's estimate when the
    filters are ``estimable`` (the caller knows whether PostgreSQL estimates them well) and
    it is past ``EXACT_COUNT_LIMIT``; otherwise it is counted, exactly when that is cheap
    (see ``bounded_count``), else it is given as a lower bound.
    """
    offset = (number - 1) * per_page
    ids = list(queryset.values_list("pk", flat=True)[offset : offset + per_page + 1])
    has_next = len(ids) > per_page
    ids = ids[:per_page]
    by_id = Order.objects.select_related("customer").in_bulk(ids)
    orders = [by_id[pk] for pk in ids if pk in by_id]

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
        counted = bounded_count(unordered)
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
