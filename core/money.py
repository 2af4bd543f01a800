"""Money is an integer number of minor units (7700 = 77.00) everywhere in Campaign Hub.

These helpers are the only place that turns typed text into minor units and back, using the
project currency (``settings.CURRENCY``) and its number of decimals.
"""

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import BigIntegerField
from django.utils.formats import get_format

# ISO 4217 currencies whose minor unit is not 1/100; everything else has two decimals.
_DECIMALS = {
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0,
    "RWF": 0, "UGX": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
    "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
}  # fmt: skip
# Every money column is a bigint: no amount, typed or computed, may be larger than one holds.
MAX_MINOR_UNITS = BigIntegerField.MAX_BIGINT

_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "PLN": "zł", "INR": "₹"}


def currency() -> str:
    return settings.CURRENCY


def decimals() -> int:
    configured = getattr(settings, "CURRENCY_DECIMALS", None)
    if configured is not None:
        return configured
    return _DECIMALS.get(currency(), 2)


# Grouping characters people type between digits (spaces of several widths, apostrophes);
# commas and points are told apart by ``_canonical``.
_GAPS = re.compile(r"[\s\u00a0\u202f'’_]")
_DIGITS_AND_SEPARATORS = re.compile(r"[\d.,]+")
_EXPONENT = re.compile(r"(?P<mantissa>[\d.,]*)(?P<exponent>[eE][-+]?\d+)")


class _Unreadable(ValueError):
    """Typed digits and separators that no locale writes (``1.2.3``, ``12,34,5``)."""


class _TwoReadings(ValueError):
    """``1,250`` or ``1.250`` where the locale does not say which the separator is."""


def _grouped(whole: str, separator: str) -> bool:
    """Whether ``whole`` is digits grouped in threes by ``separator`` (``12,345,678``)."""
    pattern = rf"[1-9]\d{{0,2}}(?:{re.escape(separator)}\d{{3}})+"
    return re.fullmatch(pattern, whole) is not None


def _canonical(number: str) -> str:
    """Digits with commas and points as some locale writes them → ``1234.56``.

    With both separators, the last one marks the decimals and the other groups thousands
    (``1,250.00`` and ``1.250,00``). A lone separator followed by exactly three digits
    (``1,250``) groups thousands when the active locale groups with it
    (``django.utils.formats``); it marks decimals only for a currency with three. Otherwise
    it is refused rather than guessed: a wrong guess is ×1000.
    """
    commas, points = number.count(","), number.count(".")
    if not commas and not points:
        return number
    if commas and points:
        decimal = "," if number.rfind(",") > number.rfind(".") else "."
        grouping = "." if decimal == "," else ","
        whole, _, fraction = number.rpartition(decimal)
        if decimal in whole or not _grouped(whole, grouping):
            raise _Unreadable(number)
        return f"{whole.replace(grouping, '')}.{fraction}"
    separator = "," if commas else "."
    if number.count(separator) > 1:
        if not _grouped(number, separator):
            raise _Unreadable(number)
        return number.replace(separator, "")
    whole, _, fraction = number.partition(separator)
    if len(fraction) == 3 and _grouped(number, separator):
        if separator == get_format("THOUSAND_SEPARATOR"):
            return whole + fraction
        if decimals() < 3 or separator != get_format("DECIMAL_SEPARATOR"):
            raise _TwoReadings(number)
    return f"{whole}.{fraction}"


def _strip_currency(raw: str) -> str:
    """``$12.50``, ``12,50 €``, ``USD 12.50``, ``-$5`` → the signed number alone."""
    sign = ""
    if raw[:1] in "+-":
        sign, raw = raw[:1], raw[1:]
    for mark in filter(None, (_SYMBOLS.get(currency()), currency())):
        if raw.upper().startswith(mark.upper()):
            raw = raw[len(mark) :]
        elif raw.upper().endswith(mark.upper()):
            raw = raw[: -len(mark)]
    raw = raw.strip()
    if not sign and raw[:1] in "+-":
        sign, raw = raw[:1], raw[1:]
    return sign + raw


def parse_money(text: str | int | Decimal, *, field: str = "amount") -> int:
    """Turn typed money into minor units: ``"12.50"``, ``"12,50"``, ``"1,234.50"``,
    ``"1.234,50"``, ``"$12.50"`` and ``12`` are all read as a person means them.

    Raises ``ValidationError`` with a message a person understands for anything else,
    including more decimals than the currency has and separators that could be read two ways.
    """
    raw = _strip_currency(_GAPS.sub("", str(text).strip()))
    sign, body = (raw[:1], raw[1:]) if raw[:1] in "+-" else ("", raw)
    exponent = _EXPONENT.fullmatch(body)
    mantissa, power = (exponent["mantissa"], exponent["exponent"]) if exponent else (body, "")
    try:
        if _DIGITS_AND_SEPARATORS.fullmatch(mantissa):
            mantissa = _canonical(mantissa)
        value = Decimal(f"{sign}{mantissa}{power}")
    except _TwoReadings:
        whole, fraction = re.split(r"[.,]", mantissa)
        raise ValidationError(
            f"{field}: {currency()} has {decimals()} decimal places; to group thousands, "
            f"write {whole}{fraction} or {whole},{fraction}.00 (actual value is '{text}')",
            code="ambiguous_money",
        ) from None
    except (InvalidOperation, _Unreadable):
        raise ValidationError(
            f"{field}: enter an amount such as 12.50 or 12,50 (actual value is '{text}')",
            code="invalid_money",
        ) from None
    if not value.is_finite():
        raise ValidationError(f"{field}: enter a finite amount (actual value is '{text}')")
    # Checked before any arithmetic: "1e999999" would overflow the decimal context, and
    # within the limit every step below is exact.
    if value.copy_abs() > to_decimal(MAX_MINOR_UNITS):
        largest = format_money(MAX_MINOR_UNITS)
        bound = f"at most {largest}" if value > 0 else f"at least -{largest}"
        raise ValidationError(
            f"{field}: must be {bound} (actual value is '{text}')", code="too_large"
        )
    whole_minor_units = value.quantize(Decimal(1).scaleb(-decimals()))
    if whole_minor_units != value:
        raise ValidationError(
            f"{field}: {currency()} has {decimals()} decimal places (actual value is '{text}')",
            code="too_many_decimals",
        )
    return int(whole_minor_units.scaleb(decimals()))


def to_decimal(minor_units: int) -> Decimal:
    return Decimal(minor_units).scaleb(-decimals())


def format_money(minor_units: int | None) -> str:
    """``1250`` → ``"$12.50"`` in the project currency; ``None`` → ``"—"``."""
    if minor_units is None:
        return "—"
    places = decimals()
    sign = "-" if minor_units < 0 else ""
    number = f"{abs(to_decimal(minor_units)):,.{places}f}"
    symbol = _SYMBOLS.get(currency())
    if symbol:
        return f"{sign}{symbol}{number}"
    return f"{sign}{number} {currency()}"


def money_formatter() -> Callable[[int], str]:
    """A function giving what ``format_money`` gives for integer minor units, faster.

    ``format_money`` reads the settings and goes through ``Decimal`` for every amount; a page
    has two amounts a row. This reads the settings once and formats with integer arithmetic
    (exact at any size); the symbol and its place come from ``format_money`` itself.
    """
    places = decimals()
    unit = 10**places
    one = "1" + (f".{'0' * places}" if places else "")
    prefix, _, suffix = format_money(unit).partition(one)

    def formatted(minor_units: int) -> str:
        whole, fraction = divmod(abs(minor_units), unit)
        number = f"{whole:,}.{fraction:0{places}d}" if places else f"{whole:,}"
        return f"{'-' if minor_units < 0 else ''}{prefix}{number}{suffix}"

    return formatted


def format_plain(minor_units: int | None) -> str:
    """``1250`` → ``"12.50"``: the form a person types back into an input."""
    if minor_units is None:
        return ""
    return f"{to_decimal(minor_units):.{decimals()}f}"


class MoneyField(forms.CharField):
    """The money input of every dashboard form: typed money → minor units; blank → ``None``.

    Reads what ``parse_money`` reads (``12,50`` and ``12.50`` alike) and shows its errors
    without the field-name prefix the API needs, since the form puts them under the input.
    Money typed in the dashboard is never negative. A text input, not a number input: a number
    input would refuse "1,234.50" in one locale and "12,50" in another.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        return format_plain(value) if isinstance(value, int) else value

    def clean(self, value: Any) -> int | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            amount = parse_money(text, field=str(self.label or "amount"))
        except ValidationError as error:
            message = error.messages[0].split(": ", 1)[-1]
            raise ValidationError(message[:1].upper() + message[1:], code=error.code) from None
        if amount < 0:
            raise ValidationError(
                f"Enter zero or more (actual value is '{text}').", code="min_value"
            )
        return amount
