"""Customers on the wire: the reference's customer object with ``summary.orders``.

Campaign Hub has no redemptions, loyalty or referral programmes: those parts of the
reference's object are present (clients require them) and always zero / empty.
"""

from typing import Any, Literal

from ninja import Schema

from customers.models import Customer

from .format import timestamp
from .order_schemas import CustomerIn, IsoDate, Timestamp

# Reference address key → Customer field.
ADDRESS_FIELDS = {
    "city": "city",
    "state": "state",
    "line_1": "address_line_1",
    "line_2": "address_line_2",
    "country": "country",
    "postal_code": "postal_code",
}
PROFILE_KEYS = ("name", "email", "phone", "description")

_NO_REDEMPTIONS = {
    "total_redeemed": 0,
    "total_failed": 0,
    "total_succeeded": 0,
    "total_rolled_back": 0,
    "total_rollback_failed": 0,
    "total_rollback_succeeded": 0,
    "gift": {"redeemed_amount": 0, "amount_to_go": 0},
    "loyalty_card": {"redeemed_points": 0, "points_to_go": 0},
}


class CustomerCreateIn(CustomerIn):
    """``POST /v1/customers``: an existing ``id`` / ``source_id`` is updated (upsert)."""

    # Unlike a customer inside an order, a new customer may be sent with no field at all.
    model_config = {"json_schema_extra": None}

    birthdate: IsoDate | None = None
    birthday: IsoDate | None = None


class CustomerUpdateIn(CustomerCreateIn):
    """``PUT /v1/customers/{id or source_id}``: only the fields sent change."""


class CustomerOut(Schema):
    """The reference's customer object (documentation of what the operations answer)."""

    id: str
    source_id: str | None = None
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    description: str | None = None
    address: dict[str, str] | None
    metadata: dict[str, Any]
    summary: dict[str, Any]
    loyalty: dict[str, Any]
    referrals: dict[str, Any]
    system_metadata: dict[str, Any]
    created_at: Timestamp
    updated_at: Timestamp
    object: Literal["customer"] = "customer"


class CustomerListOut(Schema):
    object: Literal["list"] = "list"
    data_ref: Literal["customers"] = "customers"
    customers: list[CustomerOut]
    total: int
    has_more: bool


def service_changes(payload: CustomerIn) -> dict[str, Any]:
    """The fields sent, as ``customers.services`` arguments (address flattened)."""
    sent = payload.model_dump(exclude_unset=True)
    changes: dict[str, Any] = {}
    for key in (*PROFILE_KEYS, "source_id", "metadata"):
        if key in sent:
            value = sent[key]
            changes[key] = value if key == "metadata" else (value or "")
    if "metadata" in changes and changes["metadata"] is None:
        changes["metadata"] = {}
    if "address" in sent:
        address = sent["address"] or {}
        for key, field in ADDRESS_FIELDS.items():
            if sent["address"] is None or key in address:
                changes[field] = address.get(key) or ""
    return changes


def orders_summary(customer: Customer) -> dict[str, Any]:
    """``summary.orders``: PAID and FULFILLED orders only (kept by the order service)."""
    summary: dict[str, Any] = {
        "total_amount": customer.orders_total_amount,
        "total_count": customer.orders_total_count,
        "average_amount": customer.orders_average_amount,
        "last_order_amount": customer.orders_last_order_amount or 0,
    }
    if customer.orders_last_order_date is not None:
        summary["last_order_date"] = timestamp(customer.orders_last_order_date)
    return summary


def customer_body(customer: Customer) -> dict[str, Any]:
    """The reference's customer object; profile fields left blank are left out."""
    body: dict[str, Any] = {"id": customer.pk}
    if customer.source_id:
        body["source_id"] = customer.source_id
    for key in PROFILE_KEYS:
        value = getattr(customer, key)
        if value:
            body[key] = value
    address = {
        key: getattr(customer, field)
        for key, field in ADDRESS_FIELDS.items()
        if getattr(customer, field)
    }
    body.update(
        {
            "address": address or None,
            "metadata": customer.metadata or {},
            "summary": {"redemptions": _NO_REDEMPTIONS, "orders": orders_summary(customer)},
            "loyalty": {"points": 0, "referred_customers": 0, "campaigns": {}},
            "referrals": {"total": 0, "campaigns": []},
            "system_metadata": {},
            "created_at": timestamp(customer.created_at),
            "updated_at": timestamp(customer.updated_at),
            "object": "customer",
        }
    )
    return body
