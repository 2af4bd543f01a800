"""The orders list's search and customer/referrer filters name few customers' ids instead of
a sub-select (``orders.filters.of_customers``): the same orders, in the same order, as the
predicate they replace, for every kind of term."""

import pytest
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from customers.models import Customer
from exports.csv_writer import copy_sql
from orders import filters
from orders.filters import CustomerWordsMatch, OrderFilter, customers_matching, search_words
from orders.models import Order
from tests.factories import CustomerFactory, make_order

pytestmark = pytest.mark.django_db


def old_text_match(text: str) -> Q:
    """The search's predicate before: one OR with the customers as a sub-select."""
    match = Q(pk=text) | Q(source_id__icontains=text)
    if words := search_words(text):
        customers = Customer.objects.filter(CustomerWordsMatch(words))
        match |= Q(customer_id__in=customers.values("pk"))
    return match


def old_person_match(field: str, text: str) -> Q:
    people = Customer.objects.filter(
        Q(pk=text) | Q(source_id=text) | Q(name__icontains=text) | Q(email__icontains=text)
    )
    return Q(**{f"{field}_id__in": people.values("pk")})


@pytest.fixture
def orders() -> list[Order]:
    people = [
        CustomerFactory(name="Sanne Jansen", email="s.jansen@mail.example.org", source_id="C-1"),
        CustomerFactory(name="Piet Jansen", email="piet@jansen.example", source_id="C-2"),
        CustomerFactory(name="Omar O'Brien", email="omar.obrien+vip@example.net", source_id="C_3"),
        CustomerFactory(name="Paweł Fischer", email="pawel.fischer1717@example.com"),
        CustomerFactory(name="", email="nameless@shop.test", source_id=None),
        CustomerFactory(name="100% Cotton Ltd", email="sales@cotton.example", source_id="C%4"),
    ]
    made = []
    for index, customer in enumerate([*people, None, None]):
        for copy in range(2):
            made.append(
                make_order(
                    customer=customer,
                    referrer=people[(index + 1) % len(people)] if copy else None,
                    source_id=[f"ORD-{index}{copy}7", None, f"SHOP_{index}%{copy}"][index % 3],
                    amount=1000 * (index + copy + 1),
                    items=0,
                )
            )
    return made


def terms(orders: list[Order]) -> list[str]:
    some = orders[3]
    return [
        "s.jansen@mail.example.org",  # an exact email
        "OMAR.OBRIEN+VIP@EXAMPLE.NET",  # another, upper-cased
        "s.jansen@",
        "@mail.example.org",  # only a domain
        "jansen@example",  # a local part no customer has, a common domain
        "sanne jansen@mail.example.org",
        "a@b@c.d.e.f.g.h.i.j.k",  # more words than a search reads
        "obrien",  # a fragment of an email
        "jansen.example",
        "example",  # every customer's
        "Jansen",  # a surname of two customers
        "Fischer",  # of one
        "Paweł",
        "O'Brien",
        some.pk,  # an exact order id
        some.pk[:10],  # part of one (never an id match)
        "ORD-1",  # source-id fragments
        "shop_",
        "_",
        "%",
        "%4",
        "C-1",  # a customer's source ID (not searched)
        "zzqqxx",  # nothing
        "@@",  # punctuation only: no words
        "  ",
        "",
        "x" * 5000,  # very long
        "jansen " * 20,  # many words
        "'; DROP TABLE orders_order; --",
    ]


@pytest.mark.parametrize("few", [1_000, 1, 0])
@pytest.mark.parametrize("sort", ["-created_at", "amount", "-status"])
def test_search_finds_what_the_single_or_found_in_the_same_order(orders, monkeypatch, few, sort):
    # few=1 and 0 send searches that match several customers through the sub-select
    monkeypatch.setattr(filters, "FEW_CUSTOMERS", few)
    for text in terms(orders):
        query = QueryDict(mutable=True)
        query.update({"q": text, "sort": sort})
        new = list(OrderFilter(query, queryset=Order.objects.all()).qs.values_list("pk"))
        everything = Order.objects.order_by(*filters.ordering_for(sort))
        stripped = text.strip()
        old = everything.filter(old_text_match(stripped)) if stripped else everything
        assert new == list(old.values_list("pk")), text


def test_reading_every_match_finds_the_same_orders_through_an_array_of_customers(orders):
    # The insights' sums read every match: the customers become an array the index reads
    cases = [("q", text) for text in terms(orders)] + [
        (field, text)
        for field in ("customer", "referrer")
        for text in ["jansen", "EXAMPLE", "C-2", "nobody", "%"]
    ]
    for field, text in cases:
        query = QueryDict(mutable=True) | {field: text}
        listed = list(OrderFilter(query, queryset=Order.objects.all()).qs.values_list("pk"))
        with filters.reading_every_match():
            summed = OrderFilter(query, queryset=Order.objects.all()).qs
            sql = str(summed.query)
            assert list(summed.values_list("pk")) == listed, (field, text)
        if "customers_customer" in sql:
            assert "= ANY(ARRAY(SELECT" in sql and "EXISTS" not in sql, (field, text)
    # and outside it the list's shapes come back
    with CaptureQueriesContext(connection) as queries:
        list(OrderFilter(QueryDict("q=jansen"), queryset=Order.objects.all()).qs)
    assert "ANY(ARRAY" not in queries.captured_queries[-1]["sql"]


@pytest.mark.parametrize("few", [1_000, 1])
@pytest.mark.parametrize("field", ["customer", "referrer"])
def test_customer_and_referrer_filters_find_what_the_sub_select_found(
    orders, monkeypatch, few, field
):
    monkeypatch.setattr(filters, "FEW_CUSTOMERS", few)
    customer = orders[0].customer
    people = [customer.pk, "C-2", "jansen", "EXAMPLE", "s.jansen@mail.example.org", "piet@jansen"]
    for text in [*people, "@example.net", "nobody", "%", "_", "x" * 300]:
        new = OrderFilter(QueryDict(mutable=True) | {field: text}, queryset=Order.objects.all())
        old = Order.objects.filter(old_person_match(field, text)).order_by("-created_at", "-id")
        assert list(new.qs.values_list("pk")) == list(old.values_list("pk")), text


def _plan(queryset: QuerySet) -> str:
    with transaction.atomic(), connection.cursor() as cursor:
        # On tables this small a scan would do; leave the planner only index look-ups
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        return queryset.values_list("pk", flat=True)[:51].explain()


def test_a_search_matching_one_customer_reads_their_orders_by_index(orders):
    search = OrderFilter(QueryDict("q=s.jansen@mail.example.org"), queryset=Order.objects.all())
    plan = _plan(search.qs)
    # The customer's orders by order_customer_idx, never every order against a sub-select
    assert "order_customer_idx" in plan
    assert "SubPlan" not in plan


def test_a_filter_matching_no_customer_is_still_sql_an_export_can_run(orders):
    filterset = OrderFilter(QueryDict("customer=nobody"), queryset=Order.objects.all())
    assert list(filterset.qs) == []
    sql, params = copy_sql(filterset.qs, ["id"])
    with connection.cursor() as cursor, cursor.cursor.copy(sql, list(params)) as copy:
        assert list(copy) == []


def test_an_email_search_finds_its_customer_by_the_words_before_the_at(orders):
    # The domain's words (example, org) would make the word index read most customers
    customers = customers_matching("s.jansen@mail.example.org")
    assert [c.email for c in customers] == ["s.jansen@mail.example.org"]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        plan = customers.order_by().values("pk").explain()
    index_condition = next(line for line in plan.splitlines() if "Index Cond" in line)
    assert "@@ '''s'':* & ''jansen'':*'::tsquery" in index_condition
    assert "example" in plan.replace(index_condition, "")  # checked on what the index found


@pytest.mark.parametrize("few", [1_000, 1])
def test_the_search_page_costs_one_query_more_than_the_list_whatever_it_finds(
    orders, viewer_client, monkeypatch, django_assert_num_queries, few
):
    # The customers are read first (one query), then the page as before
    monkeypatch.setattr(filters, "FEW_CUSTOMERS", few)
    viewer_client.get("/orders/")  # warm the process caches (schema, row estimates)
    with CaptureQueriesContext(connection) as plain:
        assert viewer_client.get("/orders/").status_code == 200
    for text in ["jansen", "s.jansen@mail.example.org", "zzqqxx"]:
        with django_assert_num_queries(len(plain) + 1):
            response = viewer_client.get("/orders/", {"q": text})
        assert response.status_code == 200
