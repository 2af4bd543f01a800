import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from core.money import MoneyField, format_money, format_plain, parse_money


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


@pytest.mark.parametrize(
    ("typed", "minor"),
    [
        ("12,50", 1250),
        ("12.50", 1250),
        ("0,99", 99),
        (",5", 50),
        ("1,250.00", 125000),
        ("1.250,00", 125000),
        ("1 250,00", 125000),
        ("1\u202f250,00", 125000),
        ("1'250.00", 125000),
        ("12,50 $", 1250),
        ("USD 12,50", 1250),
        ("-$5", -500),
        ("1.234.567,89", 123456789),
        ("1,234,567", 123456700),
        # in English a lone comma before three digits groups thousands
        ("1,250", 125000),
    ],
)
def test_parse_money_reads_commas_and_points_as_people_write_them(typed, minor):
    assert parse_money(typed) == minor


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1,2345", "USD has 2 decimal places"),
        ("12,5,0", "enter an amount such as 12.50 or 12,50"),
        ("1.2.3", "enter an amount such as 12.50 or 12,50"),
        ("1,25,000.00", "enter an amount such as 12.50 or 12,50"),
        ("1.250.00", "enter an amount such as 12.50 or 12,50"),
        ("12,50,", "enter an amount such as 12.50 or 12,50"),
    ],
)
def test_parse_money_refuses_separators_it_cannot_read_one_way(typed, message):
    with pytest.raises(ValidationError) as error:
        parse_money(typed, field="price")
    assert error.value.messages[0] == f"price: {message} (actual value is '{typed}')"


def _two_readings(typed: str) -> str:
    with pytest.raises(ValidationError) as error:
        parse_money(typed, field="price")
    return error.value.messages[0]


def test_a_lone_separator_before_three_digits_groups_only_as_the_locale_does():
    # English groups with a comma; "1.250" is 1250 to a German reader: neither is guessed
    assert parse_money("1,250") == 125000
    expected = "price: USD has 2 decimal places; to group thousands, write 1250 or "
    assert _two_readings("1.250") == f"{expected}1,250.00 (actual value is '1.250')"
    with translation.override("de"):
        assert parse_money("1.250") == 125000
        assert parse_money("12,50") == 1250
        assert _two_readings("1,250") == f"{expected}1,250.00 (actual value is '1,250')"
    with translation.override("fr"):  # groups with a space: both are unclear
        assert _two_readings("1,250").startswith(expected)
        assert _two_readings("1.250").startswith(expected)
        assert parse_money("1 250,50") == 125050


@pytest.mark.parametrize("currency", ["JPY", "KWD"])
def test_decimal_commas_follow_the_currencys_decimals(settings, currency):
    settings.CURRENCY = currency
    if currency == "JPY":
        assert parse_money("1,250") == 1250
        with pytest.raises(ValidationError, match="JPY has 0 decimal places"):
            parse_money("12,50")
    else:  # with three decimals, a point before three digits marks them
        assert parse_money("1,250") == 1250000
        assert parse_money("1.250") == 1250
        assert parse_money("1,250.125") == 1250125
        assert parse_money("0,125") == 125


@pytest.mark.parametrize(
    ("typed", "cleaned"), [("12,50", 1250), ("1.250,00", 125000), ("", None), ("  ", None)]
)
def test_the_money_field_cleans_to_minor_units(typed, cleaned):
    assert MoneyField(label="Price").clean(typed) == cleaned


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1.2.3", "Enter an amount such as 12.50 or 12,50 (actual value is '1.2.3')"),
        ("-1", "Enter zero or more (actual value is '-1')."),
        ("1e400", "Must be at most $92,233,720,368,547,758.07 (actual value is '1e400')"),
    ],
)
def test_the_money_field_explains_refusals_under_the_input(typed, message):
    with pytest.raises(ValidationError) as error:
        MoneyField(label="Price").clean(typed)
    assert error.value.messages == [message]
