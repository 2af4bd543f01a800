"""Request and response schemas of the v1 orders endpoints (the reference's shapes).

Requests accept what the reference's clients send and ignore fields Campaign Hub does not
store (``initial_amount``, ``discount_quantity``, ...). Amounts are integers in minor units.
Each value is bounded by its column here, so the OpenAPI document states the limits; totals
computed from them (price × quantity, the items' sum) are bounded by ``compute_totals``, whose
error names the item too.
"""

from datetime import datetime
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field

from orders.models import MAX_ITEMS
from orders.totals import MAX_AMOUNT, MAX_QUANTITY

Status = Literal["CREATED", "PAID", "CANCELED", "FULFILLED"]
Text = Annotated[str, Field(max_length=255)]
Amount = Annotated[int, Field(ge=0, le=MAX_AMOUNT)]
Price = Amount
Quantity = Annotated[int, Field(ge=1, le=MAX_QUANTITY)]


class ProductIn(Schema):
    id: Text | None = None
    source_id: Text | None = None
    name: Text | None = None
    price: Price | None = None
    override: bool | None = None
    metadata: dict[str, Any] | None = None


class SkuIn(Schema):
    id: Text | None = None
    source_id: Text | None = None
    sku: Text | None = None
    price: Price | None = None
    override: bool | None = None
    metadata: dict[str, Any] | None = None


class ItemIn(Schema):
    sku_id: Text | None = None
    product_id: Text | None = None
    related_object: Literal["product", "sku"] | None = None
    source_id: Text | None = None
    quantity: Quantity | None = None
    price: Price | None = None
    amount: Amount | None = None
    discount_amount: Amount | None = None
    product: ProductIn | None = None
    sku: SkuIn | None = None
    metadata: dict[str, Any] | None = None


class AddressIn(Schema):
    city: Annotated[str, Field(max_length=128)] | None = None
    state: Annotated[str, Field(max_length=128)] | None = None
    line_1: Text | None = None
    line_2: Text | None = None
    country: Annotated[str, Field(max_length=128)] | None = None
    postal_code: Annotated[str, Field(max_length=32)] | None = None


class CustomerIn(Schema):
    """A customer (or referrer) in an order payload: found by ``id`` or ``source_id``,
    created when it does not exist yet, and updated with the profile fields sent."""

    id: Text | None = None
    source_id: Text | None = None
    name: Text | None = None
    email: Annotated[str, Field(max_length=254)] | None = None
    phone: Annotated[str, Field(max_length=64)] | None = None
    description: Annotated[str, Field(max_length=10_000)] | None = None
    address: AddressIn | None = None
    metadata: dict[str, Any] | None = None


class OrderIn(Schema):
    """``POST /v1/orders`` and ``PUT /v1/orders/{id}``: every field optional; only the
    fields sent are applied to an existing order."""

    id: Text | None = None
    source_id: Text | None = None
    status: Status | None = None
    amount: Amount | None = None
    discount_amount: Amount | None = None
    items: Annotated[list[ItemIn], Field(max_length=MAX_ITEMS)] | None = None
    metadata: dict[str, Any] | None = None
    customer: CustomerIn | None = None
    customer_id: Text | None = None
    referrer: CustomerIn | None = None
    referrer_id: Text | None = None
    created_at: datetime | None = None


# --- Responses ----------------------------------------------------------------------------


class ProductOut(Schema):
    id: str
    source_id: str | None = None
    name: str
    price: int | None = None
    metadata: dict[str, Any]


class SkuOut(Schema):
    id: str
    source_id: str | None = None
    sku: str
    price: int | None = None
    metadata: dict[str, Any]


class ItemOut(Schema):
    object: Literal["order_item"]
    source_id: str | None = None
    related_object: Literal["product", "sku"]
    product_id: str | None = None
    sku_id: str | None = None
    quantity: int
    amount: int
    discount_amount: int | None = None
    price: int
    subtotal_amount: int
    product: ProductOut | None = None
    sku: SkuOut | None = None
    metadata: dict[str, Any]


class CustomerRef(Schema):
    id: str
    object: Literal["customer"]


class OrderOut(Schema):
    id: str
    source_id: str | None
    created_at: str
    updated_at: str | None
    status: Status
    amount: int
    discount_amount: int | None = None
    items_discount_amount: int | None = None
    total_discount_amount: int | None = None
    total_amount: int
    items: list[ItemOut]
    metadata: dict[str, Any]
    customer: CustomerRef | None = None
    customer_id: str | None
    referrer: CustomerRef | None = None
    referrer_id: str | None
    object: Literal["order"]


class OrderListOut(Schema):
    object: Literal["list"]
    data_ref: Literal["orders"]
    orders: list[OrderOut]
    total: int


class ErrorOut(Schema):
    code: int
    key: str
    message: str
    details: str | None = None
    request_id: str
    resource_id: str | None = None
    resource_type: str | None = None


# Every operation answers its errors in the reference's body.
ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 415: ErrorOut, 429: ErrorOut}
