import pytest
from django.core.exceptions import ValidationError

from orders.models import MAX_ITEMS
from orders.totals import ItemInput, compute_totals


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
