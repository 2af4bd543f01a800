"""One validator for imported orders: ``import_orders`` and ``POST /v1/orders/import`` use it.

``OrderValidator.validate`` takes a raw order (the reference's payload shape, or a CSV row
group turned into it) and returns a ``ValidOrder`` whose amounts come from
``orders.totals.compute_totals`` and whose metadata went through
``metadata.validation`` — exactly what ``orders.services.create_order`` would store —
or raises ``InvalidOrder`` with every problem, each a sentence a person understands. An
order's own fields (status, amounts, metadata) are judged by ``orders.import_rules``, which
the admin's file import applies too.

Speed: an import validates millions of orders, so ``validate`` first tries a fast path for
the common shape (plain strings and whole numbers, a metadata mapping seen before) that
accepts exactly what the full checks accept; both paths take the amounts from
``compute_totals``. Anything unusual or wrong falls back to the full checks, which alone
word the problems. ``tests/imports/test_import_validation.py`` holds the two paths equal.
"""

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple, cast

from django.core.exceptions import ValidationError
from django.db.models import Field

from customers.models import Customer
from metadata.models import MetadataProperty, MetadataSchema
from metadata.validation import MetadataValidationError, load_schema, validate_metadata
from orders.import_rules import STATUSES, order_metadata, order_status, shown, whole_number
from orders.models import MAX_ITEMS, OrderItem, OrderStatus
from orders.totals import ItemInput, OrderTotals, compute_totals

from .parsing import PERSON_FIELDS

_MAX_TEXT = 255
_EMPTY: dict[str, Any] = {}
# The customer columns' own limits (a phone holds 64 characters, a postal code 32...).
_PERSON_LIMITS = {
    name: min(cast(Field, Customer._meta.get_field(name)).max_length or _MAX_TEXT, _MAX_TEXT)
    for name in PERSON_FIELDS
}
# Validated metadata mappings are remembered by value (scalars only) up to this many, so an
# import with a few distinct metadata shapes checks each once; the memo is then cleared,
# keeping memory flat whatever the file size.
_MEMO_LIMIT = 20_000
_SCALARS = frozenset({str, int, float, bool})
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


class ValidItem(NamedTuple):
    """One cart line ready for staging, as the file gives it; its amounts are those of the
    order's ``totals.items`` at the same position.

    ``product_name`` and ``sku_name`` are the names the file gives, ``""`` when it gives
    none (a new product or SKU is then named after its source ID).
    """

    related_object: str
    product_source_id: str | None
    product_name: str
    sku_source_id: str | None
    sku_name: str
    source_id: str
    quantity: int
    price: int
    discount_amount: int
    metadata: dict[str, Any] = _EMPTY
    metadata_json: str = "{}"  # ``metadata`` as JSON text, for staging


@dataclass(frozen=True, slots=True)
class ValidOrder:
    """An order ready for staging.

    ``totals`` holds the order's amounts as ``compute_totals`` makes them, its ``items``
    those of ``items`` here, line by line.
    """

    source_id: str | None
    status: str
    totals: OrderTotals
    metadata: dict[str, Any]
    created_at: datetime | None
    customer: dict[str, str] | None
    referrer: dict[str, str] | None
    items: list[ValidItem] = field(default_factory=list)
    metadata_json: str = "{}"  # ``metadata`` as JSON text, for staging


class _Slow(Exception):
    """The fast path met something it leaves to the full checks."""


_SLOW = _Slow()


def _text(value: Any, what: str, problems: list[str], limit: int = _MAX_TEXT) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        problems.append(f"{what} must be text (actual value is '{shown(value)}')")
        return None
    value = value.strip()
    if len(value) > limit:
        problems.append(
            f"{what} must be at most {limit} characters (actual length is {len(value)})"
        )
        return None
    return value or None


def _fast_text(value: Any) -> str | None:
    """``_text`` for the plain cases (``None``, a string of ≤ 255 characters); else _Slow."""
    if value is None:
        return None
    if type(value) is str:
        value = value.strip()
        if len(value) > _MAX_TEXT:
            raise _SLOW
        return value or None
    raise _SLOW


def _fast_whole(value: Any, minimum: int) -> int:
    """``whole_number`` for the plain cases (an int, a string of digits) at or above ``minimum``."""
    if type(value) is int:
        if value >= minimum:
            return value
    elif type(value) is str and value.isdecimal():
        number = int(value)
        if number >= minimum:
            return number
    raise _SLOW


def _memo_key(value: Any) -> tuple[Any, ...] | None:
    """A hashable key for a mapping of scalars that tells ``1``, ``1.0`` and ``True``
    apart, or ``None`` when ``value`` holds anything else (then it is not memoized)."""
    if value is None:
        return ()
    if type(value) is not dict:
        return None
    key = []
    for name, item in value.items():
        kind = type(item)
        if item is not None and kind not in _SCALARS:
            return None
        key.append((name, kind, item))
    return tuple(key)


def parse_timestamp(value: Any) -> datetime:
    """An aware datetime from an ISO 8601 string; naive times are UTC. ``ValueError`` else."""
    if not isinstance(value, str):
        raise ValueError(value)
    parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class OrderValidator:
    """Validates raw orders against a schema loaded once (not one query per order)."""

    def __init__(
        self, schema: MetadataSchema | None = None, item_schema: MetadataSchema | None = None
    ) -> None:
        self.schema = schema or load_schema(MetadataSchema.RelatedObject.ORDER)
        self.item_schema = item_schema or load_schema(MetadataSchema.RelatedObject.ORDER_ITEM)
        self._json_keys = _json_keys(self.schema)
        self._item_json_keys = _json_keys(self.item_schema)
        # (kind, from CSV, key) → (cleaned metadata, its JSON, problems)
        self._memo: dict[tuple[Any, ...], tuple[dict[str, Any], str, list[str]]] = {}

    def validate(self, data: Any) -> ValidOrder:
        """The order ready for staging, or ``InvalidOrder`` listing every problem."""
        if type(data) is dict:
            try:
                return self._validate_fast(data)
            except _Slow:
                pass
        return self._validate_full(data)

    def _validate_fast(self, data: dict[str, Any]) -> ValidOrder:
        """``_validate_full`` for a valid order of the common shape; ``_Slow`` otherwise."""
        source_id = data.get("source_id", data.get("id"))
        if source_id is not None:
            source_id = _fast_text(source_id)
        status = data.get("status")
        if not status:
            status = OrderStatus.CREATED
        elif type(status) is not str or status not in STATUSES:
            raise _SLOW
        amount = data.get("amount")
        amount = None if amount is None or amount == "" else _fast_whole(amount, 0)
        discount = data.get("discount_amount") or 0
        if discount != 0:
            discount = _fast_whole(discount, 0)
        elif type(discount) is not int:
            raise _SLOW
        created_at = data.get("created_at")
        if created_at:
            if type(created_at) is not str:
                raise _SLOW
            try:
                created_at = parse_timestamp(created_at)
            except ValueError:
                raise _SLOW from None
        else:
            created_at = None
        customer = _fast_person(data.get("customer"))
        referrer = _fast_person(data.get("referrer"))
        metadata, metadata_json, problems = self._memo_metadata(
            "order", data.get("metadata"), bool(data.get("_csv"))
        )
        if problems:
            raise _SLOW
        raw_items = data.get("items")
        items: list[ValidItem] = []
        if raw_items is not None and raw_items != "":
            if type(raw_items) is not list or len(raw_items) > MAX_ITEMS:
                raise _SLOW
            from_csv = bool(data.get("_csv"))
            items = [self._fast_item(raw, from_csv) for raw in raw_items]
        if not items and amount is None:
            raise _SLOW
        try:
            totals = _totals(items, amount, discount)
        except ValidationError:
            raise _SLOW from None
        return ValidOrder(
            source_id,
            status,
            totals,
            metadata,
            created_at,
            customer,
            referrer,
            items,
            metadata_json,
        )

    def _fast_item(self, raw: Any, from_csv: bool) -> ValidItem:
        if type(raw) is not dict:
            raise _SLOW
        product = raw.get("product")
        if not isinstance(product, dict):
            product = _EMPTY
        sku = raw.get("sku")
        if not isinstance(sku, dict):
            sku = _EMPTY
        product_id = _fast_text(product.get("source_id") or raw.get("product_id"))
        sku_id = _fast_text(sku.get("source_id") or raw.get("sku_id"))
        own_id = _fast_text(raw.get("source_id"))
        quantity = _fast_whole(raw.get("quantity", 1), 1)
        price = _fast_whole(raw.get("price", product.get("price", 0)), 0)
        discount = raw.get("discount_amount") or 0
        if discount != 0:
            discount = _fast_whole(discount, 0)
        elif type(discount) is not int:
            raise _SLOW
        if not product_id and (sku_id or not own_id):
            raise _SLOW
        metadata, metadata_json = _EMPTY, "{}"
        raw_metadata = raw.get("metadata")
        if raw_metadata is not None:
            metadata, metadata_json, problems = self._memo_metadata("item", raw_metadata, from_csv)
            if problems:
                raise _SLOW
        return ValidItem(
            OrderItem.RelatedObject.SKU if sku_id else OrderItem.RelatedObject.PRODUCT,
            product_id,
            str(product.get("name") or raw.get("product_name") or ""),
            sku_id,
            str(sku.get("sku") or raw.get("sku_name") or ""),
            own_id or sku_id or product_id or "",
            quantity,
            price,
            discount,
            metadata,
            metadata_json,
        )

    def _memo_metadata(
        self, kind: str, value: Any, from_csv: bool
    ) -> tuple[dict[str, Any], str, list[str]]:
        """Metadata validated (``kind`` "order" or "item"), its JSON and its problems; a
        mapping of scalars met before is not validated again."""
        key = _memo_key(value)
        if key is not None:
            key = (kind, from_csv, key)
            known = self._memo.get(key)
            if known is not None:
                return known
        problems: list[str] = []
        if kind == "order":
            cleaned = self._metadata(value, from_csv, problems)
        else:
            cleaned = self._item_metadata(value, from_csv, problems, "")
        result = (cleaned, json.dumps(cleaned), problems)
        if key is not None:
            if len(self._memo) >= _MEMO_LIMIT:
                self._memo.clear()
            self._memo[key] = result
        return result

    def _validate_full(self, data: Any) -> ValidOrder:
        """Every check, every problem worded."""
        if not isinstance(data, dict):
            raise InvalidOrder([f"an order must be an object (actual value is '{shown(data)}')"])
        problems: list[str] = []
        source_id = _text(data.get("source_id", data.get("id")), "source_id", problems)
        status = order_status(data.get("status"), problems)
        amount = None
        if data.get("amount") not in (None, ""):
            amount = whole_number(data["amount"], "amount", 0, problems)
        discount = whole_number(data.get("discount_amount") or 0, "discount_amount", 0, problems)
        created_at = None
        if data.get("created_at"):
            try:
                created_at = parse_timestamp(data["created_at"])
            except ValueError:
                problems.append(
                    "created_at must be an ISO 8601 date and time "
                    f"(actual value is '{shown(data['created_at'])}')"
                )
        customer = self._person(data.get("customer"), "customer", problems)
        referrer = self._person(data.get("referrer"), "referrer", problems)
        metadata = self._metadata(data.get("metadata"), bool(data.get("_csv")), problems)
        items = self._items(data.get("items"), problems, bool(data.get("_csv")))
        if problems:
            raise InvalidOrder(problems)
        if not items and amount is None:
            raise InvalidOrder(["give the order's items or its total amount"])
        try:
            totals = _totals(items, amount, discount or 0)
        except ValidationError as error:
            raise InvalidOrder(_sentences(error)) from error
        return ValidOrder(
            source_id,
            status,
            totals,
            metadata,
            created_at,
            customer,
            referrer,
            items,
            json.dumps(metadata),
        )

    def _person(self, value: Any, role: str, problems: list[str]) -> dict[str, str] | None:
        if value in (None, ""):
            return None
        if isinstance(value, str):
            value = {"source_id": value}
        if not isinstance(value, dict):
            problems.append(
                f"{role} must be an object with a source_id (actual value is '{shown(value)}')"
            )
            return None
        person = {}
        for name in PERSON_FIELDS:
            text = _text(value.get(name), f"{role}.{name}", problems, _PERSON_LIMITS[name])
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
        return order_metadata(value, self.schema, problems)

    def _item_metadata(
        self, value: Any, from_csv: bool, problems: list[str], where: str
    ) -> dict[str, Any]:
        if from_csv and isinstance(value, dict):
            keys = self._item_json_keys
            value = {key: self._cell(key, cell, keys) for key, cell in value.items()}
        try:
            return validate_metadata(
                value, MetadataSchema.RelatedObject.ORDER_ITEM, schema=self.item_schema
            )
        except MetadataValidationError as error:
            problems.extend(f"{where}metadata: {text}" for _, text in error.problems)
            return {}

    def _cell(self, key: str, cell: str, json_keys: set[str] | None = None) -> Any:
        if key not in (self._json_keys if json_keys is None else json_keys):
            return cell
        if not isinstance(cell, str):
            return cell
        try:
            return json.loads(cell)
        except json.JSONDecodeError:
            return cell

    def _items(self, value: Any, problems: list[str], from_csv: bool = False) -> list[ValidItem]:
        if value in (None, ""):
            return []
        if not isinstance(value, list):
            problems.append(f"items must be a list (actual value is '{shown(value)}')")
            return []
        if len(value) > MAX_ITEMS:
            problems.append(
                f"items: an order holds at most {MAX_ITEMS} items (actual count is {len(value)})"
            )
            return []
        items = []
        for index, raw in enumerate(value, start=1):
            item = self._item(raw, f"item {index}: ", problems, from_csv)
            if item is not None:
                items.append(item)
        return items

    def _item(
        self, raw: Any, where: str, problems: list[str], from_csv: bool = False
    ) -> ValidItem | None:
        if not isinstance(raw, dict):
            problems.append(f"{where}must be an object (actual value is '{shown(raw)}')")
            return None
        found: list[str] = []
        product: dict[str, Any] = raw["product"] if isinstance(raw.get("product"), dict) else {}
        sku: dict[str, Any] = raw["sku"] if isinstance(raw.get("sku"), dict) else {}
        product_id = _text(product.get("source_id") or raw.get("product_id"), "product_id", found)
        sku_id = _text(sku.get("source_id") or raw.get("sku_id"), "sku_id", found)
        own_id = _text(raw.get("source_id"), "source_id", found)
        quantity = whole_number(raw.get("quantity", 1), "quantity", 1, found)
        price = whole_number(raw.get("price", product.get("price", 0)), "price", 0, found)
        discount = whole_number(raw.get("discount_amount") or 0, "discount_amount", 0, found)
        if sku_id and not product_id:
            found.append("a SKU needs its product: give product_id (the product's source ID)")
        if not (product_id or sku_id or own_id):
            found.append("give a product_id, a sku_id or a source_id")
        metadata: dict[str, Any] = {}
        if raw.get("metadata") is not None:
            metadata = self._item_metadata(raw["metadata"], from_csv, found, "")
        problems.extend(where + text for text in found)
        if found:
            return None
        related = OrderItem.RelatedObject.SKU if sku_id else OrderItem.RelatedObject.PRODUCT
        return ValidItem(
            related_object=related,
            product_source_id=product_id,
            product_name=str(product.get("name") or raw.get("product_name") or ""),
            sku_source_id=sku_id,
            sku_name=str(sku.get("sku") or raw.get("sku_name") or ""),
            # The service's rule: the item's own id, else its SKU's, else its product's.
            source_id=own_id or sku_id or product_id or "",
            quantity=quantity or 1,
            price=price or 0,
            discount_amount=discount or 0,
            metadata=metadata,
            metadata_json=json.dumps(metadata),
        )


def _totals(items: list[ValidItem], amount: int | None, discount: int) -> OrderTotals:
    """The order's amounts by the order service's one rule (``compute_totals``), with its
    ``ValidationError`` for amounts it refuses."""
    return compute_totals(
        [ItemInput(item.quantity, item.price, item.discount_amount) for item in items],
        amount=amount,
        discount_amount=discount,
    )


def _json_keys(schema: MetadataSchema) -> set[str]:
    """Properties whose CSV cells hold JSON (numbers, booleans, objects, lists)."""
    if not schema.pk:
        return set()
    return {prop.name for prop in schema.properties.all() if prop.array or prop.type in _JSON_TYPES}


def _fast_person(value: Any) -> dict[str, str] | None:
    """``OrderValidator._person`` for an object of plain strings with a source_id."""
    if value is None or value == "":
        return None
    if type(value) is not dict:
        raise _SLOW
    person = {}
    for name, text in value.items():
        limit = _PERSON_LIMITS.get(name)
        if limit is not None:
            text = _fast_text(text)
            if text:
                if len(text) > limit:
                    raise _SLOW
                person[name] = text
    if "source_id" not in person:
        raise _SLOW
    return person


def _sentences(error: ValidationError) -> list[str]:
    """``compute_totals``' field-keyed messages as sentences: ``items.3.price`` → item 3."""
    sentences: list[str] = []
    for key, messages in error.message_dict.items():
        match = re.match(r"^items\.(\d+)\.(\w+)$", key)
        where = f"item {match[1]}: {match[2]}" if match else key
        sentences.extend(f"{where} {message}" for message in messages)
    return sentences
