"""The Activity tab: an order's events as people read them ("Status: Created → Paid")."""

from dataclasses import dataclass
from typing import Any

from core.money import format_money
from customers.models import Customer

from .models import OrderEvent, OrderStatus
from .services import TOTAL_FIELDS

MONEY_FIELDS = set(TOTAL_FIELDS) - {"items_count"}
LABELS = {
    "status": "Status",
    "source_id": "Source ID",
    "customer_id": "Customer",
    "referrer_id": "Referrer",
    "amount": "Amount",
    "initial_amount": "Initial amount",
    "discount_amount": "Order discount",
    "items_discount_amount": "Items discount",
    "total_discount_amount": "Total discount",
    "total_amount": "Discounted amount",
    "items_count": "Items",
    "items": "Cart",
}


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class ActivityEntry:
    event: OrderEvent
    changes: list[Change]

    @property
    def title(self) -> str:
        return self.event.get_type_display()


def _show(field: str, value: Any, people: dict[str, str]) -> str:
    if value is None or value == "":
        return "—"
    if field in MONEY_FIELDS:
        return format_money(value)
    if field == "status":
        return OrderStatus(value).label if value in OrderStatus.values else str(value)
    if field in ("customer_id", "referrer_id"):
        return people.get(value, value)
    if field == "items":
        lines = len(value)
        return f"{lines} line{'' if lines == 1 else 's'}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _label(field: str) -> str:
    if field.startswith("metadata."):
        return f"Metadata {field.removeprefix('metadata.')}"
    return LABELS.get(field, field.replace("_", " ").capitalize())


def describe(events: list[OrderEvent]) -> list[ActivityEntry]:
    """Readable entries for a page of events, naming customers with one query for all."""
    people_ids = {
        value
        for event in events
        for field in ("customer_id", "referrer_id")
        for value in (event.changes or {}).get(field) or []
        if value
    }
    people = {customer.pk: str(customer) for customer in Customer.objects.filter(pk__in=people_ids)}
    entries = []
    for event in events:
        changes = [
            Change(_label(field), _show(field, before, people), _show(field, after, people))
            for field, (before, after) in (event.changes or {}).items()
            if not (event.type in ("created", "imported") and before is None and after is None)
        ]
        entries.append(ActivityEntry(event, changes))
    return entries
