"""The order statistics stay exact whoever writes the orders (issue 20).

Every writer of orders (the dashboard, the admin, the API and its async import, the
``import_orders`` command, ``seed_demo`` and a raw TRUNCATE) changes orders here, and after
each change two things are compared with a plain aggregate over ``orders_order`` computed in
Python: the sums of ``insights_orderstats`` per (quarter-hour, status) and of
``insights_hourlyorderstats`` per (hour, status), and the figures ``order_insights`` answers
from them for filters of statuses and whole days in five time zones (UTC and Warsaw, whole
hours, from the hours; +5:30, +5:45 and St John's −3:30/−2:30 with its clock change, from
the quarter-hours).
"""

import json
import threading
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from io import StringIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.models import ApiKey
from imports.tasks import import_orders
from insights.models import HourlyOrderStats, OrderStats, TrackedKey
from insights.selectors import Insights, order_insights
from insights.services import track_metadata_keys
from metadata.models import MetadataProperty, MetadataSchema
from orders.filters import OrderFilter
from orders.models import Order, OrderStatus
from tests.api.conftest import ApiClient, make_client
from tests.factories import CustomerFactory, ProductFactory, make_order
from tests.orders.test_admin import IMPORT_HEADER, admin_url, change_form, order_form, upload
from tests.orders.test_create_wizard import items, save, to_summary
from tests.orders.test_order_detail import edit_data

pytestmark = pytest.mark.django_db

ZONES = [
    ZoneInfo("UTC"),
    ZoneInfo("Europe/Warsaw"),
    ZoneInfo("Asia/Kolkata"),
    ZoneInfo("Asia/Kathmandu"),
    ZoneInfo("America/St_Johns"),
]
# St John's moves its clocks on 2026-03-08 (−3:30 → −2:30): these days straddle it.
MARCH_7, MARCH_8 = date(2026, 3, 7), date(2026, 3, 8)

Sums = tuple[int, int, int, int]  # orders, amount, total_amount, total_discount_amount


@pytest.fixture(autouse=True)
def tracked_properties() -> None:
    """An order schema whose text and yes/no properties are counted per value (channel,
    gift), beside a list and a number that are not (tags, score)."""
    schema, _ = MetadataSchema.objects.get_or_create(related_object="order")
    for name, fields in {
        "channel": {"type": "string"},
        "gift": {"type": "boolean"},
        "tags": {"type": "string", "array": True},
        "score": {"type": "number"},
    }.items():
        MetadataProperty.objects.create(schema=schema, name=name, optional=True, **fields)
    assert track_metadata_keys().added == TRACKED


TRACKED = ["channel", "gift"]


# --- the plain aggregate, and the two comparisons -------------------------------------------


def quarter_hour(moment: datetime) -> datetime:
    moment = moment.astimezone(UTC)
    return moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)


def hour(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


QUARTERS, HOURS = "insights_orderstats", "insights_hourlyorderstats"


def stats_sums(table: str = QUARTERS) -> dict[tuple[datetime, str], Sums]:
    """A statistics table's sums per (quarter-hour or hour, status), groups of zeros left
    out."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT bucket, status, sum(orders), sum(amount), sum(total_amount), "
            f"sum(discount_amount) FROM {table} GROUP BY 1, 2"  # noqa: S608  # a constant
        )
        rows = cursor.fetchall()
    return {
        (bucket.astimezone(UTC), status): tuple(int(value) for value in sums)
        for bucket, status, *sums in rows
        if any(sums)
    }


def order_rows() -> list[tuple[datetime, str, int, int, int]]:
    return list(
        Order.objects.values_list(
            "created_at", "status", "amount", "total_amount", "total_discount_amount"
        )
    )


def order_sums(
    bucket: Callable[[datetime], datetime] = quarter_hour,
) -> dict[tuple[datetime, str], Sums]:
    """The same sums computed from the orders themselves, in Python."""
    sums: dict[tuple[datetime, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for created_at, status, amount, total, discount in order_rows():
        group = sums[bucket(created_at), status]
        for index, value in enumerate((1, amount, total, discount)):
            group[index] += value
    return {key: tuple(values) for key, values in sums.items()}  # type: ignore[misc]


def metadata_sums() -> dict[tuple[datetime, str, str, str], Sums]:
    """``insights_metadatastats``' sums per (hour, status, key, value as JSON text)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT bucket, status, key, value::text, sum(orders), sum(amount), "
            "sum(total_amount), sum(discount_amount) FROM insights_metadatastats "
            "GROUP BY 1, 2, 3, 4"
        )
        rows = cursor.fetchall()
    return {
        (bucket.astimezone(UTC), status, key, value): tuple(int(v) for v in sums)
        for bucket, status, key, value, *sums in rows
        if any(sums)
    }


def order_metadata_sums() -> dict[tuple[datetime, str, str, str], Sums]:
    """The same from the orders, in Python: each tracked key's value (None: not set)."""
    tracked = sorted(TrackedKey.objects.values_list("key", flat=True))
    sums: dict[tuple[datetime, str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for created_at, status, amount, total, discount, metadata in Order.objects.values_list(
        "created_at", "status", "amount", "total_amount", "total_discount_amount", "metadata"
    ):
        for key in tracked:
            value = json.dumps(metadata[key]) if key in metadata else None
            group = sums[hour(created_at), status, key, value]
            for index, number in enumerate((1, amount, total, discount)):
                group[index] += number
    return {key: tuple(values) for key, values in sums.items() if any(values)}  # type: ignore[misc]


def metadata_totals() -> dict[tuple[str, str, str], Sums]:
    """``insights_metadatatotals``' sums per (status, key, value as JSON text)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT status, key, value::text, sum(orders), sum(amount), sum(total_amount), "
            "sum(discount_amount) FROM insights_metadatatotals GROUP BY 1, 2, 3"
        )
        rows = cursor.fetchall()
    return {
        (status, key, value): tuple(int(v) for v in sums)
        for status, key, value, *sums in rows
        if any(sums)
    }


def order_metadata_totals() -> dict[tuple[str, str, str], Sums]:
    totals: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for (_hour, status, key, value), sums in order_metadata_sums().items():
        for index, number in enumerate(sums):
            totals[status, key, value][index] += number
    return {key: tuple(values) for key, values in totals.items() if any(values)}  # type: ignore[misc]


def assert_tables_exact() -> None:
    """The statistics tables equal the orders, per quarter-hour, per hour, and per hour and
    tracked metadata value, and per value in all."""
    assert stats_sums() == order_sums()
    assert stats_sums(HOURS) == order_sums(hour)
    assert metadata_sums() == order_metadata_sums()
    assert metadata_totals() == order_metadata_totals()


def stats_filters(zone: tzinfo) -> list[str]:
    """Filters the statistics answer (statuses and whole days), as the list's URL has them."""
    today = timezone.localdate(timezone=zone)
    return [
        "",
        "status=PAID&status=CANCELED",
        f"created_after={MARCH_7}&created_before={MARCH_8}",
        f"status=CREATED&status=PAID&created_after={today - timedelta(days=1)}"
        f"&created_before={today}",
        # one value of a tracked property: from the hours' values, in whole-hour zones
        "meta=channel:eq:web",
        "status=PAID&status=CANCELED&meta=gift:eq:yes",
        f"created_after={MARCH_7}&created_before={MARCH_8}&meta=channel:eq:store",
    ]


def plain_figures(
    rows: list[tuple[datetime, str, int, int, int]],
    zone: tzinfo,
    first: date | None = None,
    last: date | None = None,
) -> dict[str, Sums]:
    """Per status, the orders of ``rows`` created on days ``first`` to ``last`` in ``zone``."""
    figures: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for created_at, status, amount, total, discount in rows:
        day = created_at.astimezone(zone).date()
        if (first is None or day >= first) and (last is None or day <= last):
            for index, value in enumerate((1, amount, total, discount)):
                figures[status][index] += value
    return {status: tuple(values) for status, values in figures.items()}  # type: ignore[misc]


def in_range(rows: list[Any], start: datetime, end: datetime) -> list[Any]:
    return [row for row in rows if start <= row[0] < end]


def insight_figures(statuses: dict[str, Any]) -> dict[str, Sums]:
    return {
        status: (f.orders, f.amount, f.revenue, f.discount)
        for status, f in statuses.items()
        if (f.orders, f.amount, f.revenue, f.discount) != (0, 0, 0, 0)
    }


def totals(figures: dict[str, Sums]) -> tuple[int, int, int, int, int]:
    """orders, amount, revenue, discount, canceled: what ``Figures`` holds."""
    summed = [sum(values[index] for values in figures.values()) for index in range(4)]
    canceled = figures.get(OrderStatus.CANCELED, (0,))[0]
    return (*summed, canceled)  # type: ignore[return-value]


def figures_tuple(insights_figures: Any) -> tuple[int, int, int, int, int]:
    f = insights_figures
    return (f.orders, f.amount, f.revenue, f.discount, f.canceled)


def assert_strip_agrees(query: str, zone: tzinfo, *, from_stats: bool = True) -> None:
    """``order_insights`` for ``query`` answers from the statistics what the orders say
    (for a metadata value, only in a zone whole hours from UTC)."""
    data = QueryDict(query)
    insights: Insights = order_insights(
        OrderFilter(data, queryset=Order.objects.all(), zone=zone), zone=zone
    )
    where = f"{query!r} in {zone}"
    if "meta=" not in query:
        assert insights.from_stats is from_stats, where
    elif str(zone) == "UTC":
        assert insights.from_stats, where
    elif str(zone) != "Europe/Warsaw":  # Warsaw's clocks changed too often since 1999
        assert not insights.from_stats, where  # not whole hours: counted on the orders

    statuses = data.getlist("status")
    wanted = [condition.split(":") for condition in data.getlist("meta")]
    matching = {
        order.pk
        for order in Order.objects.all()
        if all(
            order.metadata.get(key) == {"yes": True}.get(value, value) for key, _eq, value in wanted
        )
    }
    rows = [
        row[1:]
        for row in Order.objects.values_list(
            "pk", "created_at", "status", "amount", "total_amount", "total_discount_amount"
        )
        if (not statuses or row[2] in statuses) and row[0] in matching
    ]
    after, before = data.get("created_after"), data.get("created_before")
    start = datetime.combine(date.fromisoformat(after), time(), zone) if after else None
    end = (
        datetime.combine(date.fromisoformat(before) + timedelta(days=1), time(), zone)
        if before
        else None
    )
    current = in_range(
        rows, start or datetime.min.replace(tzinfo=UTC), end or datetime.max.replace(tzinfo=UTC)
    )

    assert figures_tuple(insights.current) == totals(plain_figures(current, zone)), where
    # Each bar holds exactly the orders of its days, per status.
    days_shown = 0
    for bucket in insights.buckets:
        expected = plain_figures(current, zone, bucket.first, bucket.last)
        assert insight_figures(bucket.statuses) == expected, (where, bucket.first)
        days_shown += sum(values[0] for values in expected.values())
    assert days_shown == len(current), where

    if start is None:
        assert insights.previous is None, where
        return
    assert end is not None  # these filters always close their range
    previous = in_range(rows, start - (end - start), start)
    assert figures_tuple(insights.previous) == totals(plain_figures(previous, zone)), where


def assert_stats_exact() -> None:
    """The statistics equal the orders, per quarter-hour, per hour and in what the strip
    shows."""
    assert_tables_exact()
    for zone in ZONES:
        for query in stats_filters(zone):
            assert_strip_agrees(query, zone)


def stats_rows() -> int:
    return OrderStats.objects.count()


# --- orders around the midnights of every zone ----------------------------------------------


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.fixture
def orders_around_midnights() -> list[Order]:
    """Orders a few minutes either side of midnight in each zone, before and during the
    filtered days, in every status, with and without discounts."""
    made = [
        # Kolkata's midnight is 18:30 UTC, Kathmandu's 18:15.
        ("2026-03-06T18:10:00Z", OrderStatus.PAID, 1000, 0),
        ("2026-03-06T18:20:00Z", OrderStatus.PAID, 2000, 150),
        ("2026-03-06T18:35:00Z", OrderStatus.CANCELED, 3000, 0),
        # St John's midnight is 03:30 UTC before its clock change, 02:30 after.
        ("2026-03-07T03:25:00Z", OrderStatus.CREATED, 4000, 400),
        ("2026-03-07T03:35:00Z", OrderStatus.FULFILLED, 5000, 0),
        ("2026-03-08T23:55:00Z", OrderStatus.PAID, 6000, 600),
        ("2026-03-09T00:05:00Z", OrderStatus.CANCELED, 7000, 0),
        ("2026-03-09T02:25:00Z", OrderStatus.PAID, 8000, 0),
        ("2026-03-09T02:35:00Z", OrderStatus.CREATED, 9000, 900),
        # In the period before [7, 8 March] in every zone.
        ("2026-03-05T12:00:00Z", OrderStatus.PAID, 1100, 100),
        ("2026-03-06T12:14:59Z", OrderStatus.CANCELED, 1200, 0),
    ]
    return [
        make_order(items=0, amount=amount, discount_amount=discount, status=status,
                   created_at=at(created_at), metadata=METADATA[index % len(METADATA)])
        for index, (created_at, status, amount, discount) in enumerate(made)
    ]  # fmt: skip


# Values of the tracked properties (channel, gift), untracked ones beside them, and none.
METADATA: list[dict[str, Any]] = [
    {"channel": "web", "gift": True},
    {"channel": "store"},
    {},
    {"channel": "web", "gift": False, "tags": ["a"], "score": 3},
    {"channel": "store", "gift": True, "score": 12},
]


def test_the_statistics_start_exact_and_count_what_services_create(orders_around_midnights):
    # Given orders made through the service, then the statistics hold them
    assert len(stats_sums()) == len(
        {(quarter_hour(o.created_at), o.status) for o in orders_around_midnights}
    )
    assert_stats_exact()


@pytest.mark.parametrize(
    ("model", "zone"),
    [(OrderStats, ZoneInfo("Asia/Kolkata")), (HourlyOrderStats, ZoneInfo("Europe/Warsaw"))],
)
def test_the_comparison_notices_a_wrong_statistic(orders_around_midnights, model, zone):
    # Given exact statistics, when one quarter-hour (or hour) gains a row no order explains
    model.objects.create(
        bucket=at("2026-03-07T03:00:00Z"), status="PAID", orders=1, amount=1,
        total_amount=1, discount_amount=0,
    )  # fmt: skip

    # Then both comparisons see it: the table's, and the strip's in a zone it answers
    with pytest.raises(AssertionError):
        assert_tables_exact()
    with pytest.raises(AssertionError):
        assert_strip_agrees(f"created_after={MARCH_7}&created_before={MARCH_8}", zone)


@pytest.mark.parametrize(
    ("zone", "table"),
    [
        ("UTC", HOURS),
        ("Europe/Warsaw", HOURS),  # +1, +2 from 29 March at 01:00 UTC
        ("Asia/Kolkata", QUARTERS),  # +5:30
        ("America/St_Johns", QUARTERS),  # −3:30, −2:30
    ],
)
def test_a_zone_whole_hours_from_utc_is_summed_from_the_hours(orders_around_midnights, zone, table):
    # Given a year of orders across Warsaw's clock changes
    make_order(items=0, amount=100, created_at=at("2026-10-25T00:30:00Z"))
    # When the strip sums them without a filter and for two whole days
    for query in ["", f"created_after={MARCH_7}&created_before={MARCH_8}"]:
        with CaptureQueriesContext(connection) as queries:
            assert_strip_agrees(query, ZoneInfo(zone))
        # Then the days came from the table the zone's offsets allow
        sums = [q["sql"] for q in queries.captured_queries if "sum(orders)" in q["sql"]]
        assert sums and all(f"FROM {table}" in sql for sql in sums), sums


# --- the dashboard ----------------------------------------------------------------------------


def test_dashboard_writes_keep_the_statistics_exact(marketing_client, orders_around_midnights):
    # The Create order wizard
    summary = to_summary(
        marketing_client, details={"details-status": "PAID"}, cart=items(amount="12.34")
    )
    assert save(marketing_client, summary).status_code == 302
    created = Order.objects.get(amount=1234)
    assert created.status == OrderStatus.PAID
    assert_stats_exact()

    # Edit: a new cart (totals change) and a discount
    order = make_order(items=2)  # 1 × 10.00 + 2 × 20.00
    extra = ProductFactory(source_id="NEW-1")
    data = edit_data(
        order,
        **{
            "items-0-quantity": "3",
            "items-1-DELETE": "on",
            "items-2-reference": extra.source_id,
            "items-2-quantity": "1",
            "items-2-price": "5.25",
            "discount_amount": "1.25",
        },
    )
    assert marketing_client.post(f"/orders/{order.pk}/edit/", data).status_code == 302
    order.refresh_from_db()
    assert (order.amount, order.total_amount) == (3525, 3400)
    assert_stats_exact()

    # Status: Paid, then Canceled (a rollback, confirmed), then Fulfilled
    url = f"/orders/{created.pk}/status/"
    marketing_client.post(url, {"status": "CANCELED", "version": 1, "confirm": "on"})
    created.refresh_from_db()
    assert created.status == OrderStatus.CANCELED
    assert_stats_exact()
    marketing_client.post(url, {"status": "FULFILLED", "version": created.version})
    assert Order.objects.get(pk=created.pk).status == OrderStatus.FULFILLED
    assert_stats_exact()

    # Metadata only: the order changes, its statistics do not
    rows = stats_rows()
    response = marketing_client.post(
        f"/orders/{created.pk}/metadata/",
        {"key": "channel", "value": "web", "version": created.version + 1},
    )
    assert response.status_code == 302
    assert Order.objects.get(pk=created.pk).metadata == {"channel": "web"}
    assert stats_rows() == rows
    assert_stats_exact()


# --- the admin --------------------------------------------------------------------------------


def test_admin_writes_keep_the_statistics_exact(operator_client, orders_around_midnights):
    # Add
    response = operator_client.post(
        admin_url(Order, "add"), order_form(status="PAID", amount="7700", discount_amount="700")
    )
    assert response.status_code == 302
    added = Order.objects.get(amount=7700)
    assert_stats_exact()

    # Change: status and discount together, then amount
    response = operator_client.post(
        admin_url(Order, "change", added.pk),
        change_form(operator_client, added, status="CANCELED", discount_amount="1000"),
    )
    assert response.status_code == 302
    added.refresh_from_db()
    assert (added.status, added.total_amount) == (OrderStatus.CANCELED, 6700)
    assert_stats_exact()
    operator_client.post(
        admin_url(Order, "change", added.pk), change_form(operator_client, added, amount="9900")
    )
    assert Order.objects.get(pk=added.pk).amount == 9900
    assert_stats_exact()

    # Metadata only
    rows = stats_rows()
    operator_client.post(
        admin_url(Order, "change", added.pk),
        change_form(operator_client, added, metadata='{"channel": "pos"}'),
    )
    assert Order.objects.get(pk=added.pk).metadata == {"channel": "pos"}
    assert stats_rows() == rows

    # Bulk actions over orders of several quarter-hours, and a rollback confirmed
    selected = [o.pk for o in orders_around_midnights[:6]]
    for action in ("mark_paid", "mark_fulfilled", "mark_created"):
        operator_client.post(
            admin_url(Order, "changelist"), {"action": action, "_selected_action": selected}
        )
        assert_stats_exact()
    operator_client.post(
        admin_url(Order, "changelist"),
        {"action": "mark_canceled", "_selected_action": selected, "confirm": "yes"},
    )
    assert_stats_exact()

    # Delete one, then bulk delete
    operator_client.post(admin_url(Order, "delete", added.pk), {"post": "yes"})
    assert not Order.objects.filter(pk=added.pk).exists()
    assert_stats_exact()
    operator_client.post(
        admin_url(Order, "changelist"),
        {"action": "delete_selected", "_selected_action": selected[:3], "post": "yes"},
    )
    assert not Order.objects.filter(pk__in=selected[:3]).exists()
    assert_stats_exact()

    # Import: a dry run changes nothing; the confirmed import creates and updates
    make_order(source_id="imp-1", amount=7700, items=0)
    before = stats_sums()
    content = IMPORT_HEADER + "imp-1,CANCELED,,,,,\nimp-2,PAID,2500,500,,,\n"
    preview = upload(operator_client, content)
    assert stats_sums() == before
    operator_client.post(
        admin_url(Order, "process_import"), preview.context["confirm_form"].initial
    )
    assert Order.objects.get(source_id="imp-1").status == OrderStatus.CANCELED
    assert Order.objects.get(source_id="imp-2").total_amount == 2000
    assert_stats_exact()


# --- the API ----------------------------------------------------------------------------------


@pytest.fixture
def api_client(settings) -> ApiClient:
    settings.API_RATE_LIMIT_PER_MINUTE = 0
    cache.clear()
    key, token = ApiKey.issue("shop")
    return make_client(key, token)


def test_api_writes_keep_the_statistics_exact(api_client, orders_around_midnights):
    # Create, with a creation time of its own (one before the statistics' origin too)
    for payload in (
        {"source_id": "api-1", "status": "PAID", "amount": 4200, "discount_amount": 200,
         "created_at": "2026-03-07T00:05:00+05:45"},
        {"source_id": "api-2", "amount": 100, "created_at": "1999-12-31T23:59:59Z"},
        {"source_id": "api-3", "status": "CANCELED",
         "items": [{"source_id": "vase", "quantity": 2, "price": 1500}]},
    ):  # fmt: skip
        assert api_client.post_json("/v1/orders", payload).status_code == 200
    assert_stats_exact()

    # POST with a known source ID updates: status and amounts
    response = api_client.post_json(
        "/v1/orders", {"source_id": "api-1", "status": "CANCELED", "amount": 5000}
    )
    assert response.status_code == 200
    assert Order.objects.get(source_id="api-1").total_amount == 4800
    assert_stats_exact()

    # PUT: a new cart, a status, then metadata only
    response = api_client.put_json(
        "/v1/orders/api-3",
        {"status": "FULFILLED", "items": [{"source_id": "x", "quantity": 3, "price": 100}],
         "discount_amount": 50},
    )  # fmt: skip
    assert response.status_code == 200
    assert Order.objects.get(source_id="api-3").total_amount == 250
    assert_stats_exact()
    rows = stats_rows()
    assert api_client.put_json("/v1/orders/api-3", {"metadata": {"a": 1}}).status_code == 200
    assert stats_rows() == rows

    # The async import, run by its task: creates, updates (a creation time moved too)
    response = api_client.post_json(
        "/v1/orders/import",
        [
            {
                "source_id": "api-1",
                "status": "PAID",
                "amount": 5000,
                "created_at": "2026-03-08T23:50:00Z",
            },
            {"source_id": "api-2", "amount": 300, "created_at": "2026-03-09T02:29:00Z"},
            {"source_id": "api-4", "status": "PAID", "amount": 700},
            {"source_id": "api-5", "status": "LOST", "amount": 100},
        ],
    )
    action_id = response.json()["async_action_id"]
    import_orders.apply(args=[action_id])
    result = api_client.get(f"/v1/async-actions/{action_id}").json()["result"]
    assert (result["done_count"], result["failed_count"]) == (3, 1), result
    moved = Order.objects.get(source_id="api-2")
    assert (moved.amount, moved.created_at) == (300, at("2026-03-09T02:29:00Z"))
    assert Order.objects.get(source_id="api-1").status == OrderStatus.PAID
    assert Order.objects.filter(source_id="api-4").exists()
    assert_stats_exact()


# --- the import_orders command and seed_demo ----------------------------------------------------


def run_import(tmp_path: Path, orders: list[dict[str, Any]]) -> None:
    path = tmp_path / "orders.jsonl"
    path.write_text("".join(json.dumps(order) + "\n" for order in orders), encoding="utf-8")
    call_command(
        "import_orders", str(path), "--on-error=skip", stdout=StringIO(), stderr=StringIO()
    )


def test_the_import_command_keeps_the_statistics_exact(tmp_path, orders_around_midnights):
    cart = [{"product_id": "prod-1", "quantity": 2, "price": 1000}]
    first = [
        {"source_id": f"f-{n}", "status": status, "items": cart, "discount_amount": n * 10,
         "created_at": f"2026-03-0{7 + n % 3}T{(n * 5) % 24:02d}:{(n * 7) % 60:02d}:00Z",
         "metadata": {"channel": "web"}}
        for n, status in enumerate(["PAID", "CANCELED", "CREATED", "FULFILLED"] * 5)
    ]  # fmt: skip
    run_import(tmp_path, first)
    assert Order.objects.filter(source_id__startswith="f-").count() == 20
    assert_stats_exact()

    # Re-importing with metadata changed only: no statistics row added
    rows = stats_rows()
    run_import(tmp_path, [order | {"metadata": {"channel": "shop"}} for order in first])
    assert not Order.objects.filter(source_id__startswith="f-", metadata__channel="web").exists()
    assert stats_rows() == rows

    # Statuses, carts and creation times changed
    changed = [
        order | {"status": "CANCELED", "created_at": "2026-03-08T18:20:00Z"} if n % 2 else
        order | {"items": [{"product_id": "prod-1", "quantity": n + 1, "price": 333}]}
        for n, order in enumerate(first)
    ]  # fmt: skip
    run_import(tmp_path, changed)
    assert Order.objects.filter(created_at=at("2026-03-08T18:20:00Z")).count() == 10
    assert_stats_exact()


def test_seed_demo_keeps_the_statistics_exact(orders_around_midnights):
    # Given orders of the services, --flush empties everything, then COPY loads the demo
    call_command(
        "seed_demo", "--flush", orders=300, customers=40, seed=3, until="2026-03-09",
        chunk_size=70, stdout=StringIO(),
    )  # fmt: skip
    assert Order.objects.count() == 300
    assert_stats_exact()


def test_a_raw_truncate_empties_the_statistics(orders_around_midnights):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE orders_orderevent, orders_orderitem, orders_order")
    assert stats_rows() == 0
    assert_stats_exact()

    # and they count the orders that come after
    make_order(items=0, amount=100, created_at=at("2026-03-07T12:00:00Z"))
    assert_stats_exact()


# --- concurrent writers -----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_open_transactions_add_orders_to_one_quarter_hour_without_waiting():
    # Given one transaction that has created an order and stays open
    moment = at("2026-03-07T12:01:00Z")
    first_written, second_done = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with transaction.atomic():
                make_order(source_id="first", items=0, amount=100, created_at=moment)
                first_written.set()
                # Open until the second has committed (or given up).
                assert second_done.wait(timeout=60)
        except BaseException as error:  # noqa: BLE001  # reported by the main thread
            errors.append(error)
        finally:
            first_written.set()
            connections.close_all()

    def second() -> None:
        try:
            assert first_written.wait(timeout=60)
            with transaction.atomic(), connection.cursor() as cursor:
                # Any wait for a lock fails at once instead of waiting for the first.
                cursor.execute("SET LOCAL lock_timeout = '200ms'")
                make_order(source_id="second", items=0, amount=200, created_at=moment)
        except BaseException as error:  # noqa: BLE001  # reported by the main thread
            errors.append(error)
        finally:
            second_done.set()
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then the second committed while the first was still open, and both are counted
    assert errors == []
    assert Order.objects.count() == 2
    assert (
        stats_sums() == order_sums() == {(at("2026-03-07T12:00:00Z"), "CREATED"): (2, 300, 300, 0)}
    )


# --- where the statistics cannot answer alone (insights/selectors.py) ---------------------------


def test_the_period_before_an_open_range_counts_every_order(monkeypatch):
    # Given an order early in the period before [8 March, now)
    make_order(items=0, amount=500, created_at=at("2026-03-06T11:55:00Z"))
    make_order(items=0, amount=700, created_at=at("2026-03-08T10:00:00Z"))
    # When the strip is asked at 12:07, 9 March, for orders created from 8 March on
    monkeypatch.setattr(timezone, "now", lambda: at("2026-03-09T12:07:00Z"))
    zone = ZoneInfo("UTC")
    insights = order_insights(
        OrderFilter(QueryDict("created_after=2026-03-08"), queryset=Order.objects.all(), zone=zone),
        zone=zone,
    )

    # Then the period before, [6 March 11:53, 8 March), holds that order
    assert insights.from_stats
    assert (insights.current.orders, insights.previous.orders) == (1, 1)


def test_the_strip_counts_only_the_orders_of_its_queryset():
    customer = CustomerFactory()
    make_order(items=0, amount=500, customer=customer)
    make_order(items=0, amount=700)
    zone = ZoneInfo("UTC")

    for queryset, expected in ((Order.objects.none(), 0), (customer.orders.all(), 1)):
        insights = order_insights(
            OrderFilter(QueryDict(""), queryset=queryset, zone=zone), zone=zone
        )
        assert insights.current.orders == expected


def test_days_of_an_old_offset_count_every_order():
    # St John's midnight of 15 January 1930 was 03:30:52 UTC: this order is 8 s past it
    make_order(items=0, amount=500, created_at=at("1930-01-15T03:31:00Z"))
    zone = ZoneInfo("America/St_Johns")
    # Then the strip reads those days from the orders, and counts it
    assert_strip_agrees(
        "created_after=1930-01-15&created_before=1930-01-15", zone, from_stats=False
    )
