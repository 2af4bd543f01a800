"""The list framework: a list's state read from the query, its links, and ``paginate()``.

Every list (orders, customers, segment members, a customer's orders, the API's lists) reads
its page number and size with ``page_state``, builds its links with ``url_with`` and reads a
page with ``paginate``, which never counts all rows: the total is exact when that is cheap,
else the planner's estimate, else a lower bound (see ``CountedPage``).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db import OperationalError, connections, transaction
from django.db.models import QuerySet
from django.http import QueryDict

from .counts import planner_row_estimate, table_row_estimate
from .paging import CountedPage, page_number

# Page sizes the lists offer; anything else falls back to the default.
PAGE_SIZES = (20, 50, 100)
DEFAULT_PAGE_SIZE = 50
# Up to this many matches a list counts them exactly (with a LIMIT, never a full scan): below
# it a count is cheap, and exact page links matter more ...
EXACT_COUNT_LIMIT = 10_000
# ... as long as counting takes no longer than this on PostgreSQL; past it, the total is the
# planner's estimate (when the filters allow a trustworthy one) or a lower bound.
COUNT_TIME_BUDGET_MS = 25
# A free-text search (``text_search=True``) has no usable estimate, and its count reads the
# table row by row (on orders, an OR of an id, a source ID pattern and a customer sub-select
# has no index plan): at a million orders even 300 matches take most of a second to count,
# so a count there is always cancelled and only slows the page down. The search is counted
# on tables up to this size (statistics' row count), under a smaller budget; past it the
# page shows the bound straight away.
SEARCH_COUNT_MAX_TABLE_ROWS = 100_000
SEARCH_COUNT_TIME_BUDGET_MS = 5


# --- the state in the query ------------------------------------------------------------------


@dataclass(frozen=True)
class PageState:
    """The page a list's query asks for, and why what it asked could not be shown."""

    number: int
    per_page: int
    page_problem: str | None = None  # ``?page=`` unreadable: page 1 is shown
    size_problem: str | None = None  # ``?per_page=`` not one of the sizes: the default

    @property
    def problems(self) -> list[str]:
        return [problem for problem in (self.page_problem, self.size_problem) if problem]


def page_state(query: QueryDict, *, noun: str = "row") -> PageState:
    """The page number and size ``query`` asks for; anything unreadable falls back to page 1
    or ``DEFAULT_PAGE_SIZE``, with a sentence saying so."""
    number, page_problem = page_number(query.get("page"))
    size_problem = None
    try:
        per_page = int(query.get("per_page", DEFAULT_PAGE_SIZE))
        if per_page not in PAGE_SIZES:
            raise ValueError
    except ValueError:
        sizes = ", ".join(map(str, PAGE_SIZES))
        size_problem = f"Show {sizes} {noun}s a page; '{query.get('per_page')}' is not one."
        per_page = DEFAULT_PAGE_SIZE
    return PageState(number, per_page, page_problem, size_problem)


def changed_query(query: QueryDict, **params: str | None) -> QueryDict:
    """``query`` changed by ``params`` (``None`` removes one); a new filter or sort starts
    again at page 1 unless ``page`` is given."""
    changed = query.copy()
    changed.pop("page", None)
    for name, value in params.items():
        if value is None:
            changed.pop(name, None)
        else:
            changed[name] = value
    return changed


def url_with(base: str, query: QueryDict, **params: str | None) -> str:
    """``base`` with ``query`` changed by ``params`` (see ``changed_query``), its parameters
    sorted and empty ones left out."""
    changed = changed_query(query, **params)
    pairs = [(k, v) for k, values in sorted(changed.lists()) for v in values if v != ""]
    return f"{base}?{urlencode(pairs)}" if pairs else base


# --- counting --------------------------------------------------------------------------------


def bounded_count(
    queryset: QuerySet, budget_ms: int | None = None, *, by_bitmap: bool = False
) -> int | None:
    """Count at most ``EXACT_COUNT_LIMIT + 1`` rows; ``None`` if that overruns the time budget
    (``COUNT_TIME_BUDGET_MS`` unless ``budget_ms`` says otherwise).

    The count runs under ``statement_timeout`` in a savepoint, so a count that would read a
    large part of the table is cancelled instead of slowing the page down. ``by_bitmap``: with
    index walks off, for filters whose matches a walk of an index meets late (see
    ``orders.selectors.NewestFirst``); PostgreSQL then collects them from the index that
    answers the filter.
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
            settings = {"statement_timeout": f"{max(1, int(budget))}ms"}
            if by_bitmap:
                settings |= {"enable_indexscan": "off", "enable_indexonlyscan": "off"}
            previous = _set_locally(cursor, settings)
            count = limited.count()
            if nested:
                _set_locally(cursor, previous)
            return count
    except OperationalError:
        # Cancelled by the timeout (psycopg's QueryCanceled); the savepoint was rolled back.
        return None


def _set_locally(cursor: Any, settings: dict[str, str]) -> dict[str, str]:
    """``SET LOCAL`` each of ``settings``; their values before."""
    names = list(settings)
    sql = ", ".join("current_setting(%s), set_config(%s, %s, true)" for _ in names)
    params = [part for name in names for part in (name, name, settings[name])]
    cursor.execute(f"SELECT {sql}", params)
    row = cursor.fetchone()
    return {name: row[2 * index] for index, name in enumerate(names)}


def _count_if_cheap(queryset: QuerySet, *, text_search: bool) -> int | None:
    """``bounded_count``, except for a text search on a large table (``None`` at once)."""
    if not text_search:
        return bounded_count(queryset)
    if (table_row_estimate(queryset.model, queryset.db) or 0) > SEARCH_COUNT_MAX_TABLE_ROWS:
        return None  # it would be cancelled; see SEARCH_COUNT_MAX_TABLE_ROWS
    return bounded_count(queryset, budget_ms=SEARCH_COUNT_TIME_BUDGET_MS)


# --- the page --------------------------------------------------------------------------------

RowReader = Callable[[QuerySet, int, int], Sequence[Any]]


def read_slice(queryset: QuerySet, offset: int, limit: int) -> list[Any]:
    """``limit`` rows of ``queryset`` from ``offset`` on, in one query."""
    return list(queryset[offset : offset + limit])


def paginate[P: CountedPage](
    queryset: QuerySet,
    *,
    number: int,
    per_page: int,
    page_class: type[P] = CountedPage,  # type: ignore[assignment]  # mypy: no TypeVar defaults
    read: RowReader = read_slice,
    estimable: bool = True,
    text_search: bool = False,
    estimated: int | None = None,
    counter: Callable[[QuerySet], int | None] | None = None,
) -> P:
    """Page ``number`` of ``queryset`` (already filtered and ordered), ``per_page`` rows, with
    what is known of the total; never a ``COUNT(*)`` over all matches.

    ``read(queryset, offset, limit)`` reads the rows (one more than the page, to know whether
    a next page exists). The last page tells the total for free. Otherwise the total is the
    planner's estimate when the filters are ``estimable`` (the caller knows whether
    PostgreSQL estimates them well; ``estimated`` when it asked already) and it is past
    ``EXACT_COUNT_LIMIT``; else it is counted, exactly when that is cheap (see
    ``bounded_count``; a ``text_search`` only on a small table, see
    ``SEARCH_COUNT_MAX_TABLE_ROWS``), else it is given as a lower bound. ``counter`` counts in
    place of ``bounded_count``, called after the rows are read.
    """
    offset = (number - 1) * per_page
    rows = list(read(queryset, offset, per_page + 1))
    has_next = len(rows) > per_page
    rows = rows[:per_page]
    count = estimate = at_least = None
    unordered = queryset.order_by()
    planned = None
    if estimable and has_next:
        # For filters PostgreSQL estimates well, a large estimate is shown as it is: counting
        # ten thousand matching rows exactly would cost more than the page itself.
        planned = estimated if estimated is not None else planner_row_estimate(unordered)
    if not has_next and (rows or number == 1):
        count = offset + len(rows)
    elif planned is not None and planned > EXACT_COUNT_LIMIT:
        estimate = planned
    else:
        if counter is not None:
            counted = counter(unordered)
        else:
            counted = _count_if_cheap(unordered, text_search=text_search)
        if counted is not None and counted <= EXACT_COUNT_LIMIT:
            count = counted
        elif counted is not None:
            at_least = EXACT_COUNT_LIMIT
        else:
            at_least = offset + len(rows) + 1  # the rows shown and the next page's first
    return page_class(
        rows=rows,
        number=number,
        per_page=per_page,
        has_next=has_next,
        count=count,
        estimate=estimate,
        at_least=at_least,
    )
