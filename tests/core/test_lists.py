"""The list framework (core.lists): page state from the query, links and ``paginate()``."""

import pytest
from django.http import QueryDict

from core import lists
from core.paging import MAX_PAGE
from orders.models import Order
from tests.factories import make_order

pytestmark = pytest.mark.django_db


def _orders(count: int) -> None:
    for _ in range(count):
        make_order(items=0)


def test_paginate_counts_exactly_when_cheap():
    # Given 25 orders, 10 a page
    _orders(25)
    queryset = Order.objects.order_by("-created_at", "-id")

    # When the first and the last page are read
    first = lists.paginate(queryset, number=1, per_page=10)
    last = lists.paginate(queryset, number=3, per_page=10)

    # Then both know the exact total, the first by a bounded count, the last for free
    assert (first.count, first.estimate, first.at_least) == (25, None, None)
    assert len(first.rows) == 10 and first.has_next and first.last_number == 3
    assert (last.count, len(last.rows), last.has_next) == (25, 5, False)
    assert last.total == 25 and last.count_label == "25 rows"


def test_paginate_shows_a_large_estimate_for_estimable_filters_only(monkeypatch):
    # Given a list the planner thinks is past the exact limit
    _orders(3)
    monkeypatch.setattr(lists, "EXACT_COUNT_LIMIT", 1)
    monkeypatch.setattr(lists, "planner_row_estimate", lambda queryset: 1_234_567)
    queryset = Order.objects.order_by("-id")

    # Then an estimable one shows the estimate; one that is not is counted (past the
    # limit: a bound at the limit)
    estimated = lists.paginate(queryset, number=1, per_page=1)
    assert (estimated.count, estimated.estimate) == (None, 1_234_567)
    assert estimated.total == 1_234_567 and estimated.count_label == "about 1.2 million rows"
    counted = lists.paginate(queryset, number=1, per_page=1, estimable=False)
    assert (counted.count, counted.estimate, counted.at_least) == (None, None, 1)
    # ... and an estimate the caller read already is not asked for again
    monkeypatch.setattr(lists, "planner_row_estimate", lambda queryset: pytest.fail("asked"))
    reused = lists.paginate(queryset, number=1, per_page=1, estimated=50_000)
    assert reused.estimate == 50_000


def test_paginate_gives_a_bound_when_the_count_overruns_its_budget(monkeypatch):
    # Given a count that is cancelled and no estimate
    _orders(25)
    monkeypatch.setattr(lists, "bounded_count", lambda queryset, budget_ms=None: None)
    monkeypatch.setattr(lists, "planner_row_estimate", lambda queryset: 0)

    # Then the total is at least the rows shown and the next page's first
    page = lists.paginate(Order.objects.order_by("-id"), number=2, per_page=10)
    assert (page.count, page.estimate, page.at_least) == (None, None, 21)
    assert page.count_label == "21+ rows" and page.start_index == 11 and page.end_index == 20


def test_paginate_reads_rows_with_the_callers_reader():
    _orders(3)
    calls = []

    def read(queryset, offset, limit):
        calls.append((offset, limit))
        return list(queryset.values_list("pk", flat=True)[offset : offset + limit])

    page = lists.paginate(Order.objects.order_by("id"), number=2, per_page=2, read=read)
    assert calls == [(2, 3)]  # one row more than the page, to know whether one follows
    assert page.rows == [Order.objects.order_by("id").last().pk] and page.count == 3


@pytest.mark.parametrize(
    ("query", "number", "per_page", "problems"),
    [
        ("", 1, lists.DEFAULT_PAGE_SIZE, 0),
        ("page=3&per_page=20", 3, 20, 0),
        ("page=abc", 1, lists.DEFAULT_PAGE_SIZE, 1),
        (f"page={MAX_PAGE + 1}", 1, lists.DEFAULT_PAGE_SIZE, 1),
        ("per_page=7", 1, lists.DEFAULT_PAGE_SIZE, 1),
        ("page=0&per_page=x", 1, lists.DEFAULT_PAGE_SIZE, 2),
    ],
)
def test_page_state_reads_the_query_and_says_what_it_could_not(query, number, per_page, problems):
    state = lists.page_state(QueryDict(query), noun="order")
    assert (state.number, state.per_page, len(state.problems)) == (number, per_page, problems)


def test_url_with_changes_the_query_and_starts_again_at_page_one():
    query = QueryDict("status=PAID&page=3&q=")
    assert lists.url_with("/x/", query, sort="-amount") == "/x/?sort=-amount&status=PAID"
    assert lists.url_with("/x/", query, page="4") == "/x/?page=4&status=PAID"
    assert lists.url_with("/x/", query, status=None) == "/x/"


def test_changed_query_keeps_repeated_values_and_drops_the_page():
    changed = lists.changed_query(QueryDict("status=PAID&status=SENT&page=2"), sort="amount")
    assert changed.getlist("status") == ["PAID", "SENT"] and changed["sort"] == "amount"
    assert "page" not in changed
