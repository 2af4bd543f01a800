"""The insights strip (/orders/insights/): its figures are the list's, for any filter."""

import re
from datetime import UTC, date, datetime, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.lists import changed_query
from core.models import UserPreference
from customers.models import Segment
from customers.segments import clean_conditions
from insights.selectors import (
    buckets_for,
    local_day_sql,
    offset_changes,
    on_whole_hours,
    order_insights,
)
from metadata.models import MetadataProperty, MetadataSchema
from orders.actors import Actor
from orders.filters import OrderFilter
from orders.list_links import list_url, list_url_maker
from orders.models import Order, OrderStatus
from orders.services import change_order_status
from tests.factories import CustomerFactory, make_order

pytestmark = pytest.mark.django_db
STRIP = reverse("order-insights")


def figure(html: str, name: str) -> str:
    """The value shown for the figure ``name`` (``orders``, ``revenue``, ...)."""
    match = re.search(
        rf'data-figure="{name}">.*?<span class="insight-value">([^<]*)</span>', html, re.S
    )
    assert match, f"no figure {name}"
    return unescape(match.group(1))


def change_of(html: str, name: str) -> str:
    match = re.search(
        rf'data-figure="{name}">.*?<span class="insight-change[^"]*">([^<]*)<', html, re.S
    )
    return unescape(match.group(1)) if match else ""


@pytest.fixture
def orders(db):
    """Orders on three days of March 2026 (UTC), two statuses, two channels."""
    made = []
    for day, amount, status, channel in [
        (1, 10_000, OrderStatus.PAID, "web"),
        (1, 20_000, OrderStatus.CREATED, "web"),
        (2, 30_000, OrderStatus.PAID, "store"),
        (3, 40_000, OrderStatus.CANCELED, "web"),
    ]:
        made.append(
            make_order(
                amount=amount,
                status=status,
                metadata={"channel": channel},
                created_at=datetime(2026, 3, day, 12, tzinfo=UTC),
            )
        )
    return made


def test_the_strip_sums_the_orders_the_list_shows(marketing_client, orders):
    html = marketing_client.get(STRIP).content.decode()
    assert figure(html, "orders") == "4"
    assert figure(html, "revenue") == "$1,000.00"
    assert figure(html, "average-order") == "$250.00"
    assert figure(html, "canceled") == "25.0 %"
    # With a filter: the same filter the list reads.
    html = marketing_client.get(STRIP, {"status": "PAID"}).content.decode()
    assert figure(html, "orders") == "2"
    assert figure(html, "revenue") == "$400.00"
    html = marketing_client.get(STRIP, {"meta": "channel:eq:store"}).content.decode()
    assert figure(html, "orders") == "1"
    list_page = marketing_client.get(reverse("orders:list"), {"meta": "channel:eq:store"})
    assert list_page.context["page"].count == 1


def test_a_created_range_is_compared_with_the_period_before(marketing_client, orders):
    # 2–3 March against 28 February–1 March: 2 orders (700.00) against 2 (300.00).
    html = marketing_client.get(
        STRIP, {"created_after": "2026-03-02", "created_before": "2026-03-03"}
    ).content.decode()
    assert figure(html, "orders") == "2"
    assert change_of(html, "orders") == "no change"
    assert figure(html, "revenue") == "$700.00"
    assert change_of(html, "revenue") == "+133.3 %"
    assert change_of(html, "canceled") == "+50.0 pts"
    assert "against 28 Feb 2026 – 1 Mar 2026" in html


def test_without_a_range_there_is_nothing_to_compare(marketing_client, orders):
    html = marketing_client.get(STRIP).content.decode()
    assert change_of(html, "orders") == ""
    assert "Choose a Created range to compare" in html


def test_each_bar_part_links_to_the_list_narrowed_to_its_day_and_status(marketing_client, orders):
    html = unescape(marketing_client.get(STRIP, {"meta": "channel:eq:web"}).content.decode())
    links = re.findall(r'<a href="([^"]+)" data-status="(\w+)" data-first="([\d-]+)"', html)
    # Orders and revenue charts: a part per (day, status) with orders, in each chart.
    assert len(links) == 2 * 3
    url, status, first = links[0]
    query = QueryDict(url.partition("?")[2])
    assert query.getlist("status") == [status]
    assert query["created_after"] == query["created_before"] == first
    assert query.getlist("meta") == ["channel:eq:web"]
    narrowed = marketing_client.get(url)
    assert narrowed.context["page"].count == 1


def test_days_are_the_users_days(marketing_client, marketing_user, orders):
    # 23:30 UTC on 3 March is 4 March in Berlin.
    make_order(amount=1_000, created_at=datetime(2026, 3, 3, 23, 30, tzinfo=UTC))
    UserPreference.objects.create(user=marketing_user, time_zone="Europe/Berlin")
    html = marketing_client.get(
        STRIP, {"created_after": "2026-03-04", "created_before": "2026-03-04"}
    ).content.decode()
    assert figure(html, "orders") == "1"


def test_the_top_values_of_a_chosen_property(marketing_client, orders):
    schema = MetadataSchema.objects.create(related_object="order")
    MetadataProperty.objects.create(schema=schema, name="channel", type="string")
    html = marketing_client.get(STRIP, {"part": "top", "by": "channel"}).content.decode()
    rows = re.findall(r'<tr><td><a href="([^"]+)">([^<]+)</a></td><td class="num">(\d+)<', html)
    assert [(value, int(n)) for _, value, n in rows] == [("web", 3), ("store", 1)]
    narrowed = marketing_client.get(unescape(rows[1][0]))
    assert narrowed.context["page"].count == 1


def test_an_invalid_filter_is_left_out_as_the_list_leaves_it_out(marketing_client, orders):
    response = marketing_client.get(STRIP, {"created_after": "not a date", "status": "PAID"})
    assert response.status_code == 200
    assert figure(response.content.decode(), "orders") == "2"


def test_people_who_may_not_see_orders_get_no_strip(outsider_client, client, orders):
    assert outsider_client.get(STRIP).status_code == 403
    assert client.get(STRIP).status_code == 302


def test_the_list_page_asks_for_the_strip_of_its_filters(marketing_client, orders):
    html = marketing_client.get(reverse("orders:list"), {"status": "PAID"}).content.decode()
    assert f'hx-get="{STRIP}?status=PAID"' in unescape(html)


@pytest.mark.parametrize(
    "zone",
    [
        "UTC",
        "Asia/Kolkata",
        "Asia/Kathmandu",
        "America/St_Johns",
        "Europe/Warsaw",
        "Australia/Lord_Howe",
    ],
)
def test_statistics_and_orders_give_the_same_figures_in_every_zone(orders, zone):
    """The statistics table (statuses and days only) and the orders themselves (any other
    filter, here a customer presence test that every order passes) agree, across changes
    of the zone's offset (St John's, Warsaw and Lord Howe's half-hour one)."""
    tz = ZoneInfo(zone)
    make_order(amount=7_700, created_at=datetime(2026, 3, 1, 18, 20, tzinfo=UTC))
    # Ten minutes either side of local midnight, around the clock changes of 2026 (St John's
    # 8 March, Warsaw 29 March and 25 October, Lord Howe 5 April and 4 October): an offset
    # read at the wrong moment puts these orders on the wrong day.
    for month, day in ((3, 7), (3, 9), (3, 28), (3, 30), (4, 4), (4, 6), (10, 3), (10, 5),
                       (10, 24), (10, 26), (11, 1)):  # fmt: skip
        midnight = datetime(2026, month, day, tzinfo=tz)
        for minutes in (-10, 10):
            make_order(amount=1_100, created_at=midnight + timedelta(minutes=minutes))
    change_order_status(orders[0].pk, OrderStatus.FULFILLED, actor=Actor.system("tests"))
    for data in ({}, {"created_after": "2026-03-01", "created_before": "2026-03-02"}):
        query = QueryDict(mutable=True)
        query.update(data)
        by_stats = order_insights(
            OrderFilter(query, queryset=Order.objects.all(), zone=tz), zone=tz
        )
        assert by_stats.from_stats
        query["has_customer"] = "false"
        by_orders = order_insights(
            OrderFilter(query, queryset=Order.objects.all(), zone=tz), zone=tz
        )
        assert not by_orders.from_stats
        assert by_stats.current == by_orders.current
        assert by_stats.buckets == by_orders.buckets
        assert by_stats.previous == by_orders.previous


def test_long_ranges_are_drawn_per_week_then_per_month():
    rows = [(date(2026, 1, 1), "PAID", 1, 100, 100, 0), (date(2026, 3, 31), "PAID", 2, 50, 50, 0)]
    granularity, buckets = buckets_for(rows, None, None)
    assert granularity == "day" and len(buckets) == 90
    granularity, buckets = buckets_for(rows, date(2025, 12, 1), date(2026, 3, 31))
    assert granularity == "week"
    assert buckets[0].first == date(2025, 12, 1) and buckets[-1].last == date(2026, 3, 31)
    assert sum(b.total.orders for b in buckets) == 3
    granularity, buckets = buckets_for(rows, date(2023, 1, 15), None)
    assert granularity == "month"
    assert buckets[0].first == date(2023, 1, 15) and buckets[0].last == date(2023, 1, 31)
    assert buckets[-1].first == date(2026, 3, 1)
    assert timedelta(0) <= buckets[-1].last - buckets[-1].first


def test_a_segments_page_shows_the_strip_of_its_members_orders(marketing_client, orders):
    member = CustomerFactory(email="vip@shop.example")
    make_order(
        amount=99_900,
        status=OrderStatus.PAID,
        customer=member,
        created_at=datetime(2026, 3, 2, 9, tzinfo=UTC),
    )
    segment = Segment.objects.create(
        name="VIPs", conditions=clean_conditions({"min_total_spent": 50_000})
    )
    page = marketing_client.get(reverse("customers:segment-detail", args=[segment.pk]))
    assert f'hx-get="{STRIP}?segment={segment.pk}"' in page.content.decode()
    html = marketing_client.get(STRIP, {"segment": segment.pk}).content.decode()
    assert figure(html, "orders") == "1"
    assert figure(html, "revenue") == "$999.00"


@pytest.mark.django_db(transaction=True)
def test_the_strip_holds_no_lock_between_its_statements(marketing_client, orders):
    """A TRUNCATE of the orders (which empties the statistics too) must be able to wait for
    the strip's current statement: a transaction around them all would hold the orders while
    asking for the statistics, the other way round from the TRUNCATE, and deadlock."""
    from django.db import connection

    seen: list[bool] = []

    def note_transaction(execute, sql, params, many, context):
        seen.append(connection.in_atomic_block)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(note_transaction):
        html = marketing_client.get(STRIP, {"status": "PAID"}).content.decode()
    assert figure(html, "orders") == "2"
    assert seen and not any(seen)
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "on"  # reset for the connection's next user


def test_a_zones_offsets_are_found_to_the_second_and_many_fall_back_to_its_rules():
    warsaw = ZoneInfo("Europe/Warsaw")
    changes = offset_changes(
        warsaw, datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 12, 31, tzinfo=UTC)
    )
    assert changes == [
        (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), timedelta(hours=2)),
        (datetime(2026, 10, 25, 1, 0, tzinfo=UTC), timedelta(hours=1)),
    ]
    sql, params = local_day_sql(
        warsaw, datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 12, 31, tzinfo=UTC)
    )
    assert sql.count("WHEN") == 2 and params[-1] == timedelta(hours=1)
    # Thirty years of daylight saving time: PostgreSQL's own rules, once per row
    sql, params = local_day_sql(
        warsaw, datetime(1996, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)
    )
    assert sql == "(bucket AT TIME ZONE %s)::date" and params == ["Europe/Warsaw"]
    assert local_day_sql(
        ZoneInfo("Asia/Kolkata"), datetime(2000, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)
    ) == ("(bucket + %s)::date", [timedelta(hours=5, minutes=30)])


def test_only_a_zone_whole_hours_from_utc_throughout_is_summed_from_the_hours():
    def whole_hours(zone: str, first: str, last: str, *bounds: str) -> bool:
        moments = [datetime.fromisoformat(text) for text in (first, last, *bounds)]
        return on_whole_hours(ZoneInfo(zone), moments[0], moments[1], [*moments[2:], None])

    assert whole_hours("Europe/Warsaw", "2024-01-01T00:00Z", "2026-01-01T00:00Z")
    assert whole_hours("UTC", "2024-01-01T00:00Z", "2026-01-01T00:00Z", "2024-01-01T00:00Z")
    assert not whole_hours("Asia/Kolkata", "2024-01-01T00:00Z", "2026-01-01T00:00Z")
    # Caracas: −4:30 until 1 May 2016, −4:00 since
    assert not whole_hours("America/Caracas", "2016-01-01T00:00Z", "2017-01-01T00:00Z")
    assert whole_hours("America/Caracas", "2016-06-01T00:00Z", "2017-01-01T00:00Z")
    # A range bound inside an hour
    assert not whole_hours("UTC", "2024-01-01T00:00Z", "2026-01-01T00:00Z", "2024-01-01T00:30Z")
    # Thirty years of clock changes: too many to write out, so the quarter-hours answer
    assert not whole_hours("Europe/Warsaw", "1996-01-01T00:00Z", "2026-01-01T00:00Z")


@pytest.mark.parametrize(
    "base",
    [
        "",
        "status=PAID&status=CANCELED&q=jansen&page=3",
        "sort=-created_at&source_id_match=is&meta=channel:eq:web&meta=gift:eq:yes",
        "created_after=2026-01-01&created_before=2026-01-31&customer=C-1&sort=amount",
        "filters[source_id][conditions][$in][10]=b&filters[source_id][conditions][$in][2]=a"
        "&filters[junction]=or&amount_min=&zone=%C3%A9",
    ],
)
def test_the_charts_links_are_the_lists_own(base):
    # Hundreds of bars' links, each written from a canonical base once
    query = QueryDict(base)
    days = list_url_maker(query, ("created_after", "created_before"))
    status = list_url_maker(query, ("created_after", "created_before", "status"))
    for first, last, state in [
        ("2026-03-01", "2026-03-07", None),
        ("2026-03-01", "2026-03-01", "PAID"),
        ("0001-01-01", "9999-12-31", "CANCELED"),
    ]:
        expected = changed_query(query, created_after=first, created_before=last)
        if state is None:
            made = days(created_after=first, created_before=last)
        else:
            expected.setlist("status", [state])
            made = status(created_after=first, created_before=last, status=state)
        assert made == list_url(expected)


@pytest.fixture
def searched_orders(db):
    """Orders a search for "jansen" finds by their customer, by their source ID, or both."""
    jansen = CustomerFactory(name="Sanne Jansen", email="sanne@mail.example")
    other = CustomerFactory(name="Piet Vos", email="piet@vos.example")
    moment = datetime(2026, 3, 1, 12, tzinfo=UTC)
    specs = [
        (jansen, "A-1", OrderStatus.PAID, 1_000),  # by customer
        (jansen, "JANSEN-2", OrderStatus.CANCELED, 2_000),  # by customer and source ID
        (other, "jansen-3", OrderStatus.PAID, 4_000),  # by source ID, another customer
        (None, "x-jansen-4", OrderStatus.CREATED, 8_000),  # by source ID, no customer
        (other, "B-5", OrderStatus.PAID, 16_000),  # not found
        (None, None, OrderStatus.PAID, 32_000),  # not found
    ]
    made = []
    for day, (customer, source_id, status, amount) in enumerate(specs):
        order = make_order(customer=customer, source_id=source_id, amount=amount, items=0)
        Order.objects.filter(pk=order.pk).update(
            status=status, created_at=moment + timedelta(days=day % 2)
        )
        made.append(order)
    return made


@pytest.mark.parametrize(
    "query", ["q=jansen", "q=JANSEN-2", "q=jansen&status=PAID", "q=vos", "q=jansen&customer=vos"]
)
def test_a_searchs_two_parts_are_disjoint_and_are_its_orders(searched_orders, query):
    filterset = OrderFilter(QueryDict(query), queryset=Order.objects.all())
    listed = set(filterset.qs.values_list("pk", flat=True))
    by_customer, others = (
        set(part.values_list("pk", flat=True)) for part in filterset.search_parts()
    )

    assert by_customer.isdisjoint(others)
    assert by_customer | others == listed
    if query == "q=jansen":  # each part holds something, the order found both ways once
        assert len(by_customer) == 2 and len(others) == 2


def test_a_search_without_words_has_no_parts(searched_orders):
    assert OrderFilter(QueryDict("q=%25"), queryset=Order.objects.all()).search_parts() is None
    assert (
        OrderFilter(QueryDict("status=PAID"), queryset=Order.objects.all()).search_parts() is None
    )


@pytest.mark.parametrize(
    "query",
    [
        "q=jansen",
        "q=jansen&status=PAID",
        "q=jansen&created_after=2026-03-02&created_before=2026-03-02",
        "q=nobody",
    ],
)
def test_a_customer_searchs_strip_sums_each_order_once(searched_orders, query):
    filterset = OrderFilter(QueryDict(query), queryset=Order.objects.all())
    listed = list(filterset.qs)
    insights = order_insights(filterset, zone=UTC)

    assert insights.current.orders == len(listed)
    assert insights.current.revenue == sum(order.total_amount for order in listed)
    shown = {
        (bucket.first, status): figures.orders
        for bucket in insights.buckets
        for status, figures in bucket.statuses.items()
        if figures.orders
    }
    expected: dict[tuple[date, str], int] = {}
    for order in listed:
        key = (order.created_at.date(), order.status)
        expected[key] = expected.get(key, 0) + 1
    assert shown == expected


def test_a_customer_searchs_period_before_sums_each_order_once(searched_orders):
    query = "q=jansen&created_after=2026-03-02&created_before=2026-03-02"
    insights = order_insights(OrderFilter(QueryDict(query), queryset=Order.objects.all()), zone=UTC)

    # 1 March: the two orders found by customer, and "x-jansen-4" by its source ID
    earlier = OrderFilter(
        QueryDict("q=jansen&created_after=2026-03-01&created_before=2026-03-01"),
        queryset=Order.objects.all(),
    )
    assert insights.previous is not None
    assert insights.previous.orders == earlier.qs.count() == 2
    assert insights.current.orders == 2


@pytest.mark.django_db(transaction=True)  # VACUUM runs outside a transaction
def test_a_customer_searchs_strip_reads_the_customers_orders_from_the_index_alone(
    searched_orders,
):
    filterset = OrderFilter(QueryDict("q=jansen"), queryset=Order.objects.all())
    with CaptureQueriesContext(connection) as queries:
        order_insights(filterset, zone=UTC)
    [summed] = [query["sql"] for query in queries.captured_queries if "UNION ALL" in query["sql"]]
    with connection.cursor() as cursor:
        # The table's pages all visible, as autovacuum leaves most of a large table
        cursor.execute("VACUUM (ANALYZE) orders_order")
    with transaction.atomic(), connection.cursor() as cursor:
        # On tables this small a scan would do; leave the planner only index look-ups
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN {summed}")
        plan = "\n".join(row[0] for row in cursor.fetchall())

    # The orders found by customer are read from order_customer_idx, never the table
    assert "Index Only Scan using order_customer_idx" in plan, plan
