"""Labels for the dashboard's small inline charts (the customer's spend per month).

Load with ``{% load charts %}``.
"""

from decimal import ROUND_HALF_UP, Decimal

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
            tenths = (value / scale).quantize(Decimal("0.1"), ROUND_HALF_UP)
            number = f"{tenths}".removesuffix(".0") + letter
            break
    else:
        number = f"{value.quantize(Decimal(1), ROUND_HALF_UP)}"
    return f"{prefix}{number}{suffix}"
