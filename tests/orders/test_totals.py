import pytest
from django.core.exceptions import ValidationError

from orders.models import MAX_ITEMS
from orders.totals import MAX_AMOUNT, MAX_ITEMS_COUNT, MAX_QUANTITY, ItemInput, compute_totals


def test_items_give_amount_discounts_and_total():
    # Given two lines, one with its own discount, and an order-level discount
    items = [ItemInput(quantity=2, price=1500, discount_amount=300), ItemInput(1, 4700)]

    # When the totals are computed
    totals = compute_totals(items, discount_amount=500)

    # Then they follow the reference's rules
    assert [i.amount for i in totals.items] == [3000, 4700]
    assert [i.subtotal_amount for i in totals.items] == [2700, 4700]
    assert totals.amount == totals.initial_amount == 7700
    assert totals.items_discount_amount == 300
    assert totals.total_discount_amount == 800
    assert totals.total_amount == 6900
    assert totals.items_count == 3


def test_items_without_any_discount():
    totals = compute_totals([ItemInput(3, 250)])
    assert (totals.amount, totals.total_discount_amount, totals.total_amount) == (750, 0, 750)


def test_total_only_order():
    totals = compute_totals(amount=7700, discount_amount=700)
    assert totals.items == ()
    assert (totals.amount, totals.total_discount_amount, totals.total_amount) == (7700, 700, 7000)
    assert totals.items_count == 0


def test_total_only_order_without_discount():
    totals = compute_totals(amount=0)
    assert (totals.amount, totals.total_amount) == (0, 0)


def test_amount_matching_items_is_accepted():
    assert compute_totals([ItemInput(2, 100)], amount=200).amount == 200


@pytest.mark.parametrize(
    ("kwargs", "field", "fragment"),
    [
        ({}, "amount", "give the order's items or its total amount"),
        ({"items": [ItemInput(2, 100)], "amount": 300}, "amount", "sum of the item amounts, 200"),
        ({"amount": -1}, "amount", "zero or more"),
        ({"items": [ItemInput(0, 100)]}, "items.1.quantity", "whole number ≥ 1"),
        ({"items": [ItemInput(1, 1), ItemInput(1, -5)]}, "items.2.price", "zero or more"),
        ({"items": [ItemInput(1, 100, 101)]}, "items.1.discount_amount", "cannot exceed"),
        ({"amount": 100, "discount_amount": 101}, "discount_amount", "cannot be negative"),
        ({"items": [ItemInput(1, 100, 60)], "discount_amount": 50}, "discount_amount", "exceed"),
        ({"amount": 12.5}, "amount", "whole number"),
        ({"items": [ItemInput(True, 100)]}, "items.1.quantity", "whole number"),
    ],
)
def test_rejects_negative_fractional_and_contradictory_input(kwargs, field, fragment):
    with pytest.raises(ValidationError) as error:
        compute_totals(kwargs.pop("items", ()), **kwargs)
    assert fragment in " ".join(error.value.message_dict[field])


def test_at_most_500_items():
    compute_totals([ItemInput(1, 1)] * MAX_ITEMS)
    with pytest.raises(ValidationError) as error:
        compute_totals([ItemInput(1, 1)] * (MAX_ITEMS + 1))
    assert "at most 500 items" in error.value.message_dict["items"][0]


# --- the columns' range ------------------------------------------------------------------

BIGINT = 2**63 - 1  # every amount and price column
INTEGER = 2**31 - 1  # item quantity and the order's items_count


def test_the_limits_are_the_columns():
    assert (MAX_AMOUNT, MAX_QUANTITY, MAX_ITEMS_COUNT) == (BIGINT, INTEGER, INTEGER)


def test_values_at_the_columns_limits_are_accepted():
    # A line at the largest price, discounted to nothing
    line = compute_totals([ItemInput(1, BIGINT, BIGINT)])
    assert (line.amount, line.items_discount_amount, line.total_amount) == (BIGINT, BIGINT, 0)
    # The largest quantity, and lines summing exactly to the largest amount
    assert compute_totals([ItemInput(INTEGER, 1)]).items_count == INTEGER
    assert compute_totals([ItemInput(1, BIGINT - 7), ItemInput(7, 1)]).amount == BIGINT
    # A total-only order at the largest amount and discount
    assert compute_totals(amount=BIGINT, discount_amount=BIGINT).total_amount == 0


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        (
            {"amount": BIGINT + 1},
            "amount",
            "must be at most $92,233,720,368,547,758.07 (actual value is '9223372036854775808')",
        ),
        (
            {"amount": 1, "discount_amount": BIGINT + 1},
            "discount_amount",
            "must be at most $92,233,720,368,547,758.07",
        ),
        (
            {"items": [ItemInput(1, 1), ItemInput(1, BIGINT + 1)]},
            "items.2.price",
            "must be at most $92,233,720,368,547,758.07",
        ),
        (
            {"items": [ItemInput(1, 5, BIGINT + 1)]},
            "items.1.discount_amount",
            "must be at most $92,233,720,368,547,758.07",
        ),
        (
            {"items": [ItemInput(1, 1), ItemInput(10**20, 1)]},
            "items.2.quantity",
            "must be at most 2,147,483,647 (actual value is '100000000000000000000')",
        ),
        # price × quantity: the quantity is named with the most it may be at that price
        (
            {"items": [ItemInput(4, BIGINT // 3)]},
            "items.1.quantity",
            "must be at most 3 at a price of $30,744,573,456,182,586.02: an item amount "
            "cannot exceed $92,233,720,368,547,758.07 (actual value is '4')",
        ),
        # the lines' sum: the line that takes it over is named
        (
            {"items": [ItemInput(1, BIGINT - 1), ItemInput(1, 1), ItemInput(1, 1)]},
            "items.3.quantity",
            "makes the order amount exceed $92,233,720,368,547,758.07: the items before it "
            "already come to $92,233,720,368,547,758.07",
        ),
        # items_count = Σ quantity
        (
            {"items": [ItemInput(INTEGER, 0), ItemInput(1, 0)]},
            "items.2.quantity",
            "makes the order's units exceed 2,147,483,647: the items before it already "
            "hold 2,147,483,647",
        ),
    ],
)
def test_values_beyond_the_columns_name_their_field_and_the_limit(kwargs, field, message):
    with pytest.raises(ValidationError) as error:
        compute_totals(kwargs.pop("items", ()), **kwargs)
    assert list(error.value.message_dict) == [field]
    assert message in error.value.message_dict[field][0]
