"""The one way to create and change orders.

Every function here runs in a transaction, validates before it writes, records an
``OrderEvent`` for what changed and keeps the customers' purchase summaries current. The
dashboard, the admin, the API and the importer all call these functions.
"""

import functools
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from catalog.models import SKU, Product
from core.rows import insert_together, rows_where
from customers.models import Customer
from metadata.models import MetadataSchema
from metadata.validation import MetadataValidationError, load_schema
from metadata.validation import validate_metadata as validate_against_schema

from . import events, locks
from .actors import Actor
from .events import TOTAL_FIELDS
from .models import COUNTED_STATUSES, Order, OrderEvent, OrderItem, OrderStatus
from .summaries import count_new_order, refresh_purchase_summaries
from .totals import ItemInput, OrderTotals, compute_totals

logger = logging.getLogger(__name__)

# Fields ``update_order`` accepts; anything else is a programming error.
EDITABLE_FIELDS = frozenset(
    {
        "source_id",
        "status",
        "items",
        "amount",
        "discount_amount",
        "customer",
        "referrer",
        "metadata",
    }
)


@dataclass(frozen=True)
class ItemData:
    """One cart line as a caller gives it; amounts are computed by ``orders.totals``."""

    quantity: int
    price: int
    discount_amount: int = 0
    product: Product | None = None
    sku: SKU | None = None
    source_id: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)

    def as_input(self) -> ItemInput:
        return ItemInput(self.quantity, self.price, self.discount_amount)

    @classmethod
    def from_item(cls, item: OrderItem) -> "ItemData":
        return cls(
            quantity=item.quantity,
            price=item.price,
            discount_amount=item.discount_amount,
            product=item.product,
            sku=item.sku,
            source_id=item.source_id,
            metadata=item.metadata,
        )

    def snapshot(self) -> dict[str, Any]:
        """The line as an event's ``items`` shows it (``orders.events.item_line``)."""
        return events.item_line(
            {
                "product_id": self.product.pk if self.product else None,
                "sku_id": self.sku.pk if self.sku else None,
                "source_id": self.source_id,
                "quantity": self.quantity,
                "price": self.price,
                "discount_amount": self.discount_amount,
                "metadata": self.metadata,
            }
        )


def normalize_source_id(source_id: str | None) -> str | None:
    source_id = (source_id or "").strip()
    return source_id or None


def ensure_source_id_available(source_id: str | None, *, exclude_id: str | None = None) -> None:
    """Raise a ``ValidationError`` naming the order that already uses ``source_id``."""
    if not source_id:
        return
    taken = Order.objects.filter(source_id=source_id).exclude(pk=exclude_id)
    owner = taken.values_list("pk", flat=True).first()
    if owner:
        raise ValidationError(
            {
                "source_id": ValidationError(
                    f"Source ID '{source_id}' is already used by order {owner}.",
                    code="source_id_taken",
                )
            }
        )


def _validate_status(status: str) -> str:
    if status not in OrderStatus.values:
        allowed = ", ".join(OrderStatus.values)
        raise ValidationError(
            {"status": f"must be one of {allowed} (actual value is '{status}')"}, code="invalid"
        )
    return status


def validate_metadata(metadata: Any) -> dict[str, Any]:
    """An order's metadata checked against the order metadata schema (``None`` means none);
    the normalized mapping, or a ``ValidationError`` naming each property that is wrong."""
    return validate_against_schema(metadata, MetadataSchema.RelatedObject.ORDER)


def validate_item_metadata(items: Sequence[ItemData]) -> list[ItemData]:
    """``items`` with their metadata checked against the order item metadata schema and
    normalized, or a ``ValidationError`` naming each wrong property by item
    (``items.2.metadata.color``, items counted from 1). An item without metadata has none
    to check."""
    if not any(item.metadata for item in items):
        return list(items)
    schema = load_schema(MetadataSchema.RelatedObject.ORDER_ITEM)
    checked: list[ItemData] = []
    problems: dict[str, list[str]] = {}
    for index, item in enumerate(items, start=1):
        if not item.metadata:
            checked.append(item)
            continue
        try:
            metadata = validate_against_schema(
                item.metadata, MetadataSchema.RelatedObject.ORDER_ITEM, schema=schema
            )
        except MetadataValidationError as error:
            for name, message in error.problems:
                where = "" if name == "metadata" else f".{name}"
                problems.setdefault(f"items.{index}.metadata{where}", []).append(message)
            continue
        checked.append(replace(item, metadata=metadata))
    if problems:
        raise ValidationError(
            {
                key: [ValidationError(text, code="invalid_metadata") for text in messages]
                for key, messages in problems.items()
            }
        )
    return checked


def _item_rows(order: Order, items: Sequence[ItemData], totals: OrderTotals) -> list[OrderItem]:
    rows = []
    for position, (item, computed) in enumerate(zip(items, totals.items, strict=True)):
        related = OrderItem.RelatedObject.SKU if item.sku else OrderItem.RelatedObject.PRODUCT
        product = item.product or (item.sku.product if item.sku else None)
        rows.append(
            OrderItem(
                order=order,
                position=position,
                related_object=related,
                product=product,
                sku=item.sku,
                source_id=item.source_id
                or (item.sku.source_id if item.sku else "")
                or (product.source_id if product else "")
                or "",
                quantity=computed.quantity,
                price=computed.price,
                amount=computed.amount,
                discount_amount=computed.discount_amount,
                subtotal_amount=computed.subtotal_amount,
                metadata=item.metadata or {},
            )
        )
    return rows


def _apply_totals(order: Order, totals: OrderTotals) -> None:
    for name in TOTAL_FIELDS:
        setattr(order, name, getattr(totals, name))


def _event(order: Order, actor: Actor, event_type: str, changes: dict[str, Any]) -> OrderEvent:
    return OrderEvent(
        order=order,
        type=event_type,
        actor_type=actor.type,
        actor_user=actor.user,
        actor_label=actor.label,
        changes=changes,
        version=order.version,
    )


class OrderChangedElsewhere(ValidationError):
    """An edit started from an older version of the order: someone saved it in between.

    Nothing is written. ``events`` are the changes saved since that version, newest first,
    so the person can see what changed before trying again.
    """

    def __init__(self, order: Order, expected_version: int, events: list[OrderEvent]) -> None:
        who = sorted({event.actor_label for event in events if event.actor_label})
        by = f" by {', '.join(who)}" if who else ""
        super().__init__(
            f"Order {order.pk} was changed{by} since you opened it; nothing was saved. "
            "Review the changes below and try again.",
            code="stale",
        )
        self.order = order
        self.expected_version = expected_version
        self.events = events


def _save_unique(
    order: Order,
    *,
    unchanged_source_id: bool = False,
    save: Callable[[], None] | None = None,
    **save_kwargs: Any,
) -> None:
    # The check above covers the common case; the unique index settles a race between two
    # requests, and its error must read the same as the check's. Every writer takes the
    # source ID's lock before checking it (``orders.locks``), so while this transaction
    # holds it the check is the answer and the savepoint (two round trips) is not needed.
    # An order saved with the source ID it already had can't collide with another either.
    # ``save``: writes the order (and what goes with it) instead of ``order.save()``.
    save = save or functools.partial(order.save, **save_kwargs)
    if (
        unchanged_source_id
        or not order.source_id
        or locks.order_key(order.source_id) in locks.held_order_locks()
    ):
        save()
        return
    try:
        with transaction.atomic():
            save()
    except IntegrityError as error:
        if order.source_id and "source_id" in str(error):
            ensure_source_id_available(order.source_id, exclude_id=order.pk)
        raise


_no_savepoints: ContextVar[bool] = ContextVar("order_writes_without_savepoints", default=False)


@contextmanager
def writes_without_savepoints() -> Iterator[None]:
    """Inside, ``create_order`` and ``update_order`` open no savepoint of their own: for a
    caller whose transaction is rolled back whole when anything in it fails (the API's order
    session), where a savepoint would only cost two round trips."""
    token = _no_savepoints.set(True)
    try:
        yield
    finally:
        _no_savepoints.reset(token)


def _atomic[**P, R](service: Callable[P, R]) -> Callable[P, R]:
    """``transaction.atomic``, without its savepoint inside ``writes_without_savepoints``."""

    @functools.wraps(service)
    def atomic_service(*args: P.args, **kwargs: P.kwargs) -> R:
        with transaction.atomic(savepoint=not _no_savepoints.get()):
            return service(*args, **kwargs)

    return atomic_service


@_atomic
def create_order(
    *,
    actor: Actor,
    source_id: str | None = None,
    status: str = OrderStatus.CREATED,
    items: Sequence[ItemData] = (),
    amount: int | None = None,
    discount_amount: int = 0,
    customer: Customer | None = None,
    referrer: Customer | None = None,
    metadata: dict[str, Any] | None = None,
    created_at: datetime | None = None,
    event_type: str = OrderEvent.Type.CREATED,
    creation_key: str | None = None,
    source_id_checked: bool = False,
) -> Order:
    """Create an order with its items, write its ``created`` (or ``imported``) event.

    The order's metadata and its items' are checked against their metadata schemas
    (``validate_metadata``, ``validate_item_metadata``) and stored as they normalize them.

    ``creation_key`` is the caller's idempotency key (the Create order wizard's), kept on the
    order so a repeated request can find the order instead of making a second one.

    ``source_id_checked``: the caller looked for an order with ``source_id`` in this
    transaction, after taking its lock (``orders.locks.lock_order_keys``), and found none;
    it is not looked for again.

    The returned order holds its items (``order.items.all()`` asks nothing).
    """
    source_id = normalize_source_id(source_id)
    # Another writer creating this source ID (an import, a request) finishes first.
    locks.lock_order_keys([source_id])
    status = _validate_status(status or OrderStatus.CREATED)
    metadata = validate_metadata(metadata)
    items = validate_item_metadata(items)
    totals = compute_totals(
        [item.as_input() for item in items], amount=amount, discount_amount=discount_amount
    )
    if not (source_id_checked and locks.order_key(source_id or "") in locks.held_order_locks()):
        ensure_source_id_available(source_id)

    now = timezone.now()
    order = Order(
        source_id=source_id,
        status=status,
        customer=customer,
        referrer=referrer,
        metadata=metadata,
        created_at=created_at or now,
        updated_at=now,
        creation_key=creation_key,
    )
    _apply_totals(order, totals)
    rows = _item_rows(order, items, totals)
    created = {name: getattr(order, name) for name in events.CREATED_FIELDS}
    event = _event(order, actor, event_type, events.created_changes(created))
    # The order, its items and its event in one statement (``core.rows``): a third of the
    # round trips, and no query built per row.
    _save_unique(order, save=lambda: insert_together([order], rows, [event]))
    _remember_items(order, rows)
    count_new_order(order)
    return order


def _remember_items(order: Order, rows: list[OrderItem]) -> None:
    """Keep the cart just written on the order, as ``prefetch_related("items")`` would:
    whoever shows it next (the API's response) asks the database nothing."""
    cart = order.items.all()
    cart._result_cache = rows
    cart._prefetch_done = True  # type: ignore[attr-defined]  # QuerySet's own flag
    order._prefetched_objects_cache = {"items": cart}  # type: ignore[attr-defined]  # Django's prefetch cache


@_atomic
def update_order(
    order: Order | str,
    *,
    actor: Actor,
    expected_version: int | None = None,
    locked: bool = False,
    **changes: Any,
) -> Order:
    """Apply a partial update: fields not given stay as they are.

    Accepts ``source_id``, ``status``, ``items`` (a new cart, replacing the old one),
    ``amount`` (for orders without items), ``discount_amount``, ``customer``, ``referrer``
    and ``metadata`` (replaces the whole mapping). The order row is locked for the duration
    (the reference's "order session"): concurrent changes to one order run one at a time.

    A new cart's item metadata is checked as ``create_order`` checks it.

    With ``expected_version`` (the version the editor started from), a save over someone
    else's newer change raises ``OrderChangedElsewhere`` and writes nothing.

    A save that changes something writes exactly one event holding every field's
    ``[before, after]``; its type names the kind of change (``status_changed``, ...), or is
    ``updated`` when several kinds changed together. A save that changes nothing writes
    nothing, not even ``updated_at``.

    ``locked``: ``order`` is an ``Order`` the caller read with ``select_for_update()`` in
    this transaction, after taking the advisory locks of its keys and of a new source ID
    (``orders.locks``): it is used as read instead of being read and locked again.
    """
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"update_order() got unexpected fields: {', '.join(sorted(unknown))}")
    order_id = order.pk if isinstance(order, Order) else order
    if changes.get("source_id"):
        # A new source ID's advisory lock comes before the row lock, the order every writer
        # takes them in (``orders.locks``).
        locks.lock_order_keys([normalize_source_id(changes["source_id"])])
    if not (locked and isinstance(order, Order)):
        order = Order.objects.select_for_update().get(pk=order_id)
    if expected_version is not None and order.version != expected_version:
        newer = order.events.filter(version__gt=expected_version).select_related("actor_user")
        raise OrderChangedElsewhere(order, expected_version, list(newer))
    customer_before = order.customer_id
    source_id_before = order.source_id
    counted_before = _counted(order)

    diff = events.OrderChanges()

    if "source_id" in changes:
        source_id = normalize_source_id(changes["source_id"])
        if source_id != order.source_id:
            ensure_source_id_available(source_id, exclude_id=order.pk)
        diff.field("source_id", order.source_id, source_id)
        order.source_id = source_id

    if "status" in changes:
        status = _validate_status(changes["status"])
        diff.field("status", order.status, status)
        order.status = status

    for role in ("customer", "referrer"):
        if role in changes:
            person = changes[role]
            new_id = person.pk if person else None
            before = getattr(order, f"{role}_id")
            diff.field(f"{role}_id", before, new_id)
            setattr(order, role, person)

    if "metadata" in changes:
        metadata = validate_metadata(changes["metadata"])
        diff.metadata(order.metadata or {}, metadata)
        order.metadata = metadata

    new_items: Sequence[ItemData] | None = changes.get("items")
    new_rows: list[OrderItem] = []
    if new_items is not None or "amount" in changes or "discount_amount" in changes:
        if new_items is not None:
            # The cart is replaced: its lines are read only to record what they were.
            stored = sorted(rows_where(OrderItem, "order_id", [order.pk]), key=_by_position)
            before_items = [_line(row) for row in stored]
            items = validate_item_metadata(new_items)
        else:
            current = order.items.select_related("sku", "product")
            items = [ItemData.from_item(item) for item in current]
            before_items = [item.snapshot() for item in items]
        if items or "amount" in changes:
            amount = changes.get("amount")
        else:
            # A total-only order keeps its amount; emptying a cart needs a new amount.
            amount = None if before_items else order.amount
        totals = compute_totals(
            [item.as_input() for item in items],
            amount=amount,
            discount_amount=changes.get("discount_amount", order.discount_amount),
        )
        for name in TOTAL_FIELDS:
            diff.field(name, getattr(order, name), getattr(totals, name))
        after_items = [item.snapshot() for item in items]
        if new_items is not None and before_items != after_items:
            diff.items(before_items, after_items)
            order.items.all().delete()
            new_rows = _item_rows(order, items, totals)
        _apply_totals(order, totals)

    if not diff:
        return order

    order.updated_at = timezone.now()
    order.version += 1
    event = _event(order, actor, diff.event_type, diff.changes)
    # The order, its new cart and its event in one statement (``core.rows``).
    _save_unique(
        order,
        unchanged_source_id=order.source_id == source_id_before,
        save=lambda: insert_together(new_rows, [event], update=[order]),
    )
    if new_rows:
        _remember_items(order, new_rows)
    if customer_before != order.customer_id or counted_before != _counted(order):
        refresh_purchase_summaries([customer_before, order.customer_id])
    return order


def _by_position(item: OrderItem) -> int:
    return item.position


def _line(item: OrderItem) -> dict[str, Any]:
    """A stored line as an event's ``items`` shows it: ``ItemData.from_item(item).snapshot()``
    without reading its product and SKU."""
    return events.item_line(
        {
            "product_id": item.product_id,
            "sku_id": item.sku_id,
            "source_id": item.source_id,
            "quantity": item.quantity,
            "price": item.price,
            "discount_amount": item.discount_amount,
            "metadata": item.metadata,
        }
    )


def _counted(order: Order) -> int | None:
    """What the order adds to its customer's purchase summary (``orders.summaries``): its
    total when its status counts, else nothing. A change that leaves it and the customer
    as they were leaves the summary as it was (an update never moves ``created_at``)."""
    return order.total_amount if order.status in COUNTED_STATUSES else None


def change_order_status(
    order: Order | str, status: str, *, actor: Actor, expected_version: int | None = None
) -> Order:
    """Move an order to another status (a redemption rollback is PAID → CANCELED)."""
    return update_order(order, actor=actor, expected_version=expected_version, status=status)


@transaction.atomic
def delete_order(order: Order | str, *, actor: Actor) -> None:
    """Delete an order, its items and its history, and correct its customer's summary."""
    order_id = order.pk if isinstance(order, Order) else order
    order = Order.objects.select_for_update().get(pk=order_id)
    customer_id = order.customer_id
    order.delete()
    logger.info("order %s deleted by %s", order_id, actor.label)
    refresh_purchase_summaries([customer_id])
