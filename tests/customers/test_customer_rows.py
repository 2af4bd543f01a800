"""The customers table's rows, rendered in Python: the markup the template's loop gave."""

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import timezone

from customers.models import Customer
from customers.selectors import LIST_FIELDS
from customers.templatetags.customer_rows import customer_rows
from tests.factories import CustomerFactory, MarketingUserFactory

pytestmark = pytest.mark.django_db

# The loop the list's template had before the rows were rendered in Python.
TEMPLATE_ROWS = Template(
    "{% load dashboard %}{% for customer in customers %}"
    '<tr><td data-label="Name"><a href="{{ customer.get_absolute_url }}">'
    "{{ customer.name|default:customer.id }}</a></td>"
    '<td data-label="Email">{{ customer.email|default:"—" }}</td>'
    '<td class="mono" data-label="Source ID">{{ customer.source_id|default:"—" }}</td>'
    '<td class="num" data-label="Orders">{{ customer.orders_total_count }}</td>'
    '<td class="num" data-label="Total spent">{{ customer.orders_total_amount|money }}</td>'
    '<td class="nowrap" data-label="Last order">'
    "{{ customer.orders_last_order_date|local_time }}</td></tr>"
    "{% if not forloop.last %}\n{% endif %}{% endfor %}"
)


def test_rows_are_what_the_template_gave():
    CustomerFactory(name="Ada <Lovelace> & \"Co\" 'x'", email="ada@example.com")
    CustomerFactory(name="", email="", source_id="")  # falls back to the id and dashes
    CustomerFactory(name="", email="o'brien@example.com", source_id="S&P-1")
    odd = CustomerFactory(name="Zoë")
    Customer.objects.filter(pk=odd.pk).update(
        orders_total_count=12,
        orders_total_amount=123_456_789,
        orders_last_order_date=datetime(2026, 7, 1, 9, 30, tzinfo=UTC),
    )
    customers = list(Customer.objects.only(*LIST_FIELDS).order_by("id"))

    with timezone.override(ZoneInfo("Europe/Warsaw")):
        expected = TEMPLATE_ROWS.render(Context({"customers": customers}))
        html = customer_rows(customers, "/customers/")

    assert html == expected
    assert "2026-07-01 11:30 CEST" in html
    assert re.search(r"Ada &lt;Lovelace&gt; &amp; &quot;Co&quot; &#x27;x&#x27;", html)


def test_the_list_page_shows_the_rows(client):
    CustomerFactory(name="Grace Hopper")
    client.force_login(MarketingUserFactory())
    response = client.get("/customers/")
    assert response.status_code == 200
    assert ">Grace Hopper</a></td>" in response.content.decode()


def test_an_empty_list_says_so(client):
    client.force_login(MarketingUserFactory())
    assert "No customers yet." in client.get("/customers/").content.decode()
