"""Labels for the dashboard's small inline charts (the customer's spend per month).

Load with ``{% load charts %}``.
"""

from decimal import Decimal

from django import template

from core.money import format_money, to_decimal

register = template.Library()

_SCALES = ((Decimal(10) ** 9, "B"), (Decimal(10) ** 6, "M"), (Decimal(10) ** 3, "k"))


@register.filter
def short_money(minor_units: int) -> str:
    """``128_650`` → ``"$1.3k"``, ``4_500`` → ``"$45"``: a bar's label, short enough to stand
    above its bar. The exact amounts are in the chart's table of values."""
    full = format_money(minor_units)
    digits = [index for index, char in enumerate(full) if char.isdigit()]
    prefix, suffix = full[: digits[0]], full[digits[-1] + 1 :]
    value = abs(to_decimal(minor_units))
    for scale, letter in _SCALES:
        if value >= scale:
            number = f"{value / scale:.1f}".removesuffix(".0") + letter
            break
    else:
        number = f"{value:.0f}"
    return f"{prefix}{number}{suffix}"
