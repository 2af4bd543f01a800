"""Order statistics per metadata value (issue 20): which properties are counted, and the
strip's figures and top values from them agree with the orders themselves.

The writers (dashboard, admin, API, importer, ``seed_demo``, TRUNCATE) keep them exact in
tests/insights/test_order_stats.py, which compares them after every write."""

from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from insights.models import MetadataStats, MetadataTotals, TrackedKey
from insights.selectors import order_insights, top_values
from insights.services import Tracking, compact_order_stats, track_metadata_keys
from metadata.models import MetadataProperty, MetadataSchema
from orders.filters import OrderFilter
from orders.models import Order, OrderStatus
from orders.services import change_order_status
from tests.factories import make_order
from tests.insights.test_compaction import (
    SYSTEM,
    Backend,
    blocked_or_done,
    busy_history,
    compaction_held_inside_its_statement,
)
from tests.insights.test_order_stats import (
    METADATA,
    assert_tables_exact,
    at,
    metadata_sums,
    order_metadata_sums,
)

pytestmark = pytest.mark.django_db


def add_property(name: str, **fields: Any) -> MetadataProperty:
    schema, _ = MetadataSchema.objects.get_or_create(related_object="order")
    return MetadataProperty.objects.create(schema=schema, name=name, optional=True, **fields)


@pytest.fixture
def orders() -> list[Order]:
    """Orders over two days in every status, with the values of ``METADATA`` in turn."""
    made = []
    for index in range(20):
        made.append(
            make_order(
                items=0,
                amount=1000 + index,
                discount_amount=index % 3 * 10,
                status=list(OrderStatus)[index % 4],
                created_at=at("2026-03-07T00:00:00Z").replace(hour=index % 24, minute=index),
                metadata=METADATA[index % len(METADATA)],
            )
        )
    return made


def test_the_schemas_text_and_yes_no_properties_are_counted_from_every_order(orders):
    # Given orders already holding values, when the schema gains properties
    add_property("channel")
    add_property("gift", type="boolean")
    add_property("tags", array=True)  # a list: not counted
    add_property("score", type="number")  # a number: not counted
    add_property("gone", deleted=True)  # deleted from the schema: not counted

    # Then tracking counts the two, over the orders there already
    assert track_metadata_keys() == Tracking(added=["channel", "gift"], removed=[])
    assert sorted(TrackedKey.objects.values_list("key", flat=True)) == ["channel", "gift"]
    assert metadata_sums() == order_metadata_sums() != {}
    assert_tables_exact()
    # and a second run has nothing to do
    assert track_metadata_keys() == Tracking(added=[], removed=[])

    # When a property is deleted from the schema, its counts go
    MetadataProperty.objects.filter(name="gift").update(deleted=True)
    assert track_metadata_keys() == Tracking(added=[], removed=["gift"])
    assert not MetadataStats.objects.filter(key="gift").exists()
    assert not MetadataTotals.objects.filter(key="gift").exists()
    assert_tables_exact()


def test_the_command_tracks_and_says_so(orders):
    add_property("channel")
    out = StringIO()
    call_command("compact_order_stats", stdout=out)
    assert "Now counting the metadata property channel." in out.getvalue()
    assert "metadata rows into" in out.getvalue()
    assert_tables_exact()


def test_compaction_folds_values_and_orders_without_one(orders):
    add_property("channel")
    track_metadata_keys()
    # Orders written one by one into the same hours, with and without a channel, and moves
    # through statuses leave several rows per (hour, status, key, value)
    for metadata in [{"channel": "web"}, {"channel": "web"}, {}, {}]:
        make_order(items=0, amount=100, created_at=at("2026-03-07T12:30:00Z"), metadata=metadata)
    for order in orders[:8]:
        change_order_status(order, OrderStatus.CANCELED, actor=SYSTEM)
    before = metadata_sums()
    assert MetadataStats.objects.count() > len(before)

    result = compact_order_stats()

    assert result.metadata_removed > result.metadata_added > 0
    assert result.totals_removed > result.totals_added > 0
    assert metadata_sums() == before == order_metadata_sums()
    assert_tables_exact()
    with connection.cursor() as cursor:
        for table, group in [
            ("insights_metadatastats", "bucket, status, key, value"),
            ("insights_metadatatotals", "status, key, value"),
        ]:
            cursor.execute(f"SELECT 1 FROM {table} GROUP BY {group} HAVING count(*) > 1")  # noqa: S608
            assert cursor.fetchall() == [], table
    # orders without a channel are a row of their own (a NULL value), folded too
    assert MetadataStats.objects.filter(key="channel", value__isnull=True).exists()
    assert MetadataTotals.objects.filter(key="channel", value__isnull=True).exists()


QUERIES = [
    "",
    "status=PAID",
    "status=PAID&status=CANCELED",
    "created_after=2026-03-07&created_before=2026-03-07",
    "meta=channel:eq:web",
    "meta=channel:eq:store&status=CREATED",
    "meta=gift:eq:yes&created_after=2026-03-07&created_before=2026-03-08",
    "meta=gift:eq:no",
    "meta=channel:eq:nowhere",
]


def both_ways(query: str, zone: ZoneInfo, read: Any) -> tuple[Any, Any, list[str]]:
    """``read(filterset)`` on every order (the statistics may answer) and on a queryset
    that only the orders can answer, with the statements of the first."""
    data = QueryDict(query)
    with CaptureQueriesContext(connection) as queries:
        counted = read(OrderFilter(data, queryset=Order.objects.all(), zone=zone))
    read_from_orders = read(OrderFilter(data, queryset=Order.objects.filter(pk__gt=""), zone=zone))
    return counted, read_from_orders, [q["sql"] for q in queries.captured_queries]


@pytest.mark.parametrize("zone", [ZoneInfo("UTC"), ZoneInfo("Europe/Warsaw")])
@pytest.mark.parametrize("query", QUERIES)
def test_the_strip_from_metadata_values_is_what_the_orders_say(orders, query, zone):
    add_property("channel")
    add_property("gift", type="boolean")
    track_metadata_keys()

    counted, expected, statements = both_ways(
        query, zone, lambda filterset: order_insights(filterset, zone=zone)
    )

    assert counted.from_stats and not expected.from_stats
    assert counted.current == expected.current
    assert counted.previous == expected.previous
    assert [(b.first, b.statuses) for b in counted.buckets] == [
        (b.first, b.statuses) for b in expected.buckets
    ]
    if "meta=" in query:
        assert any("insights_metadatastats" in sql for sql in statements)


@pytest.mark.parametrize("key", ["channel", "gift", "tags", "score"])
@pytest.mark.parametrize("query", QUERIES)
def test_top_values_from_metadata_values_are_what_the_orders_say(orders, query, key):
    add_property("channel")
    add_property("gift", type="boolean")
    add_property("tags", array=True)
    add_property("score", type="number")
    track_metadata_keys()
    zone = ZoneInfo("Europe/Warsaw")

    counted, expected, statements = both_ways(
        query, zone, lambda filterset: top_values(filterset, key)
    )

    assert counted == expected
    from_stats = any("insights_metadata" in sql and "#>>" in sql for sql in statements)
    meta_key = query.partition("meta=")[2].partition(":")[0]
    # Tracked keys are counted, with no other property's value in the filter
    assert from_stats is (key in ("channel", "gift") and meta_key in ("", key))


def test_a_zone_not_whole_hours_from_utc_counts_a_value_on_the_orders(orders):
    add_property("channel")
    track_metadata_keys()
    kolkata = ZoneInfo("Asia/Kolkata")
    counted, expected, statements = both_ways(
        "meta=channel:eq:web", kolkata, lambda f: order_insights(f, zone=kolkata)
    )
    assert not counted.from_stats and counted.current == expected.current
    assert not any("insights_metadatastats" in sql for sql in statements)


def test_an_untracked_property_or_two_conditions_are_counted_on_the_orders(orders):
    add_property("channel")
    add_property("gift", type="boolean")
    track_metadata_keys()
    utc = ZoneInfo("UTC")
    for query in [
        "meta=channel:eq:web&meta=gift:eq:yes",  # two properties at once
        "meta=channel:ne:web",  # not equality
        "meta=channel:contains:we",
        "meta=locale:eq:fr",  # a key the schema does not define
    ]:
        counted, expected, statements = both_ways(query, utc, lambda f: order_insights(f, zone=utc))
        assert not counted.from_stats, query
        assert counted.current == expected.current, query


@pytest.mark.django_db(transaction=True)
def test_tracking_waits_for_a_running_compaction_and_a_key_added_again_starts_afresh():
    add_property("channel")
    track_metadata_keys()
    busy_history()
    # When the property leaves the schema while a compaction is folding the rows
    MetadataProperty.objects.filter(name="channel").update(deleted=True)
    with compaction_held_inside_its_statement() as compaction:
        tracking = Backend(track_metadata_keys)
        tracking.start()
        # Then the tracking waits for it (the compaction would write back what it deletes)
        assert blocked_or_done(tracking), "the tracking did not wait for the compaction"
    assert compaction.outcome().ran
    assert tracking.outcome() == Tracking(added=[], removed=["channel"])
    assert not MetadataStats.objects.filter(key="channel").exists()

    # A stale row of the key (left by anything) does not survive its tracking again
    MetadataStats.objects.create(
        bucket=at("2026-03-07T12:00:00Z"), status="PAID", key="channel", value="web",
        orders=1, amount=1, total_amount=1, discount_amount=0,
    )  # fmt: skip
    MetadataProperty.objects.filter(name="channel").update(deleted=False)
    assert track_metadata_keys() == Tracking(added=["channel"], removed=[])
    assert_tables_exact()
