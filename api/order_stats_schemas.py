"""The answer of ``GET /v1/orders/stats``: figures of the orders a filter selects.

Not part of the reference's contract (Campaign Hub's own endpoint), in its style: snake_case,
an ``object`` name, money as integers in minor units of ``currency``.
"""

from datetime import date
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field

Count = Annotated[int, Field(ge=0)]
Money = Annotated[int, Field(description="Minor units of `currency`.")]
Granularity = Literal["day", "week", "month"]


class FiguresOut(Schema):
    orders: Count = Field(description="Orders counted.")
    amount: Money = Field(description="Sum of the orders' `amount` (before discounts).")
    total_amount: Money = Field(description="Sum of the orders' `total_amount` (revenue).")
    total_discount_amount: Money = Field(
        description="Sum of the orders' `total_discount_amount` (order and item discounts)."
    )
    average_order_value: Money | None = Field(
        description="`total_amount` ÷ `orders`, rounded half up to a minor unit; null "
        "without orders."
    )
    canceled: Count = Field(description="Orders with status CANCELED (counted in `orders`).")
    canceled_share: Annotated[float, Field(ge=0, le=1)] | None = Field(
        description="`canceled` ÷ `orders` (0 to 1); null without orders."
    )


class PreviousOut(FiguresOut):
    first: date = Field(alias="from", description="First day of the previous period.")
    last: date = Field(alias="to", description="Last day of the previous period.")


class StatusFiguresOut(Schema):
    orders: Count = Field(description="Orders of this status in the bucket.")
    amount: Money = Field(description="Sum of their `amount`.")
    total_amount: Money = Field(description="Sum of their `total_amount`.")
    total_discount_amount: Money = Field(description="Sum of their `total_discount_amount`.")


class StatusesOut(Schema):
    """The bucket's orders per status; every status is present (zeros when it has none), so
    a chart stacks them the same way in every bucket."""

    CREATED: StatusFiguresOut = Field(description="Orders with status CREATED.")
    PAID: StatusFiguresOut = Field(description="Orders with status PAID.")
    CANCELED: StatusFiguresOut = Field(description="Orders with status CANCELED.")
    FULFILLED: StatusFiguresOut = Field(description="Orders with status FULFILLED.")


class BucketOut(Schema):
    first: date = Field(
        alias="from", description="First day of the bucket (clipped to the filter's range)."
    )
    last: date = Field(
        alias="to", description="Last day of the bucket (clipped to the filter's range)."
    )
    orders: Count = Field(description="Orders of every status in the bucket.")
    total_amount: Money = Field(description="Their `total_amount`s.")
    statuses: StatusesOut = Field(description="The bucket's orders per status.")


class TopValueOut(Schema):
    value: str | None = Field(
        description="The property's value as text (`true`, `12.5`, `web`); null for the "
        "orders without it."
    )
    orders: Count = Field(description="Orders with this value.")
    total_amount: Money = Field(description="Sum of their `total_amount`.")


class TopValuesOut(Schema):
    key: str = Field(description="The `metadata_key` asked for.")
    values: list[TopValueOut] = Field(
        description="Up to 5 values with the most orders, most first (ties by value)."
    )


class OrderStatsOut(FiguresOut):
    """The figures of the orders the filters select (the fields of ``FiguresOut``), with
    the period before, the series and the top values of one metadata property."""

    object: Literal["orders_stats"] = Field(description="Always `orders_stats`.")
    currency: str = Field(description="ISO 4217 code of every amount.")
    timezone: str = Field(description="The time zone of days, weeks and months.")
    granularity: Granularity = Field(
        description="What a `series` bucket is: a day for ranges up to 92 days, a week "
        "(Monday to Sunday) up to 731 days, else a month."
    )
    previous: PreviousOut | None = Field(
        description="The same figures for the period of the same length just before the "
        "`created_at` range, with the other filters unchanged; null without a lower bound "
        "on `created_at`."
    )
    series: list[BucketOut] = Field(
        description="Every bucket from the range's first day to its last (empty ones "
        "included; without a range, from the first order's day to the last's)."
    )
    top_values: TopValuesOut | None = Field(
        description="The most frequent values of `metadata_key`; null when it is not given."
    )
