"""Saving what the Create order wizard gathered: one transaction, all or nothing.

The wizard collects a ``OrderDraft`` (catalogue items or new products, an existing or new
customer and referrer, metadata, properties to add to the order metadata schema).
``save_new_order`` writes the new products, customers and schema properties, then creates the
order through ``orders.services.create_order`` (which records the "created" event) in the
same transaction: a failure anywhere leaves nothing behind.

The draft carries the wizard's idempotency key. The order stores it (``Order.creation_key``,
unique), so a second Save of the same wizard (a double click, a reload of the Summary) returns
the order the first one made instead of making another.
"""

import secrets
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db import transaction

from catalog.models import SKU, Product
from customers.models import Customer
from customers.services import create_customer
from metadata.conditions import KEY_PATTERN, KEY_RULE
from metadata.models import MetadataProperty, MetadataSchema
from metadata.validation import load_schema

from . import locks, services
from .actors import Actor
from .models import Order, OrderStatus
from .services import ItemData

ORDER = MetadataSchema.RelatedObject.ORDER
# The types the wizard offers a typed input for, and so may add to the schema.
ADDABLE_TYPES = (
    MetadataProperty.Type.STRING,
    MetadataProperty.Type.NUMBER,
    MetadataProperty.Type.BOOLEAN,
    MetadataProperty.Type.DATE,
    MetadataProperty.Type.DATETIME,
)


def new_creation_key() -> str:
    """A fresh idempotency key for one run of the wizard (43 URL-safe characters)."""
    return secrets.token_urlsafe(32)


def may_add_to_schema(user: User | AnonymousUser) -> bool:
    """Whether ``user`` may define new properties of the order metadata schema."""
    return user.has_perm("metadata.add_metadataproperty") or user.has_perm(
        "metadata.change_metadataschema"
    )


@dataclass(frozen=True)
class NewProduct:
    name: str
    source_id: str | None = None


@dataclass(frozen=True)
class Line:
    """One cart line: a catalogue product / SKU, or a product to create on Save."""

    quantity: int
    price: int
    product: Product | None = None
    sku: SKU | None = None
    new_product: NewProduct | None = None

    @property
    def name(self) -> str:
        if self.new_product:
            return self.new_product.name
        if self.sku:
            return f"{self.sku.product.name} · {self.sku.sku}"
        return self.product.name if self.product else ""


@dataclass(frozen=True)
class NewCustomer:
    name: str = ""
    email: str = ""
    phone: str = ""
    source_id: str | None = None

    def __str__(self) -> str:
        return self.name or self.email or self.source_id or "new customer"


@dataclass(frozen=True)
class NewProperty:
    """A property to add to the order metadata schema on Save."""

    name: str
    type: str = MetadataProperty.Type.STRING
    required: bool = False
    array: bool = False

    def as_dict(self) -> dict[str, Any]:
        """For the wizard's session storage (JSON)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "NewProperty":
        return cls(
            name=str(data["name"]),
            type=str(data.get("type") or MetadataProperty.Type.STRING),
            required=bool(data.get("required")),
            array=bool(data.get("array")),
        )


@dataclass
class OrderDraft:
    """Everything the wizard gathered, ready for ``save_new_order``."""

    source_id: str | None = None
    status: str = OrderStatus.CREATED
    lines: list[Line] = field(default_factory=list)
    amount: int | None = None
    customer: Customer | None = None
    new_customer: NewCustomer | None = None
    referrer: Customer | None = None
    new_referrer: NewCustomer | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    new_properties: list[NewProperty] = field(default_factory=list)


def check_new_property(prop: NewProperty, *, pending: Sequence[NewProperty] = ()) -> None:
    """Raise a ``ValidationError`` keyed by field when ``prop`` cannot be added to the order
    metadata schema (blank or taken name, a type the wizard cannot edit)."""
    name = prop.name.strip()
    if not name:
        raise ValidationError({"name": "Give the new property a name."})
    if not KEY_PATTERN.match(name):
        # Written to the schema on Save: a name the validator, filters and exports accept.
        raise ValidationError({"name": f"'{name[:40]}' cannot be a property name. {KEY_RULE}"})
    if prop.type not in ADDABLE_TYPES:
        raise ValidationError({"type": f"{name}: choose one of the offered types."})
    schema = load_schema(ORDER)
    taken = set() if schema._state.adding else {p.name for p in schema.properties.all()}
    if name in taken:
        raise ValidationError({"name": f"{name}: the order metadata schema already has it."})
    if name in {p.name for p in pending}:
        raise ValidationError({"name": f"{name}: already added, see its input above."})


def schema_after_save(new_properties: list[NewProperty]) -> MetadataSchema:
    """The order metadata schema as it will be once the pending properties are written.

    An in-memory copy (nothing is saved): the stored properties plus unsaved ones, handed to
    ``describe_properties`` and ``validate_metadata`` through the prefetch cache they read.
    """
    schema = load_schema(ORDER)
    properties = list(schema.properties.all()) if not schema._state.adding else []
    properties += [
        MetadataProperty(
            schema=schema, name=p.name, type=p.type, array=p.array, optional=not p.required
        )
        for p in new_properties
    ]
    if not new_properties:
        return schema
    copy = MetadataSchema(
        id=schema.id,
        related_object=ORDER,
        allow_defined_only=schema.allow_defined_only,
    )
    copy._state.adding = False  # so the validator reads the properties given below
    copy._prefetched_objects_cache = {"properties": properties}  # type: ignore[attr-defined]  # Django's prefetch cache
    return copy


def add_schema_properties(new_properties: list[NewProperty]) -> list[MetadataProperty]:
    """Write new properties to the order metadata schema (created if there is none)."""
    if not new_properties:
        return []
    schema, _ = MetadataSchema.objects.get_or_create(related_object=ORDER)
    created = []
    for prop in new_properties:
        if schema.properties.filter(name=prop.name).exists():
            raise ValidationError(
                f"{prop.name}: someone added this property to the schema meanwhile; "
                "go back to Metadata and fill it in there."
            )
        created.append(
            MetadataProperty.objects.create(
                schema=schema,
                name=prop.name,
                type=prop.type,
                array=prop.array,
                optional=not prop.required,
            )
        )
    return created


def create_product(new: NewProduct, price: int | None) -> Product:
    """A catalogue product named in the wizard, priced as its first line."""
    product = Product(name=new.name.strip(), source_id=new.source_id or None, price=price)
    product.full_clean()
    product.save(force_insert=True)
    return product


def _lock_key(key: str, source_id: str | None) -> None:
    # Two Saves of one wizard at the same moment wait for each other here; the second then
    # finds the first's order below instead of failing on the unique index. The source ID's
    # lock is taken with it, in the one sorted order every writer follows.
    locks.lock_order_keys([key, services.normalize_source_id(source_id)])


def _person(existing: Customer | None, new: NewCustomer | None) -> Customer | None:
    if new is None:
        return existing
    return create_customer(name=new.name, email=new.email, phone=new.phone, source_id=new.source_id)


@transaction.atomic
def save_new_order(draft: OrderDraft, *, actor: Actor, creation_key: str) -> tuple[Order, bool]:
    """Write the draft's new products, customers and schema properties, then the order.

    Returns ``(order, created)``: an order already saved with ``creation_key`` is returned as
    it is (``created`` False) and nothing is written. Raises ``ValidationError`` and writes
    nothing when any part fails.
    """
    if not creation_key:
        raise ValueError("save_new_order needs the wizard's creation key")
    _lock_key(creation_key, draft.source_id)
    existing = Order.objects.filter(creation_key=creation_key).first()
    if existing:
        return existing, False

    add_schema_properties(draft.new_properties)
    new_products: dict[NewProduct, Product] = {}
    items = []
    for line in draft.lines:
        product, sku = line.product, line.sku
        if line.new_product:
            # The same new product on two lines is one product.
            if line.new_product not in new_products:
                new_products[line.new_product] = create_product(line.new_product, line.price)
            product = new_products[line.new_product]
        source_id = (sku.source_id if sku else product.source_id if product else "") or ""
        items.append(
            ItemData(
                quantity=line.quantity, price=line.price, product=product, sku=sku,
                source_id=source_id,
            )
        )  # fmt: skip
    customer = _person(draft.customer, draft.new_customer)
    referrer = _person(draft.referrer, draft.new_referrer)
    order = services.create_order(
        actor=actor,
        source_id=draft.source_id,
        status=draft.status,
        items=items,
        amount=None if items else draft.amount,
        customer=customer,
        referrer=referrer,
        metadata=draft.metadata,
        creation_key=creation_key,
    )
    return order, True
