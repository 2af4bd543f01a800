"""The first pages of a source ID pattern, newest first (``orders.selectors.NewestFirst``):
looked for among the newest orders, else among every match sorted, always the page a plain
walk of the newest first gives, on the API's list and the dashboard's."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, transaction
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from core import lists
from core.models import ApiKey
from orders import selectors
from orders.filters import OrderFilter
from orders.models import Order
from orders.selectors import NewestFirst, order_ids_page
from tests.api.conftest import make_client
from tests.factories import make_order

pytestmark = pytest.mark.django_db

START = datetime(2026, 1, 1, tzinfo=UTC)
# Sorted by a copy of the creation time: the sign of the read that sorts every match
UNINDEXED = "+ '0:00:00'::interval"


@pytest.fixture
def orders(monkeypatch) -> list[Order]:
    """Twelve orders, "OLD-…" the first six, "NEW-…" the last six (two created at once)."""
    monkeypatch.setattr(selectors, "PROBE_ORDERS", 4)  # the newest four are looked at first
    made = []
    for index in range(12):
        prefix = "OLD" if index < 6 else "NEW"
        moment = START + timedelta(hours=min(index, 10))
        made.append(
            make_order(
                amount=100 + index, items=0, source_id=f"{prefix}-{index}", created_at=moment
            )
        )
    return made


def plain_walk(query: str) -> list[str]:
    filterset = OrderFilter(QueryDict(query), queryset=Order.objects.all())
    return list(filterset.qs.values_list("pk", flat=True))


QUERIES = [
    "filters[source_id][conditions][$contains][0]=old",
    "filters[source_id][conditions][$starts_with][0]=NEW",
    "filters[source_id][conditions][$ends_with][0]=1",
    "filters[source_id][conditions][$contains][0]=-",
    "filters[source_id][conditions][$contains][0]=zzz",
    "filters[source_id][conditions][$not_contain][0]=new",
    "source_id=old&source_id_match=contains",
    "filters[junction]=or&filters[source_id][conditions][$contains][0]=old"
    "&filters[amount][conditions][$is][0]=111",
]


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("per_page", [1, 2, 5])
def test_each_page_is_the_page_of_the_plain_walk(orders, query, per_page):
    filterset = OrderFilter(QueryDict(query), queryset=Order.objects.all())
    assert filterset.matches_source_id_pattern
    expected = plain_walk(query)
    pages = []
    for number in range(1, 5):
        page = order_ids_page(
            filterset.qs, number=number, per_page=per_page, source_id_pattern=True
        )
        pages += page.rows
        assert page.has_next == (len(expected) > number * per_page)
    assert pages == expected[: 4 * per_page]


@pytest.mark.parametrize("query", QUERIES)
def test_with_fewer_orders_than_are_looked_at_every_match_is_sorted(orders, query, monkeypatch):
    monkeypatch.setattr(selectors, "PROBE_ORDERS", 50)  # more than the twelve orders
    filterset = OrderFilter(QueryDict(query), queryset=Order.objects.all())
    with CaptureQueriesContext(connection) as queries:
        page = order_ids_page(filterset.qs, number=1, per_page=3, source_id_pattern=True)
    assert page.rows == plain_walk(query)[:3]
    assert any(UNINDEXED in query["sql"] for query in queries)


def test_old_matches_are_sorted_from_every_match_and_new_ones_walked(orders):
    old = OrderFilter(QueryDict(QUERIES[0]), queryset=Order.objects.all())
    with CaptureQueriesContext(connection) as queries:
        page = order_ids_page(old.qs, number=1, per_page=2, source_id_pattern=True)
    assert page.rows == plain_walk(QUERIES[0])[:2]
    assert any(UNINDEXED in query["sql"] for query in queries)

    new = OrderFilter(QueryDict(QUERIES[1]), queryset=Order.objects.all())
    with CaptureQueriesContext(connection) as queries:
        page = order_ids_page(new.qs, number=1, per_page=2, source_id_pattern=True)
    assert page.rows == plain_walk(QUERIES[1])[:2]
    assert not any(UNINDEXED in query["sql"] for query in queries)


def test_the_api_and_the_dashboard_read_a_pattern_this_way(
    orders, marketing_client, settings, monkeypatch
):
    settings.API_RATE_LIMIT_PER_MINUTE = 0
    key, token = ApiKey.issue("shop")
    api_client = make_client(key, token)
    with CaptureQueriesContext(connection) as queries:
        response = api_client.get(f"/v1/orders?limit=2&{QUERIES[0]}")
    assert [order["id"] for order in response.json()["orders"]] == plain_walk(QUERIES[0])[:2]
    assert any(UNINDEXED in query["sql"] for query in queries)

    # The dashboard's pages are read the same way
    reads = []
    original = NewestFirst.read

    def spy(self, queryset, offset, limit):
        reads.append((offset, limit))
        return original(self, queryset, offset, limit)

    monkeypatch.setattr(NewestFirst, "read", spy)
    response = marketing_client.get(f"/orders/?{QUERIES[0]}")
    assert response.status_code == 200 and reads == [(0, 51)]  # 50 a page, and one more
    for pk in plain_walk(QUERIES[0]):
        assert pk in response.content.decode()


def test_other_sorts_and_deep_pages_are_read_as_they_always_were(orders):
    reader = NewestFirst(lists.read_slice)
    by_amount = Order.objects.order_by("-amount", "-id")
    expected = [order.pk for order in by_amount[:3]]
    with CaptureQueriesContext(connection) as queries:
        assert [order.pk for order in reader.read(by_amount, 0, 3)] == expected
    assert len(queries) == 1 and not reader.sorted_every_match

    newest = Order.objects.order_by("-created_at", "-id")
    with CaptureQueriesContext(connection) as queries:
        assert len(reader.read(newest, 4, 2)) == 2  # past the newest four
    assert len(queries) == 1 and not reader.sorted_every_match


def test_counting_by_bitmap_puts_the_settings_back_inside_a_transaction(orders):
    with transaction.atomic(), connection.cursor() as cursor:
        assert lists.bounded_count(Order.objects.all(), by_bitmap=True) == 12
        cursor.execute(
            "SELECT current_setting('enable_indexscan'), current_setting('enable_indexonlyscan')"
        )
        assert cursor.fetchone() == ("on", "on")
        cursor.execute("SELECT current_setting('statement_timeout')")
        assert cursor.fetchone()[0] == "0"
