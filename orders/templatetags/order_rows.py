"""The orders table's rows, rendered in Python.

The list shows up to 100 rows of eight cells; through the template engine (or ``format_html``
per cell) that is thousands of look-ups and escapes per page, a large part of the page's time
at a million orders. Here each row is one f-string: only the text that comes from data people
type (ids, customer names) is escaped, the rest (badges, money, times) is built from values
that cannot hold markup. The markup is the same as the template gave: the badges are
``core.templatetags.dashboard.badge``'s, the money ``core.money.money_formatter``'s.
"""

from collections.abc import Callable, Iterable
from datetime import tzinfo
from html import escape

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from core.money import money_formatter
from core.templatetags.dashboard import badge
from core.times import local_time
from orders.models import Order, OrderStatus
from orders.selectors import OrderRow

register = template.Library()

# core.templatetags.dashboard's badge, built once per status.
BADGES = {status.value: badge(status.value, status.label) for status in OrderStatus}
NO_CUSTOMER = '<span class="muted">—</span>'


def _customer_label(order: Order | OrderRow) -> str:
    if isinstance(order, OrderRow):
        return order.customer_label
    return str(order.customer)


def _row(
    order: Order | OrderRow,
    orders_url: str,
    customers_url: str,
    money: Callable[[int], str],
    zone: tzinfo,
) -> str:
    order_id = escape(order.id)
    if order.customer_id:
        customer = (
            f'<a href="{customers_url}{escape(order.customer_id)}/">'
            f"{escape(_customer_label(order))}</a>"
        )
    else:
        customer = NO_CUSTOMER
    status = BADGES.get(order.status) or escape(order.status)
    created = local_time(order.created_at, zone)
    return (
        f'<tr><td data-label="Status">{status}</td>'
        f'<td data-label="ID"><a class="mono" href="{orders_url}{order_id}/">{order_id}</a></td>'
        f'<td class="customer" data-label="Customer">{customer}</td>'
        f'<td class="num" data-label="Items">{order.items_count}</td>'
        f'<td class="num" data-label="Amount">{escape(money(order.amount))}</td>'
        f'<td class="num" data-label="Discounted amount">{escape(money(order.total_amount))}</td>'
        f'<td class="nowrap" data-label="Created">{created}</td></tr>'
    )


@register.simple_tag
def order_rows(
    orders: Iterable[Order | OrderRow], orders_url: str, customers_url: str
) -> SafeString:
    """One ``<tr>`` per order: status, id, customer, items, amount, discounted, created."""
    orders_url, customers_url = escape(orders_url), escape(customers_url)
    money = money_formatter()
    zone = timezone.get_current_timezone()
    return mark_safe(  # noqa: S308 - every value from data is escaped in _row
        "\n".join(_row(order, orders_url, customers_url, money, zone) for order in orders)
    )
