"""A text condition on a tracked metadata property (``$contains``, ``$starts_with``,
``$ends_with``; the list's ``meta=<key>:contains:<text>``) finds its orders by the values the
property's totals know (``insights.values``, ``orders.grammar.metadata_text_q``): the same
orders as matching the pattern on every order, and no order read for a pattern no value holds.
"""

from typing import Any

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from insights import values as known_values
from insights.services import track_metadata_keys
from metadata.models import MetadataProperty, MetadataSchema
from orders import grammar
from orders.filters import OrderFilter
from orders.models import Order
from tests.factories import make_order

pytestmark = pytest.mark.django_db

CHANNELS = ["web", "Web Shop", "store_1", "50%_off", "ÉPICERIE", "", None]
TEXTS = ["web", "WEB", "shop", "b S", "_", "%", "50%", "1", "é", "zqxjvkw", "tru", "e"]
CONDITIONS = ["$contains", "$starts_with", "$ends_with"]


@pytest.fixture
def orders() -> list[Order]:
    schema, _ = MetadataSchema.objects.get_or_create(related_object="order")
    MetadataProperty.objects.create(schema=schema, name="channel", type="string", optional=True)
    MetadataProperty.objects.create(schema=schema, name="gift", type="boolean", optional=True)
    made = []
    for index, channel in enumerate(CHANNELS):
        metadata: dict[str, Any] = {"gift": index % 2 == 0}
        if channel is not None:
            metadata["channel"] = channel
        made.append(make_order(amount=1000 + index, items=0, metadata=metadata))
    # A yes/no value where the schema now says text (written before it did): the statistics'
    # triggers count it as any write's
    yes = make_order(amount=999, items=0)
    Order.objects.filter(pk=yes.pk).update(metadata={"channel": True})
    made.append(yes)
    assert track_metadata_keys().added == ["channel", "gift"]
    return made


def grammar_query(key: str, condition: str, text: str) -> QueryDict:
    query = QueryDict(mutable=True)
    query[f"filters[metadata.{key}][conditions][{condition}][0]"] = text
    return query


def found(query: QueryDict) -> set[str]:
    filterset = OrderFilter(query, queryset=Order.objects.all())
    assert filterset.is_valid(), filterset.errors
    return set(filterset.qs.values_list("pk", flat=True))


def on_every_order(monkeypatch: pytest.MonkeyPatch, query: QueryDict) -> set[str]:
    """What the pattern on every order finds: with no one knowing the values."""
    with monkeypatch.context() as patched:
        patched.setattr(grammar, "_value_finders", [])
        return found(query)


@pytest.mark.parametrize("condition", CONDITIONS)
def test_known_values_find_what_the_pattern_finds_on_every_order(orders, monkeypatch, condition):
    for text in TEXTS:
        query = grammar_query("channel", condition, text)
        assert found(query) == on_every_order(monkeypatch, query), (condition, text)


def test_the_lists_contains_finds_what_the_pattern_finds_on_every_order(orders, monkeypatch):
    for text in TEXTS:
        query = QueryDict(mutable=True)
        query["meta"] = f"channel:contains:{text}"
        assert found(query) == on_every_order(monkeypatch, query), text


def test_the_orders_are_found_by_containment_and_a_miss_reads_none(orders):
    with CaptureQueriesContext(connection) as queries:
        assert found(grammar_query("channel", "$contains", "shop")) == {orders[1].pk}
    [orders_query] = [q["sql"] for q in queries if 'FROM "orders_order"' in q["sql"]]
    assert '@> \'{"channel": "Web Shop"}\'' in orders_query and "LIKE" not in orders_query

    with CaptureQueriesContext(connection) as queries:
        assert found(grammar_query("channel", "$contains", "zqxjvkw")) == set()
    [orders_query] = [q["sql"] for q in queries if 'FROM "orders_order"' in q["sql"]]
    assert "LIKE" not in orders_query and "AND false" in orders_query


def test_a_property_holding_another_type_is_matched_on_the_orders(orders, monkeypatch):
    # Given orders written before the schema said "string": a number, and a list
    legacy, listed = make_order(amount=7, items=0), make_order(amount=8, items=0)
    Order.objects.filter(pk=legacy.pk).update(metadata={"channel": 5.0})
    Order.objects.filter(pk=listed.pk).update(metadata={"channel": ["web", "x"]})

    # Then the totals are not asked, and the pattern finds them on the orders as it always did
    assert known_values.values_matching("channel", "icontains", "5") is None
    assert found(grammar_query("channel", "$contains", ".0")) == {legacy.pk}
    assert listed.pk in found(grammar_query("channel", "$contains", "web"))
    for text in TEXTS:
        query = grammar_query("channel", "$contains", text)
        assert found(query) == on_every_order(monkeypatch, query), text


def test_an_untracked_key_or_too_many_values_are_matched_on_the_orders(orders, monkeypatch):
    make_order(amount=9, items=0, metadata={"note": "web"})
    assert known_values.values_matching("note", "icontains", "web") is None
    assert known_values.values_matching("channel", "icontains", "e") is not None

    monkeypatch.setattr(known_values, "MAX_VALUES", 2)
    assert known_values.values_matching("channel", "icontains", "e") is None  # 5 match
    assert known_values.values_matching("channel", "icontains", "shop") == ["Web Shop"]


def test_a_value_no_order_holds_any_more_is_not_named(orders):
    Order.objects.filter(pk=orders[1].pk).delete()  # the only "Web Shop"

    assert known_values.values_matching("channel", "icontains", "shop") == []
    assert found(grammar_query("channel", "$contains", "shop")) == set()
