"""Every filter and sort of the orders list, through the one FilterSet the list, the export
and the API share."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.http import QueryDict
from django.utils import timezone

from metadata.models import MetadataProperty, MetadataSchema
from orders.actors import Actor
from orders.filters import OrderFilter
from orders.models import Order, OrderStatus
from orders.services import update_order
from tests.factories import CustomerFactory, make_order

pytestmark = pytest.mark.django_db


def run(query: str) -> tuple[list[Order], OrderFilter]:
    filterset = OrderFilter(QueryDict(query), queryset=Order.objects.all())
    return list(filterset.qs), filterset


def ids(query: str) -> set[str]:
    return {order.pk for order in run(query)[0]}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def schema():
    schema = MetadataSchema.objects.create(related_object="order")
    for name, kind, array in [
        ("payment_method", "string", False),
        ("score", "number", False),
        ("gift", "boolean", False),
        ("delivery_date", "date", False),
        ("tags", "string", True),
        ("location", "geopoint", False),
    ]:
        MetadataProperty.objects.create(schema=schema, name=name, type=kind, array=array)
    return schema


def test_no_filters_lists_everything_newest_first():
    old = make_order(created_at=at("2024-01-01T00:00"))
    new = make_order(created_at=at("2025-01-01T00:00"))
    orders, filterset = run("")
    assert [o.pk for o in orders] == [new.pk, old.pk]
    assert filterset.sort_in_force == "-created_at"


def test_status_takes_several_values():
    paid = make_order(status=OrderStatus.PAID)
    canceled = make_order(status=OrderStatus.CANCELED)
    make_order(status=OrderStatus.CREATED)
    assert ids("status=PAID&status=CANCELED") == {paid.pk, canceled.pk}
    assert ids("status=PAID") == {paid.pk}


def test_created_and_updated_ranges_with_dates_and_date_times():
    jan = make_order(created_at=at("2026-01-15T10:00"))
    feb = make_order(created_at=at("2026-02-01T00:00"))
    mar = make_order(created_at=at("2026-03-31T23:59"))
    # A date as the upper bound includes that whole day.
    assert ids("created_after=2026-01-15&created_before=2026-03-31") == {jan.pk, feb.pk, mar.pk}
    assert ids("created_after=2026-01-15T10:00:01") == {feb.pk, mar.pk}
    assert ids("created_before=2026-02-01T00:00:00Z") == {jan.pk, feb.pk}
    assert ids("created_after=2026-02-01T01:00:00%2B02:00") == {feb.pk, mar.pk}

    Order.objects.update(updated_at=at("2026-04-01T00:00"))
    Order.objects.filter(pk=jan.pk).update(updated_at=at("2026-06-01T12:00"))
    assert ids("updated_after=2026-06-01") == {jan.pk}
    assert ids("updated_before=2026-05-31") == {feb.pk, mar.pk}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("amount_min=20&amount_max=60", {"B"}),
        ("amount_min=50.00", {"B", "C"}),
        ("total_max=45.50", {"A", "B"}),
        ("total_min=45.51", {"C"}),
        ("discount_min=4.50", {"B"}),
        ("discount_max=0", {"A", "C"}),
    ],
)
def test_money_ranges_are_typed_as_money(query, expected):
    make_order(source_id="A", amount=1000)
    make_order(source_id="B", amount=5000, discount_amount=450)  # total 45.50
    make_order(source_id="C", amount=9000)
    orders, _ = run(query)
    assert {o.source_id for o in orders} == expected


def test_customer_and_referrer_by_id_source_id_name_or_email():
    ada = CustomerFactory(name="Ada Lovelace", email="ada@example.com", source_id="C-1")
    bob = CustomerFactory(name="Bob Marley", email="bob@music.example", source_id="C-2")
    with_ada = make_order(customer=ada, referrer=bob)
    with_bob = make_order(customer=bob)
    make_order()
    assert ids(f"customer={ada.pk}") == {with_ada.pk}
    assert ids("customer=C-2") == {with_bob.pk}
    assert ids("customer=lovelace") == {with_ada.pk}
    assert ids("customer=MUSIC.example") == {with_bob.pk}
    assert ids("referrer=bob") == {with_ada.pk}
    assert ids("customer=nobody") == set()


def test_source_id_is_or_contains_and_presence_of_people():
    customer = CustomerFactory()
    a = make_order(source_id="SHOP-100", customer=customer, referrer=customer)
    b = make_order(source_id="SHOP-1000")
    assert ids("source_id=SHOP-100") == {a.pk}
    assert ids("source_id=shop-10&source_id_match=contains") == {a.pk, b.pk}
    assert ids("has_customer=true") == {a.pk}
    assert ids("has_customer=false") == {b.pk}
    assert ids("has_referrer=true&has_customer=true") == {a.pk}
    assert ids("has_referrer=false") == {b.pk}


def test_free_text_over_id_source_id_customer_name_and_email():
    grace = CustomerFactory(name="Grace Hopper", email="grace@navy.example")
    by_grace = make_order(customer=grace, source_id="X-1")
    by_source = make_order(source_id="COBOL-42")
    other = make_order(source_id="X-2")
    assert ids("q=hopper") == {by_grace.pk}
    assert ids("q=NAVY.example") == {by_grace.pk}
    assert ids("q=cobol") == {by_source.pk}
    assert ids(f"q={other.pk}") == {other.pk}
    assert ids("q=%20%20") == {by_grace.pk, by_source.pk, other.pk}


def test_metadata_conditions_of_each_type(schema):
    a = make_order(
        metadata={
            "payment_method": "Visa",
            "score": 7,
            "gift": True,
            "delivery_date": "2026-03-01",
            "tags": ["vip", "b2b"],
            "location": {"lat": 1, "lng": 2},
            "note": "call before delivery",
        }
    )
    b = make_order(
        metadata={"payment_method": "PayPal", "score": 3.5, "gift": False, "tags": ["b2b"]}
    )
    c = make_order(metadata={})
    # string
    assert ids("meta=payment_method:eq:Visa") == {a.pk}
    assert ids("meta=payment_method:ne:Visa") == {b.pk, c.pk}
    assert ids("meta=payment_method:contains:pal") == {b.pk}
    assert ids("meta=payment_method:set:") == {a.pk, b.pk}
    assert ids("meta=payment_method:unset:") == {c.pk}
    # number
    assert ids("meta=score:gt:5") == {a.pk}
    assert ids("meta=score:lte:3.5") == {b.pk}
    assert ids("meta=score:gte:3.5") == {a.pk, b.pk}
    assert ids("meta=score:eq:7") == {a.pk}
    # boolean
    assert ids("meta=gift:eq:yes") == {a.pk}
    assert ids("meta=gift:eq:false") == {b.pk}
    # date
    assert ids("meta=delivery_date:before:2026-03-02") == {a.pk}
    assert ids("meta=delivery_date:after:2026-03-01") == set()
    # array
    assert ids("meta=tags:eq:vip") == {a.pk}
    assert ids("meta=tags:eq:b2b") == {a.pk, b.pk}
    # object-like (geopoint) only set / unset
    assert ids("meta=location:set:") == {a.pk}
    # a key the schema does not know is compared as text
    assert ids("meta=note:contains:before") == {a.pk}
    # several conditions all apply
    assert ids("meta=payment_method:set:&meta=score:lt:5") == {b.pk}


@pytest.mark.parametrize(
    ("condition", "fragment"),
    [
        ("payment_method", "write a condition as key:operator:value"),
        ("score:like:5", "unknown operator 'like'"),
        ("score:contains:5", "'contains' does not fit number property 'score'"),
        ("score:gt:lots", "score needs a number (actual value is 'lots')"),
        ("gift:eq:maybe", "gift needs yes or no"),
        ("delivery_date:before:2026-13-45", "delivery_date needs a date like 2026-01-31"),
        ("location:eq:x", "'eq' does not fit geopoint property 'location'"),
        ("payment_method:eq:", "payment_method needs a value"),
        ("bad__key:eq:1", "write a condition as key:operator:value"),
    ],
)
def test_bad_metadata_conditions_say_what_is_wrong_and_leave_other_filters_working(
    schema, condition, fragment
):
    paid = make_order(status=OrderStatus.PAID, metadata={"payment_method": "Visa"})
    make_order(status=OrderStatus.CREATED)
    orders, filterset = run(f"status=PAID&meta={condition}")
    assert fragment in " ".join(filterset.form.errors["meta"])
    assert [o.pk for o in orders] == [paid.pk]


def test_dates_are_days_of_the_current_time_zone_and_of_utc_when_asked():
    # Given an order placed at 00:30 in Warsaw on 1 May (22:30 UTC on 30 April)
    late = make_order(created_at=at("2026-04-30T22:30"))
    early = make_order(created_at=at("2026-04-30T21:30"))  # 23:30 in Warsaw, still April
    query = QueryDict("created_after=2026-05-01")
    with timezone.override(ZoneInfo("Europe/Warsaw")):
        # Then the list, in Warsaw, counts it in 1 May; a time without offset is Warsaw's too
        in_warsaw = OrderFilter(query, queryset=Order.objects.all())
        assert {o.pk for o in in_warsaw.qs} == {late.pk}
        before = OrderFilter(QueryDict("created_before=2026-04-30"), queryset=Order.objects.all())
        assert {o.pk for o in before.qs} == {early.pk}
        naive = OrderFilter(
            QueryDict("created_after=2026-05-01T00:15"), queryset=Order.objects.all()
        )
        assert {o.pk for o in naive.qs} == {late.pk}
        # ... and the API and exports, which give UTC, count neither
        in_utc = OrderFilter(query, queryset=Order.objects.all(), zone=UTC)
        assert list(in_utc.qs) == []


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        (
            "created_after=2026-05-31&created_before=2026-05-01",
            "created_before",
            "Created to (2026-05-01) is before Created from (2026-05-31), so nothing can match: "
            "change one of them.",
        ),
        (
            "updated_after=2026-05-02T10:00&updated_before=2026-05-02T09:00",
            "updated_before",
            "Updated to (2026-05-02 09:00) is before Updated from (2026-05-02 10:00), so "
            "nothing can match: change one of them.",
        ),
        (
            "amount_min=200&amount_max=100",
            "amount_max",
            "Amount to ($100.00) is less than Amount from ($200.00), so nothing can match: "
            "change one of them.",
        ),
    ],
)
def test_a_range_the_wrong_way_round_is_a_message_on_its_to_field(query, field, message):
    # Given a from after its to, on a day or an amount
    make_order(created_at=at("2026-05-20T12:00"), amount=15000)
    orders, filterset = run(query)
    # Then the to-field says why nothing could match, and the from still applies
    assert filterset.form.errors[field] == [message]
    assert len(filterset.form.errors) == 1


def test_a_range_of_one_day_or_one_amount_is_not_an_error():
    order = make_order(created_at=at("2026-05-20T12:00"), amount=15000)
    query = "created_after=2026-05-20&created_before=2026-05-20&amount_min=150&amount_max=150"
    orders, filterset = run(query)
    assert filterset.form.errors == {}
    assert [o.pk for o in orders] == [order.pk]


@pytest.mark.parametrize(
    ("query", "field", "fragment"),
    [
        ("created_after=2024-13-45", "created_after", "Enter a date like 2026-05-31"),
        ("updated_before=yesterday", "updated_before", "actual value is 'yesterday'"),
        ("amount_min=12a", "amount_min", "Enter an amount such as 12.50"),
        ("total_max=1.005", "total_max", "2 decimal places"),
        ("discount_min=-5", "discount_min", "Enter zero or more"),
        ("status=SHIPPED", "status", "Select a valid choice"),
        ("sort=price", "sort", "Select a valid choice"),
    ],
)
def test_bad_input_is_reported_on_its_field_and_the_rest_still_filters(query, field, fragment):
    paid = make_order(status=OrderStatus.PAID)
    make_order(status=OrderStatus.CANCELED)
    orders, filterset = run(f"{query}&status=PAID" if field != "status" else query)
    assert fragment in " ".join(filterset.form.errors[field])
    if field != "status":
        assert [o.pk for o in orders] == [paid.pk]


def test_combined_filters_narrow_together(schema):
    ada = CustomerFactory(name="Ada")
    hit = make_order(
        status=OrderStatus.PAID,
        customer=ada,
        amount=5000,
        metadata={"payment_method": "Visa"},
        created_at=at("2026-05-10T10:00"),
    )
    make_order(status=OrderStatus.PAID, customer=ada, amount=5000, created_at=at("2026-05-10"))
    make_order(status=OrderStatus.CREATED, customer=ada, metadata={"payment_method": "Visa"})
    query = (
        "status=PAID&customer=ada&amount_min=40&created_after=2026-05-01"
        "&created_before=2026-05-31&meta=payment_method:eq:Visa"
    )
    assert ids(query) == {hit.pk}


@pytest.mark.parametrize(
    "sort", ["created_at", "-created_at", "updated_at", "-updated_at", "amount", "-amount",
             "total_amount", "-total_amount", "status", "-status"],
)  # fmt: skip
def test_every_sort_is_stable_across_pages(sort):
    # Given many orders sharing the same sort values (ties)
    moment = at("2026-01-01T00:00")
    for index in range(9):
        order = make_order(
            amount=1000 * (index % 3), created_at=moment, status=list(OrderStatus)[index % 4]
        )
        Order.objects.filter(pk=order.pk).update(updated_at=moment)
    filterset = OrderFilter(QueryDict(f"sort={sort}"), queryset=Order.objects.all())

    # When they are read four at a time
    pages = [list(filterset.qs[start : start + 4]) for start in (0, 4, 8)]

    # Then every order shows exactly once, in the sort's order with ties broken by id
    seen = [o.pk for page in pages for o in page]
    assert sorted(seen) == sorted(Order.objects.values_list("pk", flat=True))
    field = sort.lstrip("-")
    keys = [(getattr(o, field), o.pk) for page in pages for o in page]
    assert keys == sorted(keys, reverse=sort.startswith("-"))


def test_status_change_is_seen_by_updated_filters():
    order = make_order()
    update_order(order, actor=Actor.system(), status=OrderStatus.PAID)
    today = datetime.now(UTC).date().isoformat()
    assert ids(f"updated_after={today}&status=PAID") == {order.pk}


def test_free_text_finds_customers_by_the_start_of_any_word_of_name_or_email():
    # Given customers whose names and emails share parts
    jansen = CustomerFactory(name="Sanne Jansen", email="s.jansen@mail.example.org")
    hansen = CustomerFactory(name="Hugo Hansen", email="hugo@shop.example.com")
    obrien = CustomerFactory(name="Omar O'Brien", email="omar.obrien+vip@example.net")
    by_jansen, by_hansen, by_obrien = (make_order(customer=c) for c in (jansen, hansen, obrien))
    make_order()  # no customer

    # Then each word of the search must start a word of the name or the email
    assert ids("q=Jansen") == {by_jansen.pk}
    assert ids("q=jans") == {by_jansen.pk}  # a prefix, as typed so far
    assert ids("q=sanne%20jansen") == {by_jansen.pk}
    assert ids("q=Jansen%20Sanne") == {by_jansen.pk}  # in any order
    assert ids("q=hugo%20jansen") == set()  # every word must match
    assert ids("q=mail.example") == {by_jansen.pk}
    assert ids("q=example") == {by_jansen.pk, by_hansen.pk, by_obrien.pk}
    assert ids("q=brien") == {by_obrien.pk}  # O'Brien is the words o and brien
    assert ids("q=obrien%2Bvip") == {by_obrien.pk}
    # ... and a piece from inside a word is not a word: PostgreSQL answers from the word index
    assert ids("q=ansen") == set()
    assert ids("q=%40%40") == set()  # no words at all: only an order id could match
    assert ids("q=" + "x" * 5000) == set()  # a word too long for PostgreSQL is cut, not an error


def test_free_text_words_use_the_customer_word_index():
    # The filter's SQL expression must be the indexed one, or every search reads every customer
    from django.db import connection, transaction

    from orders.filters import customers_matching

    CustomerFactory(name="Sanne Jansen", email="s.jansen@mail.example.org")
    customers = customers_matching("jansen")
    with transaction.atomic(), connection.cursor() as cursor:
        # On a table this small a scan would do; leave the planner only index look-ups
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        plan = customers.order_by().values("pk").explain()
    assert "customer_search_words_idx" in plan


def test_status_and_created_range_by_amount_read_the_status_amount_index():
    # The list's commonest narrowing with a money sort checks its dates inside the index
    # (orders/migrations/0010_order_status_amount_index.py) instead of reading every order
    from django.db import connection, transaction

    make_order(status=OrderStatus.PAID)
    _, filterset = run(
        "status=PAID&created_after=2025-10-02&created_before=2025-12-31&sort=-amount"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        plan = filterset.qs.values_list("pk", flat=True)[:51].explain()
    assert "order_status_amount_idx" in plan
    assert "created_at >=" in plan.split("order_status_amount_idx", 1)[1]  # in Index Cond
