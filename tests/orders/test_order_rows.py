"""The orders table's rows, rendered in Python: the same markup and money as the template
helpers give."""

import random
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings
from django.utils import timezone

from core.money import format_money, money_formatter
from core.templatetags.dashboard import local_time, status_badge
from orders.models import Order, OrderStatus
from orders.selectors import order_list_page
from orders.templatetags.order_rows import BADGES, order_rows
from tests.factories import CustomerFactory, make_order


@pytest.mark.parametrize(
    ("currency", "places"), [("USD", None), ("JPY", None), ("CHF", None), ("KWD", None)]
)
def test_money_is_formatted_as_format_money_does(currency, places):
    amounts = [0, 1, -1, 99, 100, 7700, -123_456_789, 10**15, -(10**15)]
    amounts += [random.randint(-(10**15), 10**15) for _ in range(500)]
    with override_settings(CURRENCY=currency, CURRENCY_DECIMALS=places):
        formatted = money_formatter()
        assert [formatted(a) for a in amounts] == [format_money(a) for a in amounts]


def test_badges_are_the_dashboard_status_badges():
    class Obj:
        def __init__(self, status):
            self.status = status

        def get_status_display(self):
            return OrderStatus(self.status).label

    assert {s: str(status_badge(Obj(s))) for s in OrderStatus.values} == BADGES


@pytest.mark.django_db
def test_a_row_reads_as_the_template_gave_it():
    ada = CustomerFactory(name="Ada Lovelace")
    order = make_order(items=0, customer=ada, amount=7700, status=OrderStatus.PAID)
    page = order_list_page(Order.objects.filter(pk=order.pk).order_by("-id"), number=1, per_page=20)
    html = order_rows(page.rows, "/orders/", "/customers/")
    assert html == (
        f'<tr><td data-label="Status"><span class="badge badge-paid">Paid</span></td>'
        f'<td data-label="ID"><a class="mono" href="/orders/{order.pk}/">{order.pk}</a></td>'
        f'<td class="customer" data-label="Customer">'
        f'<a href="/customers/{ada.pk}/">Ada Lovelace</a></td>'
        f'<td class="num" data-label="Items">0</td>'
        f'<td class="num" data-label="Amount">{format_money(order.amount)}</td>'
        f'<td class="num" data-label="Discounted amount">{format_money(order.total_amount)}</td>'
        f'<td class="nowrap" data-label="Created">{local_time(order.created_at)}</td></tr>'
    )
    # Order instances (other callers of order_page) give the same row

    assert order_rows([Order.objects.get(pk=order.pk)], "/orders/", "/customers/") == html


@pytest.mark.django_db
def test_a_rows_created_time_is_in_the_active_zone():
    order = make_order(items=0, amount=7700)
    Order.objects.filter(pk=order.pk).update(created_at=datetime(2026, 7, 1, 9, 30, tzinfo=UTC))

    with timezone.override(ZoneInfo("Europe/Warsaw")):
        html = order_rows([Order.objects.get(pk=order.pk)], "/orders/", "/customers/")

    assert '<td class="nowrap" data-label="Created">2026-07-01 11:30 CEST</td>' in html
