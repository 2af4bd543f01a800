"""The one place order amounts are computed (the reference's rules, in minor units).

- item ``amount`` = ``price × quantity``; item ``subtotal_amount`` = ``amount − discount_amount``
- order ``amount`` = Σ item ``amount`` (or the given amount when the order has no items)
- ``items_discount_amount`` = Σ item ``discount_amount``
- ``total_discount_amount`` = ``discount_amount + items_discount_amount``
- ``total_amount`` = ``amount − total_discount_amount``

No amount can be negative; anything that would make one negative is rejected with a message
naming the field (``items.2.quantity``, ``discount_amount`` ...).
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from .models import MAX_ITEMS


@dataclass(frozen=True)
class ItemInput:
    quantity: int
    price: int
    discount_amount: int = 0


@dataclass(frozen=True)
class ItemTotals:
    quantity: int
    price: int
    amount: int
    discount_amount: int
    subtotal_amount: int


@dataclass(frozen=True)
class OrderTotals:
    amount: int
    initial_amount: int
    discount_amount: int
    items_discount_amount: int
    total_discount_amount: int
    total_amount: int
    items_count: int
    items: tuple[ItemTotals, ...]


def _whole(value: object, field: str, *, minimum: int) -> int:
    # bool is an int in Python; a True quantity is a bug in the caller, not a 1.
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(
            {field: f"must be a whole number (actual value is '{value}')"}, code="invalid"
        )
    if value < minimum:
        what = "a whole number ≥ 1" if minimum == 1 else "zero or more"
        raise ValidationError({field: f"must be {what} (actual value is '{value}')"}, code="min")
    return value


def compute_totals(
    items: Sequence[ItemInput] = (),
    *,
    amount: int | None = None,
    discount_amount: int = 0,
) -> OrderTotals:
    """Compute every amount of an order from its items, or from ``amount`` when it has none.

    With items, ``amount`` may be given only if it equals the items' total. Raises
    ``ValidationError`` (a dict keyed by field) for negative, fractional or contradictory input.
    """
    if len(items) > MAX_ITEMS:
        raise ValidationError(
            {"items": f"an order holds at most {MAX_ITEMS} items (actual count is {len(items)})"},
            code="too_many_items",
        )
    discount_amount = _whole(discount_amount, "discount_amount", minimum=0)

    computed: list[ItemTotals] = []
    for index, item in enumerate(items, start=1):
        quantity = _whole(item.quantity, f"items.{index}.quantity", minimum=1)
        price = _whole(item.price, f"items.{index}.price", minimum=0)
        item_discount = _whole(item.discount_amount, f"items.{index}.discount_amount", minimum=0)
        line_amount = price * quantity
        if item_discount > line_amount:
            raise ValidationError(
                {
                    f"items.{index}.discount_amount": (
                        f"cannot exceed the item amount {line_amount} "
                        f"(actual value is '{item_discount}')"
                    )
                },
                code="negative_subtotal",
            )
        computed.append(
            ItemTotals(quantity, price, line_amount, item_discount, line_amount - item_discount)
        )

    if computed:
        items_amount = sum(item.amount for item in computed)
        if amount is not None and amount != items_amount:
            raise ValidationError(
                {
                    "amount": (
                        f"must equal the sum of the item amounts, {items_amount}, "
                        f"or be left out (actual value is '{amount}')"
                    )
                },
                code="amount_mismatch",
            )
        amount = items_amount
    elif amount is None:
        raise ValidationError(
            {"amount": "give the order's items or its total amount"}, code="required"
        )
    else:
        amount = _whole(amount, "amount", minimum=0)

    items_discount_amount = sum(item.discount_amount for item in computed)
    total_discount_amount = discount_amount + items_discount_amount
    total_amount = amount - total_discount_amount
    if total_amount < 0:
        raise ValidationError(
            {
                "discount_amount": (
                    f"discounts of {total_discount_amount} exceed the order amount {amount}; "
                    "the total cannot be negative"
                )
            },
            code="negative_total",
        )
    return OrderTotals(
        amount=amount,
        initial_amount=amount,
        discount_amount=discount_amount,
        items_discount_amount=items_discount_amount,
        total_discount_amount=total_discount_amount,
        total_amount=total_amount,
        items_count=sum(item.quantity for item in computed),
        items=tuple(computed),
    )
