"""One validator for imported orders: the ``import_orders`` command and the admin use it.

``OrderValidator.validate`` takes a raw order (the reference's payload shape, or a CSV row
group turned into it) and returns a ``ValidOrder`` whose amounts come from
``orders.totals.compute_totals`` and whose metadata went through
``orders.metadata_validation`` — exactly what ``orders.services.create_order`` would store —
or raises ``InvalidOrder`` with every problem, each a sentence a person understands.
"""

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import ValidationError

from ..metadata_validation import MetadataValidationError, load_schema, validate_metadata
from ..models import MAX_ITEMS, MetadataProperty, MetadataSchema, OrderItem, OrderStatus
from ..totals import ItemInput, OrderTotals, compute_totals
from .parsing import PERSON_FIELDS

_WHOLE = re.compile(r"^-?\d+$")
_MAX_TEXT = 255
# Metadata property types whose CSV cells hold JSON (numbers, booleans, objects, lists).
_JSON_TYPES = {
    MetadataProperty.Type.NUMBER,
    MetadataProperty.Type.BOOLEAN,
    MetadataProperty.Type.OBJECT,
    MetadataProperty.Type.GEOPOINT,
}


class InvalidOrder(Exception):
    """An order that cannot be imported; ``reasons`` are whole sentences."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


@dataclass(frozen=True)
class ValidItem:
    """One cart line ready for staging; amounts as ``compute_totals`` made them."""

    related_object: str
    product_source_id: str | None
    product_name: str
    sku_source_id: str | None
    sku_name: str
    source_id: str
    quantity: int
    price: int
    amount: int
    discount_amount: int
    subtotal_amount: int


@dataclass(frozen=True)
class ValidOrder:
    """An order ready for staging."""

    source_id: str | None
    status: str
    totals: OrderTotals
    metadata: dict[str, Any]
    created_at: datetime | None
    customer: dict[str, str] | None
    referrer: dict[str, str] | None
    items: list[ValidItem] = field(default_factory=list)


def _shown(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, default=str)


def _whole(value: Any, what: str, minimum: int, problems: list[str]) -> int | None:
    """An int from JSON (not a bool or float) or from a CSV cell of digits.

    The messages are the ones ``orders.totals`` and the admin's widgets already use, so an
    operator reads the same sentence wherever a value is refused.
    """
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and _WHOLE.match(value.strip()):
        number = int(value)
    if number is None:
        rule = "a whole number" if minimum == 1 else "a whole number in minor units"
        example = "" if minimum == 1 else ", such as 7700 for 77.00"
        problems.append(f"{what} must be {rule}{example} (actual value is '{_shown(value)}')")
        return None
    if number < minimum:
        rule = "a whole number ≥ 1" if minimum == 1 else "zero or more"
        problems.append(f"{what} must be {rule} (actual value is '{_shown(value)}')")
        return None
    return number


def _status(value: Any, problems: list[str]) -> str:
    status = value or OrderStatus.CREATED
    if status not in OrderStatus.values:
        allowed = ", ".join(OrderStatus.values)
        problems.append(f"status must be one of {allowed} (actual value is '{_shown(status)}')")
    return status


def _text(value: Any, what: str, problems: list[str]) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        problems.append(f"{what} must be text (actual value is '{_shown(value)}')")
        return None
    value = value.strip()
    if len(value) > _MAX_TEXT:
        problems.append(
            f"{what} must be at most {_MAX_TEXT} characters (actual length is {len(value)})"
        )
        return None
    return value or None


def parse_timestamp(value: Any) -> datetime:
    """An aware datetime from an ISO 8601 string; naive times are UTC. ``ValueError`` else."""
    if not isinstance(value, str):
        raise ValueError(value)
    parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class OrderValidator:
    """Validates raw orders against a schema loaded once (not one query per order)."""

    def __init__(self, schema: MetadataSchema | None = None) -> None:
        self.schema = schema or load_schema(MetadataSchema.RelatedObject.ORDER)
        self._json_keys = (
            {
                prop.name
                for prop in self.schema.properties.all()
                if prop.array or prop.type in _JSON_TYPES
            }
            if self.schema.pk
            else set()
        )

    def validate(self, data: Any) -> ValidOrder:
        """The order ready for staging, or ``InvalidOrder`` listing every problem."""
        if not isinstance(data, dict):
            raise InvalidOrder([f"an order must be an object (actual value is '{_shown(data)}')"])
        problems: list[str] = []
        source_id = _text(data.get("source_id", data.get("id")), "source_id", problems)
        status = _status(data.get("status"), problems)
        amount = None
        if data.get("amount") not in (None, ""):
            amount = _whole(data["amount"], "amount", 0, problems)
        discount = _whole(data.get("discount_amount") or 0, "discount_amount", 0, problems)
        created_at = None
        if data.get("created_at"):
            try:
                created_at = parse_timestamp(data["created_at"])
            except ValueError:
                problems.append(
                    "created_at must be an ISO 8601 date and time "
                    f"(actual value is '{_shown(data['created_at'])}')"
                )
        customer = self._person(data.get("customer"), "customer", problems)
        referrer = self._person(data.get("referrer"), "referrer", problems)
        metadata = self._metadata(data.get("metadata"), bool(data.get("_csv")), problems)
        items = self._items(data.get("items"), problems)
        if problems:
            raise InvalidOrder(problems)
        if not items and amount is None:
            raise InvalidOrder(["give the order's items or its total amount"])
        try:
            totals = compute_totals(
                [ItemInput(item.quantity, item.price, item.discount_amount) for item in items],
                amount=amount,
                discount_amount=discount or 0,
            )
        except ValidationError as error:
            raise InvalidOrder(_sentences(error)) from error
        valid_items = [
            ValidItem(
                related_object=item.related_object,
                product_source_id=item.product_source_id,
                product_name=item.product_name,
                sku_source_id=item.sku_source_id,
                sku_name=item.sku_name,
                source_id=item.source_id,
                quantity=computed.quantity,
                price=computed.price,
                amount=computed.amount,
                discount_amount=computed.discount_amount,
                subtotal_amount=computed.subtotal_amount,
            )
            for item, computed in zip(items, totals.items, strict=True)
        ]
        return ValidOrder(
            source_id, status, totals, metadata, created_at, customer, referrer, valid_items
        )

    def check_fields(self, values: dict[str, Any]) -> dict[str, list[str]]:
        """The admin's per-cell checks: the same rules as ``validate`` for the order fields
        a file sets (``status``, ``amount``, ``discount_amount``, ``metadata``), keyed by
        field with the field's name left out of the message, as django-import-export shows
        errors next to their column. Blank cells are not checked (they keep a value)."""
        errors: dict[str, list[str]] = {}
        for name in ("status", "amount", "discount_amount", "metadata"):
            value = values.get(name)
            if value in (None, ""):
                continue
            found: list[str] = []
            if isinstance(value, float) and value.is_integer():
                value = int(value)  # spreadsheets (xlsx, ods) hand numbers over as floats
            if name == "metadata" and isinstance(value, str):
                try:
                    value = json.loads(value)
                except json.JSONDecodeError:
                    continue  # the metadata widget reports text that is not JSON
            if name == "status":
                _status(value, found)
            elif name == "metadata":
                self._metadata(value, False, found)
            else:
                _whole(value, name, 0, found)
            if found:
                errors[name] = [
                    text.removeprefix(f"{name}: ").removeprefix(f"{name} ") for text in found
                ]
        return errors

    def _person(self, value: Any, role: str, problems: list[str]) -> dict[str, str] | None:
        if value in (None, ""):
            return None
        if isinstance(value, str):
            value = {"source_id": value}
        if not isinstance(value, dict):
            problems.append(
                f"{role} must be an object with a source_id (actual value is '{_shown(value)}')"
            )
            return None
        person = {}
        for name in PERSON_FIELDS:
            text = _text(value.get(name), f"{role}.{name}", problems)
            if text:
                person[name] = text
        if "source_id" not in person:
            problems.append(f"{role}: source_id is required to match or create the {role}")
            return None
        return person

    def _metadata(self, value: Any, from_csv: bool, problems: list[str]) -> dict[str, Any]:
        if from_csv and isinstance(value, dict):
            # CSV cells are text: numbers, booleans and objects are written as JSON.
            value = {key: self._cell(key, cell) for key, cell in value.items()}
        try:
            return validate_metadata(value, MetadataSchema.RelatedObject.ORDER, schema=self.schema)
        except MetadataValidationError as error:
            problems.extend(f"metadata: {text}" for _, text in error.problems)
            return {}

    def _cell(self, key: str, cell: str) -> Any:
        if key not in self._json_keys:
            return cell
        try:
            return json.loads(cell)
        except json.JSONDecodeError:
            return cell

    def _items(self, value: Any, problems: list[str]) -> list[ValidItem]:
        if value in (None, ""):
            return []
        if not isinstance(value, list):
            problems.append(f"items must be a list (actual value is '{_shown(value)}')")
            return []
        if len(value) > MAX_ITEMS:
            problems.append(
                f"items: an order holds at most {MAX_ITEMS} items (actual count is {len(value)})"
            )
            return []
        items = []
        for index, raw in enumerate(value, start=1):
            item = self._item(raw, f"item {index}: ", problems)
            if item is not None:
                items.append(item)
        return items

    def _item(self, raw: Any, where: str, problems: list[str]) -> ValidItem | None:
        if not isinstance(raw, dict):
            problems.append(f"{where}must be an object (actual value is '{_shown(raw)}')")
            return None
        found: list[str] = []
        product = raw.get("product") if isinstance(raw.get("product"), dict) else {}
        sku = raw.get("sku") if isinstance(raw.get("sku"), dict) else {}
        product_id = _text(product.get("source_id") or raw.get("product_id"), "product_id", found)
        sku_id = _text(sku.get("source_id") or raw.get("sku_id"), "sku_id", found)
        own_id = _text(raw.get("source_id"), "source_id", found)
        quantity = _whole(raw.get("quantity", 1), "quantity", 1, found)
        price = _whole(raw.get("price", product.get("price", 0)), "price", 0, found)
        discount = _whole(raw.get("discount_amount") or 0, "discount_amount", 0, found)
        if sku_id and not product_id:
            found.append("a SKU needs its product: give product_id (the product's source ID)")
        if not (product_id or sku_id or own_id):
            found.append("give a product_id, a sku_id or a source_id")
        problems.extend(where + text for text in found)
        if found:
            return None
        related = OrderItem.RelatedObject.SKU if sku_id else OrderItem.RelatedObject.PRODUCT
        return ValidItem(
            related_object=related,
            product_source_id=product_id,
            product_name=str(product.get("name") or raw.get("product_name") or product_id or ""),
            sku_source_id=sku_id,
            sku_name=str(sku.get("sku") or raw.get("sku_name") or sku_id or ""),
            # The service's rule: the item's own id, else its SKU's, else its product's.
            source_id=own_id or sku_id or product_id or "",
            quantity=quantity or 1,
            price=price or 0,
            amount=0,
            discount_amount=discount or 0,
            subtotal_amount=0,
        )


def _sentences(error: ValidationError) -> list[str]:
    """``compute_totals``' field-keyed messages as sentences: ``items.3.price`` → item 3."""
    sentences = []
    for key, messages in error.message_dict.items():
        match = re.match(r"^items\.(\d+)\.(\w+)$", key)
        where = f"item {match[1]}: {match[2]}" if match else key
        sentences.extend(f"{where} {message}" for message in messages)
    return sentences
