"""Money is an integer number of minor units (7700 = 77.00) everywhere in Campaign Hub.

These helpers are the only place that turns typed text into minor units and back, using the
project currency (``settings.CURRENCY``) and its number of decimals.
"""

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import BigIntegerField

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


def parse_money(text: str | int | Decimal, *, field: str = "amount") -> int:
    """Turn typed money (``"12.50"``, ``"1,234.5"``, ``12``) into minor units (``1250``).

    Raises ``ValidationError`` with a message a person understands for anything else,
    including more decimals than the currency has.
    """
    raw = str(text).strip().replace(",", "").replace("_", "")
    symbol = _SYMBOLS.get(currency())
    if symbol and raw.startswith(symbol):
        raw = raw[len(symbol) :].strip()
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ValidationError(
            f"{field}: enter an amount such as 12.50 (actual value is '{text}')",
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


def format_plain(minor_units: int | None) -> str:
    """``1250`` → ``"12.50"``: the form a person types back into an input."""
    if minor_units is None:
        return ""
    return f"{to_decimal(minor_units):.{decimals()}f}"
