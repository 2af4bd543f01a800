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
