"""Filters in words: the one renderer behind the list's chips, the Export dialog, saved views
and Audit log › Exports."""

from datetime import UTC

import pytest
from django.http import QueryDict

from customers.models import Segment
from metadata.models import MetadataProperty, MetadataSchema
from orders.filter_descriptions import describe, describe_query
from orders.filters import OrderFilter
from orders.models import Order
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_every_filter_reads_as_words_in_one_sentence():
    # Given a query with most kinds of filter, a customer by id and a sort
    ada = CustomerFactory(name="Ada Lovelace")
    segment = Segment.objects.create(name="High spenders", conditions={})
    schema = MetadataSchema.objects.create(related_object="order")
    MetadataProperty.objects.create(schema=schema, name="channel", type="string")
    query = (
        "status=PAID&status=CANCELED&q=navy&created_after=2026-05-01"
        "&updated_before=2026-05-31T14:00Z&amount_min=100&discount_max=5.5"
        f"&customer={ada.pk}&referrer=grace&has_referrer=false&source_id=ext&"
        f"source_id_match=contains&meta=channel:eq:web&segment={segment.pk}&sort=-amount"
    )

    # When it is described
    text = describe_query(query)

    # Then it is one sentence of the filters, in words, with the sort last
    assert text == (
        "Search: navy, Status is Paid or Canceled, Created from 2026-05-01, "
        "Updated to 2026-05-31 14:00 UTC, Amount from $100.00, Discount to $5.50, "
        "Customer is Ada Lovelace, Referrer matches “grace”, Source ID contains ext, "
        "No referrer, channel is web, Customer in segment High spenders; "
        "sorted by Amount, high to low"
    )


def test_no_filters_and_the_default_sort_read_as_all_orders():
    assert describe_query("") == "All orders"
    assert describe_query("sort=-created_at&page=3") == "All orders"
    assert describe_query("sort=amount", with_sort=False) == "All orders"


def test_filters_that_cannot_be_read_are_left_out():
    assert describe_query("amount_min=abc&status=PAID") == "Status is Paid"


def test_each_phrase_names_the_parameter_that_removes_it():
    filterset = OrderFilter(
        QueryDict("status=PAID&status=CANCELED&amount_max=20"),
        queryset=Order.objects.none(),
        zone=UTC,
    )
    phrases = [(p.text, p.parameter, p.value) for p in describe(filterset)]
    assert phrases == [
        ("Status is Paid", "status", "PAID"),
        ("Status is Canceled", "status", "CANCELED"),
        ("Amount to $20.00", "amount_max", None),
    ]
