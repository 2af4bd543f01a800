"""``customers.selectors.contains_q``: an email is looked up by the text before its ``@``
through the trigram index, and must find what ``icontains`` of the whole text found."""

import pytest
from django.db import connection, transaction
from django.db.models import Q
from django.http import QueryDict

from customers.filters import CustomerFilter
from customers.models import Customer
from customers.selectors import contains_q
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

TERMS = [
    "ada@example.com",  # an exact email
    "ADA@EXAMPLE.COM",
    "ada@example",  # a piece of one
    "a.lovelace@",
    "@example.com",  # only a domain
    "ab@example.com",  # too little before the @ to look up
    "da@exam",
    "100%@x.test",  # LIKE's wildcards are text here
    "_@x.test",
    "ada@example.com@again",
    "Ada Lovelace",
    "lovelace",
    "zzqqxx@nowhere.example",
    "x" * 300 + "@example.com",
]


@pytest.fixture
def customers() -> list[Customer]:
    return [
        CustomerFactory(name="Ada Lovelace", email="ada@example.com", source_id="C-1"),
        CustomerFactory(name="Ada Byron", email="a.lovelace@example.org"),
        CustomerFactory(name="Grace Hopper", email="grace.ada@example.com"),
        CustomerFactory(name="Wild Card", email="100%@x.test"),
        CustomerFactory(name="Under Score", email="a_b@x.test"),
        CustomerFactory(name="ada@example.com", email="twice@example.net"),
        CustomerFactory(name="Nobody", email=""),
    ]


@pytest.mark.parametrize("field", ["name", "email"])
def test_contains_q_finds_what_icontains_found(customers, field):
    for text in TERMS:
        new = Customer.objects.filter(contains_q(field, text)).order_by("pk")
        old = Customer.objects.filter(**{f"{field}__icontains": text}).order_by("pk")
        assert list(new) == list(old), text


def test_the_customers_search_finds_what_it_found_before(customers):
    for text in [*TERMS, customers[0].pk, "C-1", "", "  "]:
        new = CustomerFilter(QueryDict(mutable=True) | {"q": text}, queryset=Customer.objects.all())
        stripped = text.strip()
        old = Customer.objects.order_by("-created_at", "-id")
        if stripped:
            old = old.filter(
                Q(name__icontains=stripped)
                | Q(email__icontains=stripped)
                | Q(pk=stripped)
                | Q(source_id=stripped)
            )
        assert list(new.qs.values_list("pk")) == list(old.values_list("pk")), text


def test_an_email_is_looked_up_by_the_text_before_the_at(customers):
    with transaction.atomic(), connection.cursor() as cursor:
        # On a table this small a scan would do; leave the planner only bitmap index look-ups
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        plan = Customer.objects.filter(contains_q("email", "ada@example.com")).explain()
    index_condition = next(line for line in plan.splitlines() if "Index Cond" in line)
    assert "customer_email_trgm_idx" in plan
    assert "'%ADA%'" in index_condition
    assert "EXAMPLE" not in index_condition
