import pytest
from django.core.exceptions import ValidationError

from core.money import format_money, format_plain, parse_money


@pytest.mark.parametrize(
    ("typed", "minor"),
    [("12.50", 1250), ("12.5", 1250), ("12", 1200), ("1,234.56", 123456), ("$0.99", 99), (7, 700)],
)
def test_parse_money_turns_typed_amounts_into_minor_units(typed, minor):
    assert parse_money(typed) == minor


@pytest.mark.parametrize("typed", ["12.505", "abc", "", "NaN", "1e400000"])
def test_parse_money_rejects_what_is_not_money_with_a_clear_message(typed):
    with pytest.raises(ValidationError) as error:
        parse_money(typed, field="price")
    assert error.value.messages[0].startswith("price: ")


def test_format_money_uses_the_project_currency(settings):
    assert format_money(770050) == "$7,700.50"
    assert format_money(-5) == "-$0.05"
    assert format_money(None) == "—"
    assert format_plain(1250) == "12.50"
    settings.CURRENCY = "JPY"
    assert format_money(1250) == "¥1,250"
    assert parse_money("1250") == 1250
    settings.CURRENCY = "CHF"
    assert format_money(1250) == "12.50 CHF"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("92233720368547758.08", "at most $92,233,720,368,547,758.07"),
        ("99999999999999999999", "at most $92,233,720,368,547,758.07"),
        ("1e400", "at most $92,233,720,368,547,758.07"),
        # an exponent the decimal context cannot scale is refused, not raised as Overflow
        ("1e999999", "at most $92,233,720,368,547,758.07"),
        ("1e99999999999", "at most $92,233,720,368,547,758.07"),
        ("-1e400", "at least -$92,233,720,368,547,758.07"),
        ("Infinity", "enter a finite amount"),
        ("-Infinity", "enter a finite amount"),
        # more digits than the decimal context's precision are not rounded away
        ("1.000000000000000000000000000001", "USD has 2 decimal places"),
        ("1e-99999999999", "USD has 2 decimal places"),
    ],
)
def test_parse_money_refuses_what_a_money_column_cannot_hold(typed, message):
    with pytest.raises(ValidationError) as error:
        parse_money(typed, field="price")
    text = error.value.messages[0]
    assert text.startswith("price: ") and message in text
    assert text.endswith(f"(actual value is '{typed}')")


def test_parse_money_accepts_the_largest_amount_a_money_column_holds():
    assert parse_money("92,233,720,368,547,758.07") == 2**63 - 1
    assert parse_money("-92233720368547758.07") == -(2**63 - 1)
