"""The one place order amounts are computed (the reference's rules, in minor units).

- item ``amount`` = ``price × quantity``; item ``subtotal_amount`` = ``amount − discount_amount``
- order ``amount`` = Σ item ``amount`` (or the given amount when the order has no items)
- ``items_discount_amount`` = Σ item ``discount_amount``
- ``total_discount_amount`` = ``discount_amount + items_discount_amount``
- ``total_amount`` = ``amount − total_discount_amount``

No amount can be negative, and no value, given or computed, can be larger than its column
holds (``MAX_AMOUNT``, ``MAX_QUANTITY``, ``MAX_ITEMS_COUNT``); anything else is rejected with
a message naming the field (``items.2.quantity``, ``discount_amount`` ...), never left for the
database to refuse on save.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Model

from core.money import MAX_MINOR_UNITS, format_money

from .models import MAX_ITEMS, Order, OrderItem


def _largest(model: type[Model], name: str) -> int:
    """The largest value the column ``name`` of ``model`` holds."""
    field = model._meta.get_field(name)
    return connection.ops.integer_field_range(field.get_internal_type())[1]


# The limits every writer checks against, read from the columns. Every amount and price is a
# bigint, as all money is (core.money); quantities and an order's items_count are integers.
MAX_AMOUNT = MAX_MINOR_UNITS
MAX_QUANTITY = _largest(OrderItem, "quantity")
MAX_ITEMS_COUNT = _largest(Order, "items_count")


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


def _whole(value: object, field: str, *, minimum: int, maximum: int = MAX_AMOUNT) -> int:
    """``value`` if it is a whole number within ``minimum``..``maximum`` (an amount unless
    ``maximum`` says otherwise), else a ``ValidationError`` keyed by ``field``."""
    # bool is an int in Python; a True quantity is a bug in the caller, not a 1.
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(
            {field: f"must be a whole number (actual value is '{value}')"}, code="invalid"
        )
    if value < minimum:
        what = "a whole number ≥ 1" if minimum == 1 else "zero or more"
        raise ValidationError({field: f"must be {what} (actual value is '{value}')"}, code="min")
    if value > maximum:
        raise ValidationError(
            {field: f"must be at most {_limit(maximum)} (actual value is '{value}')"},
            code="max_value",
        )
    return value


def _limit(maximum: int) -> str:
    """A limit as a person reads it: money for the amount limit, else a plain number."""
    return format_money(maximum) if maximum == MAX_AMOUNT else f"{maximum:,}"


def compute_totals(
    items: Sequence[ItemInput] = (),
    *,
    amount: int | None = None,
    discount_amount: int = 0,
    money: Callable[[int], str] = str,
) -> OrderTotals:
    """Compute every amount of an order from its items, or from ``amount`` when it has none.

    With items, ``amount`` may be given only if it equals the items' total. Raises
    ``ValidationError`` (a dict keyed by field) for negative, fractional or contradictory input.
    ``money`` writes the amounts its messages compare: minor units by default, as the API
    and the importer take them; the dashboard passes ``core.money.format_money``.
    """
    if len(items) > MAX_ITEMS:
        raise ValidationError(
            {"items": f"an order holds at most {MAX_ITEMS} items (actual count is {len(items)})"},
            code="too_many_items",
        )
    discount_amount = _whole(discount_amount, "discount_amount", minimum=0)

    computed: list[ItemTotals] = []
    items_amount = items_count = 0
    for index, item in enumerate(items, start=1):
        quantity, price, item_discount = item.quantity, item.price, item.discount_amount
        # Bulk imports run this for millions of lines: the field names are only built for
        # the message when a value is wrong (``type(...) is int`` also refuses bools).
        if not (
            type(quantity) is int
            and 1 <= quantity <= MAX_QUANTITY
            and type(price) is int
            and 0 <= price <= MAX_AMOUNT
            and type(item_discount) is int
            and 0 <= item_discount <= MAX_AMOUNT
        ):
            _whole(quantity, f"items.{index}.quantity", minimum=1, maximum=MAX_QUANTITY)
            _whole(price, f"items.{index}.price", minimum=0)
            _whole(item_discount, f"items.{index}.discount_amount", minimum=0)
        line_amount = price * quantity
        # Each sum that a column stores is bounded by it; the quantity is named as the
        # cause, since it multiplies the price and adds up to the order's units.
        if line_amount > MAX_AMOUNT:
            raise ValidationError(
                {
                    f"items.{index}.quantity": (
                        f"must be at most {MAX_AMOUNT // price:,} at a price of "
                        f"{format_money(price)}: an item amount cannot exceed "
                        f"{format_money(MAX_AMOUNT)} (actual value is '{quantity}')"
                    )
                },
                code="max_value",
            )
        if items_amount + line_amount > MAX_AMOUNT:
            raise ValidationError(
                {
                    f"items.{index}.quantity": (
                        f"makes the order amount exceed {format_money(MAX_AMOUNT)}: the items "
                        f"before it already come to {format_money(items_amount)} "
                        f"(actual value is '{quantity}')"
                    )
                },
                code="max_value",
            )
        if items_count + quantity > MAX_ITEMS_COUNT:
            raise ValidationError(
                {
                    f"items.{index}.quantity": (
                        f"makes the order's units exceed {MAX_ITEMS_COUNT:,}: the items before "
                        f"it already hold {items_count:,} (actual value is '{quantity}')"
                    )
                },
                code="max_value",
            )
        items_amount += line_amount
        items_count += quantity
        if item_discount > line_amount:
            raise ValidationError(
                {
                    f"items.{index}.discount_amount": (
                        f"cannot exceed the item amount {money(line_amount)} "
                        f"(actual value is '{money(item_discount)}')"
                    )
                },
                code="negative_subtotal",
            )
        computed.append(
            ItemTotals(quantity, price, line_amount, item_discount, line_amount - item_discount)
        )

    if computed:
        if amount is not None and amount != items_amount:
            raise ValidationError(
                {
                    "amount": (
                        f"must equal the sum of the item amounts, {money(items_amount)}, "
                        f"or be left out (actual value is '{money(amount)}')"
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
                    f"discounts of {money(total_discount_amount)} exceed the order amount "
                    f"{money(amount)}; the total cannot be negative"
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
        items_count=items_count,
        items=tuple(computed),
    )
