"""Request and response schemas of the v1 orders endpoints (the reference's shapes).

Requests accept what the reference's clients send and ignore fields Campaign Hub does not
store (``initial_amount``, ``discount_quantity``, ...). Amounts are integers in minor units.
Each value is bounded by its column here, so the OpenAPI document states the limits; totals
computed from them (price × quantity, the items' sum) are bounded by ``compute_totals``, whose
error names the item too.
"""

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal, Self

from ninja import Schema
from ninja.schema import DjangoGetter
from pydantic import BaseModel, BeforeValidator, Field, field_validator, model_validator
from pydantic.json_schema import JsonValue
from pydantic_core import PydanticCustomError

from orders.models import MAX_ITEMS
from orders.totals import MAX_AMOUNT, MAX_QUANTITY


def _whole(value: Any) -> Any:
    """``1.0`` as 1: JSON Schema's integers include it (the document's ``integer``)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


Status = Literal["CREATED", "PAID", "CANCELED", "FULFILLED"]
Text = Annotated[str, Field(max_length=255)]
# Strict: ``true`` or ``"100"`` is refused, not read as 1 or 100 (a client sending a string
# has a bug the answer should show).
Amount = Annotated[int, Field(ge=0, le=MAX_AMOUNT, strict=True), BeforeValidator(_whole)]
Price = Amount
Quantity = Annotated[int, Field(ge=1, le=MAX_QUANTITY, strict=True), BeforeValidator(_whole)]
Flag = Annotated[bool, Field(strict=True)]
# A top-level metadata key: 1 to 100 of ``A-Z a-z 0-9 _ . -`` without ``__``, as
# ``metadata.validation`` checks it (there with a look-ahead; here without one, so
# that every reader of the document and Pydantic's regex engine take it).
METADATA_KEY = r"(_|_?([A-Za-z0-9.\-]+_)*[A-Za-z0-9.\-]+_?)"
Metadata = Annotated[
    dict[str, Any],
    Field(
        json_schema_extra={
            "propertyNames": {"pattern": f"^{METADATA_KEY}$", "minLength": 1, "maxLength": 100}
        }
    ),
]
# Checked as an address by the customer service (empty clears it); the document says so.
Email = Annotated[
    str,
    Field(max_length=254, json_schema_extra={"anyOf": [{"format": "email"}, {"maxLength": 0}]}),
]
# How responses write every date-time (``api.format.timestamp``), stated in the document.
Timestamp = Annotated[str, Field(json_schema_extra={"format": "date-time"})]

_NUMBER = re.compile(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*")


def _iso_text(value: Any) -> Any:
    """Dates and date-times arrive as ISO 8601 text, as the document's formats say. Pydantic
    would also read a number (``0``, ``"0.5"``) as seconds since 1970: a client sending one
    has a bug the answer should show."""
    if isinstance(value, int | float) or (isinstance(value, str) and _NUMBER.fullmatch(value)):
        raise PydanticCustomError("iso_format", "should be ISO 8601 text, not a number")
    return value


# A date-time (``date`` for a calendar day) in ISO 8601 text only; in bodies and queries.
IsoDateTime = Annotated[datetime, BeforeValidator(_iso_text)]
IsoDate = Annotated[date, BeforeValidator(_iso_text)]


class ObjectIn(Schema):
    """A JSON object of a request. Anything else (a list, a string, a number) is refused:
    Ninja's schemas read attributes, so a list would otherwise pass as an empty object."""

    @model_validator(mode="before")
    @classmethod
    def _is_an_object(cls, value: Any) -> Any:
        # Ninja wraps the input in a DjangoGetter before this runs; its ``_obj`` is the input.
        given = value._obj if isinstance(value, DjangoGetter) else value
        if not isinstance(given, dict | BaseModel):
            raise PydanticCustomError("object_type", "should be an object")
        return value


class ProductIn(ObjectIn):
    id: Text | None = None
    source_id: Text | None = None
    name: Text | None = None
    price: Price | None = None
    override: Flag | None = None
    metadata: Metadata | None = None


class SkuIn(ObjectIn):
    id: Text | None = None
    source_id: Text | None = None
    sku: Text | None = None
    price: Price | None = None
    override: Flag | None = None
    metadata: Metadata | None = None


def _each_required(*names: str) -> list[JsonValue]:
    """JSON Schema: one alternative per name, requiring it."""
    return [{"required": [name]} for name in names]


def _one_of_named(*names: str) -> list[JsonValue]:
    """JSON Schema: at least one of ``names`` is a non-empty string."""
    return [
        {"required": [name], "properties": {name: {"type": "string", "minLength": 1}}}
        for name in names
    ]


class ItemIn(ObjectIn):
    """An order line; it names what it sells with ``sku_id``, ``product_id`` or
    ``source_id``. A ``sku`` object is read only on a SKU line (``sku_id``, or ``source_id``
    with ``related_object`` ``sku``)."""

    model_config = {
        "json_schema_extra": {
            "anyOf": _one_of_named("sku_id", "product_id", "source_id"),
            # The ``sku`` object only on a SKU line (``_names_what_it_sells``).
            "not": {
                "required": ["sku"],
                "properties": {
                    "sku": {"type": "object"},
                    "sku_id": {"not": {"type": "string", "minLength": 1}},
                    "related_object": {"not": {"const": "sku"}},
                },
            },
        }
    }

    sku_id: Text | None = None
    product_id: Text | None = None
    related_object: Literal["product", "sku"] | None = None
    source_id: Text | None = None
    quantity: Quantity | None = None
    price: Price | None = None
    amount: Annotated[
        Amount | None,
        Field(description="price × quantity; given without price, price is amount ÷ quantity."),
    ] = None
    discount_amount: Annotated[Amount | None, Field(description="At most the item's amount.")] = (
        None
    )
    product: ProductIn | None = None
    sku: SkuIn | None = None
    metadata: Metadata | None = None

    @model_validator(mode="after")
    def _names_what_it_sells(self) -> Self:
        # A line with no product, SKU or source ID would be a nameless line the catalogue
        # can't price; the reference's items always name one.
        if not (self.sku_id or self.product_id or self.source_id):
            raise PydanticCustomError(
                "item_reference", "should name what it sells: a sku_id, product_id or source_id"
            )
        # The SKU object is read for SKU items only; on a product item it would be dropped.
        if self.sku is not None and not (self.sku_id or self.related_object == "sku"):
            raise PydanticCustomError(
                "item_sku",
                "should not carry a sku object on a product item: name the SKU with sku_id, "
                "or with source_id and related_object sku",
            )
        return self


class AddressIn(ObjectIn):
    city: Annotated[str, Field(max_length=128)] | None = None
    state: Annotated[str, Field(max_length=128)] | None = None
    line_1: Text | None = None
    line_2: Text | None = None
    country: Annotated[str, Field(max_length=128)] | None = None
    postal_code: Annotated[str, Field(max_length=32)] | None = None


class CustomerIn(ObjectIn):
    """A customer (or referrer) in an order payload: found by ``id`` or ``source_id``,
    created when it does not exist yet, and updated with the profile fields sent."""

    # What ``order_payloads`` needs to find or create one: an ID, or a profile field.
    model_config = {
        "json_schema_extra": {
            "anyOf": [
                *_one_of_named("id", "source_id"),
                *_each_required("name", "email", "phone", "description"),
                {"required": ["metadata"]},
                {
                    "required": ["address"],
                    "properties": {
                        "address": {
                            "type": "object",
                            "anyOf": [{"required": [name]} for name in AddressIn.model_fields],
                        }
                    },
                },
            ]
        }
    }

    id: Text | None = None
    source_id: Text | None = None
    name: Text | None = None
    email: Email | None = None
    phone: Annotated[str, Field(max_length=64)] | None = None
    description: Annotated[str, Field(max_length=10_000)] | None = None
    address: AddressIn | None = None
    metadata: Metadata | None = None


class OrderIn(ObjectIn):
    """``POST /v1/orders`` and ``PUT /v1/orders/{id}``: every field optional; only the
    fields sent are applied to an existing order."""

    # A new order needs its items or its amount (``orders.totals``); the document says so.
    model_config = {
        "json_schema_extra": {
            "anyOf": [
                {"required": ["amount"], "properties": {"amount": {"type": "integer"}}},
                {"required": ["items"], "properties": {"items": {"type": "array", "minItems": 1}}},
            ]
        }
    }

    id: Text | None = None
    source_id: Text | None = None
    status: Status | None = None
    amount: Annotated[
        Amount | None,
        Field(description="With items, the sum of their amounts (or left out); without, required."),
    ] = None
    discount_amount: Annotated[
        Amount | None,
        Field(description="With the items' discounts, at most the order's amount."),
    ] = None
    items: Annotated[list[ItemIn], Field(max_length=MAX_ITEMS)] | None = None
    metadata: Metadata | None = None
    customer: CustomerIn | None = None
    customer_id: Text | None = None
    referrer: CustomerIn | None = None
    referrer_id: Text | None = None
    created_at: (
        Annotated[
            IsoDateTime,
            Field(description="Between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z in UTC."),
        ]
        | None
    ) = None

    @field_validator("created_at")
    @classmethod
    def _storable_moment(cls, value: datetime | None) -> datetime | None:
        """In UTC, which must stay within years 1–9999 (``0001-01-01T00:00:00+14:00`` is
        in year 0 there); a naive value is taken as UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        try:
            return value.astimezone(UTC)
        except OverflowError:
            raise PydanticCustomError(
                "datetime_range",
                "should be between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z in UTC "
                "(actual value is '{value}')",
                {"value": value.isoformat()},
            ) from None


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
    created_at: Timestamp
    updated_at: Timestamp | None
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
ERRORS = {
    400: ErrorOut,
    401: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    415: ErrorOut,
    429: ErrorOut,
}
