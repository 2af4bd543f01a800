"""The filter grammar on its own: parsing and its messages, the two forms, how conditions join,
and what the list's own filters take over (tests/api/test_filter_matrix.py walks every field ×
condition through the API)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.http import QueryDict

from metadata.models import MetadataProperty
from orders import grammar
from orders.filters import OrderFilter
from orders.models import Order
from orders.reference_filters import filters_query
from tests.factories import make_order

pytestmark = pytest.mark.django_db


def parse(filters, properties=None):
    return grammar.parse(filters, properties or {})


def messages(filters, properties=None):
    with pytest.raises(ValidationError) as refused:
        parse(filters, properties)
    return " ".join(refused.value.messages)


def test_a_condition_that_does_not_fit_names_field_condition_and_what_fits():
    text = messages({"amount": {"conditions": {"$contains": "10"}}})
    assert "amount $contains is not supported" in text
    assert "$more_than_equal" in text and "$in" in text and "$starts_with" not in text


def test_every_mistake_is_named_not_only_the_first():
    text = messages(
        {
            "junction": "xor",
            "colour": {"conditions": {"$in": ["red"]}},
            "status": {"conditions": {"$in": ["LOST"], "$bogus": 1}},
            "created_at": {"conditions": {"$after": "yesterday"}},
        }
    )
    assert "junction" in text and "colour" in text and "LOST" in text
    assert "$bogus is not a known condition" in text and "yesterday" in text


def test_values_are_typed_and_counted():
    assert "takes one value" in messages({"amount": {"conditions": {"$is": [1, 2]}}})
    assert "minor units" in messages({"amount": {"conditions": {"$more_than": "1.5"}}})
    assert "number of days" in messages({"created_at": {"conditions": {"$is_days_ago": -1}}})
    too_many = list(range(grammar.MAX_VALUES + 1))
    assert "at most" in messages({"amount": {"conditions": {"$in": too_many}}})
    parsed = parse({"status": {"conditions": {"$in": ["paid", "PAID", "Canceled"]}}})
    assert parsed.conditions[0].values == ("PAID", "CANCELED")  # one of each, as stored


def test_metadata_keys_take_the_conditions_of_their_schema_type():
    properties = {
        "score": MetadataProperty(name="score", type=MetadataProperty.Type.NUMBER),
        "tags": MetadataProperty(name="tags", type=MetadataProperty.Type.STRING, array=True),
        "delivery": MetadataProperty(name="delivery", type=MetadataProperty.Type.DATE),
    }
    assert "metadata.score is a number" in messages(
        {"metadata.score": {"conditions": {"$contains": "1"}}}, properties
    )
    assert "a list" in messages({"metadata.tags": {"conditions": {"$contains": "a"}}}, properties)
    parsed = parse({"metadata.delivery": {"conditions": {"$less_than_future": 3}}}, properties)
    assert parsed.conditions[0].type == "date"
    # a key the schema does not define is text, or a number where compared
    parsed = parse({"metadata.note": {"conditions": {"$more_than": "2.5"}}})
    assert parsed.conditions[0].values == (2.5,)


def test_the_query_string_form_reads_back_as_the_json_form():
    filters = {
        "junction": "or",
        "source_id": {"conditions": {"$in": ["shop-1", "shop-2"]}},
        "metadata.vip": {"conditions": {"$is": [True]}},
        "customer_id": {"conditions": {"$is_unknown": [""]}},
    }
    query = QueryDict(mutable=True)
    for name, value in grammar.to_query(filters):
        query.appendlist(name, value)
    assert query.getlist("filters[source_id][conditions][$in][1]") == ["shop-2"]
    assert grammar.from_query(query) == {
        "junction": "or",
        "source_id": {"conditions": {"$in": ["shop-1", "shop-2"]}},
        "metadata.vip": {"conditions": {"$is": ["true"]}},
        "customer_id": {"conditions": {"$is_unknown": [""]}},
    }
    with pytest.raises(ValidationError, match="should be filters"):
        grammar.from_query(QueryDict("filters[status][oops]=PAID"))


def test_junction_joins_conditions_of_every_field():
    cheap_web = make_order(amount=100, source_id="web-1")
    make_order(amount=900, source_id="pos-1")
    dear_web = make_order(amount=900, source_id="web-2")
    conditions = {
        "source_id": {"conditions": {"$starts_with": "WEB"}},
        "amount": {"conditions": {"$more_than": 500}},
    }

    def ids(junction):
        query = filters_query({"junction": junction, **conditions}, "amount")
        return list(
            OrderFilter(query, queryset=Order.objects.all()).qs.values_list("pk", flat=True)
        )

    assert ids("and") == [dear_web.pk]
    assert set(ids("or")) == set(Order.objects.values_list("pk", flat=True))
    assert cheap_web.pk in ids("or")


def test_is_not_and_not_contain_include_orders_without_the_value():
    with_source = make_order(source_id="web-1", metadata={"channel": "web"})
    without = make_order(source_id=None, metadata={})

    def ids(filters):
        query = filters_query(filters, "-created_at")
        return set(OrderFilter(query, queryset=Order.objects.all()).qs.values_list("pk", flat=True))

    assert ids({"source_id": {"conditions": {"$is_not": "web-1"}}}) == {without.pk}
    assert ids({"source_id": {"conditions": {"$not_contain": "web"}}}) == {without.pk}
    assert ids({"metadata.channel": {"conditions": {"$not_contain": "we"}}}) == {without.pk}
    assert ids({"metadata.channel": {"conditions": {"$is_not": "web"}}}) == {without.pk}
    assert ids({"source_id": {"conditions": {"$has_value": []}}}) == {with_source.pk}


def test_days_are_whole_days_of_the_filter_zone_and_after_before_include_them():
    kolkata = ZoneInfo("Asia/Kolkata")
    now = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)  # 17:30 in Kolkata
    # 2026-03-09 in Kolkata runs from 18:30 UTC on the 8th to 18:30 UTC on the 9th
    first = datetime(2026, 3, 8, 18, 30, tzinfo=UTC)
    (condition,) = parse({"created_at": {"conditions": {"$is_days_ago": 1}}}).conditions
    assert grammar._instants("$is_days_ago", 1, zone=kolkata, now=now) == [
        ("gte", first),
        ("lt", first + timedelta(days=1)),
    ]
    assert condition.label == "Created 1 days ago"
    day = parse({"created_at": {"conditions": {"$before": "2026-03-09"}}}).conditions[0]
    assert grammar._instants("$before", day.values[0], zone=kolkata, now=now) == [
        ("lt", first + timedelta(days=1))
    ]
    assert grammar._instants("$after", day.values[0], zone=kolkata, now=now) == [("gte", first)]
    assert grammar._instants("$less_than_ago", 7, zone=kolkata, now=now) == [
        ("gte", now - timedelta(days=7)),
        ("lte", now),
    ]


def test_statuses_and_dates_joined_by_and_are_the_lists_own_filters():
    """The insights strip's statistics answer the list's status and created filters only."""
    query = filters_query(
        {
            "status": {"conditions": {"$in": ["PAID"]}},
            "created_at": {"conditions": {"$after": "2026-03-01", "$before": "2026-03-31"}},
            "amount": {"conditions": {"$more_than": 10}},
        },
        "-created_at",
    )
    assert query.getlist("status") == ["PAID"]
    assert query["created_after"] == "2026-03-01" and query["created_before"] == "2026-03-31"
    assert "filters[amount][conditions][$more_than][0]" in query
    joined_by_or = filters_query(
        {
            "junction": "or",
            "status": {"conditions": {"$in": ["PAID"]}},
            "amount": {"conditions": {"$more_than": 10}},
        },
        "-created_at",
    )
    assert "status" not in joined_by_or and "filters[status][conditions][$in][0]" in joined_by_or
    unreadable = filters_query({"status": {"conditions": {"$in": ["LOST"]}}}, "-created_at")
    assert "status" not in unreadable  # left to the conditions, whose message names the field


def test_the_matrix_has_every_field_and_type_against_every_condition():
    rows = list(grammar.matrix())
    fields = {field for field, _, _, _ in rows}
    assert set(grammar.FIELDS) <= fields
    assert len(rows) == len(fields) * len(grammar.REFERENCE_CONDITIONS)
    supported = {(field, condition) for field, _, condition, ok in rows if ok}
    assert ("source_id", "$in") in supported and ("amount", "$contains") not in supported
    assert ("created_at", "$less_than_ago") in supported


def test_an_all_digit_metadata_key_is_a_key_not_an_array_position():
    """Django sends such a key ("2024") as an integer, an array position to PostgreSQL."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from insights.selectors import top_values
    from insights.services import track_metadata_keys
    from metadata.models import MetadataProperty, MetadataSchema

    shop = make_order(items=0, metadata={"2024": "web-shop", "7": 5, "9": "2026-05-01"})
    make_order(items=0, metadata={"2024": "pos", "7": 1})

    def ids(query):
        filterset = OrderFilter(QueryDict(query), queryset=Order.objects.all())
        assert filterset.is_valid(), filterset.form.errors
        return list(filterset.qs.values_list("pk", flat=True))

    assert ids("filters[metadata.2024][conditions][$contains][0]=SHOP") == [shop.pk]
    assert ids("filters[metadata.7][conditions][$more_than][0]=3") == [shop.pk]
    assert ids("filters[metadata.9][conditions][$after][0]=2026-04-30") == [shop.pk]
    assert ids("meta=2024:contains:shop") == [shop.pk]  # the list's own metadata conditions
    assert ids("meta=7:gt:3") == [shop.pk]
    everything = OrderFilter(QueryDict(""), queryset=Order.objects.all())
    assert [top.value for top in top_values(everything, "2024")] == ["pos", "web-shop"]
    # and counted per value by the insights statistics once the schema defines it
    schema, _ = MetadataSchema.objects.get_or_create(related_object="order")
    MetadataProperty.objects.create(schema=schema, name="2024", type="string", optional=True)
    assert track_metadata_keys().added == ["2024"]
    with CaptureQueriesContext(connection) as queries:
        assert [top.value for top in top_values(everything, "2024")] == ["pos", "web-shop"]
    assert any("insights_metadatatotals" in query["sql"] for query in queries.captured_queries)
