"""Order payloads of the v1 API → calls of the order and customer services.

The API adds no rule of its own: totals, statuses, source ID uniqueness and metadata are
checked by ``orders.services`` (and ``orders.totals`` / ``metadata.validation``);
customers are created and updated by ``customers.services``. What lives here is the
translation: ids and source IDs to rows, reference field names to service arguments, and the
"order session" (one request at a time per order).
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from catalog.models import SKU, Product
from core.rows import row_where, rows_where
from customers.models import Customer
from customers.services import create_customer, update_customer
from orders.actors import Actor
from orders.locks import lock_order_keys
from orders.models import Order
from orders.order_entry import NewProduct, create_product
from orders.services import (
    ItemData,
    create_order,
    normalize_source_id,
    update_order,
    writes_without_savepoints,
)

from .errors import ApiError, from_validation_error
from .order_schemas import CustomerIn, ItemIn, OrderIn

# CustomerIn field → customers.services argument
_PROFILE = {"name": "name", "email": "email", "phone": "phone", "description": "description"}
_ADDRESS = {
    "line_1": "address_line_1",
    "line_2": "address_line_2",
    "city": "city",
    "state": "state",
    "postal_code": "postal_code",
    "country": "country",
}


@contextmanager
def order_session(*keys: str | None, people: Iterable[str | None] = ()) -> Iterator[None]:
    """A transaction in which no other request holds any of ``keys`` (order ids or source
    IDs): the reference's "order session". It takes the per-order advisory locks every
    writer takes (``orders.locks``), in a fixed order so two sessions never deadlock; the
    order's row lock follows (``_locked_order``) before any customer or product is touched.

    ``people`` are the source IDs of the customers the payload names: their advisory locks
    (``customer:<source ID>``, taken only by order sessions) come in the same statement,
    after the order keys', so that finding or creating each customer is one request at a
    time without a round trip of its own.
    """
    # The transaction is rolled back whole when anything in it fails (an error answer is
    # rolled back by ``api.urls``): the services need no savepoints of their own.
    with transaction.atomic(savepoint=False), writes_without_savepoints():
        people_locks = sorted({f"customer:{source_id}" for source_id in people if source_id})
        lock_order_keys(keys, then=people_locks)
        yield


def _lock(names: list[str]) -> None:
    """Advisory locks of the catalogue and the customers, in the order given."""
    if not names:
        return
    with connection.cursor() as cursor:
        # unnest yields the array in its order, so the locks are taken in that order.
        cursor.execute(
            "SELECT count(pg_advisory_xact_lock(hashtextextended(name, 0))) "
            "FROM unnest(%s::text[]) AS name",
            [names],
        )


def _locked_order(**lookup: str) -> Order | None:
    # The row lock, right after the advisory ones: the importer locks orders before the
    # customers and products it writes, so a session must not hold those while it waits.
    # Read and locked in one query; the service uses the row as read (``locked=True``).
    ((field, value),) = lookup.items()
    return row_where(Order, field, value, for_update=True)


def find_order(key: str) -> Order | None:
    """The order whose id, else whose source ID, is ``key``."""
    return row_where(Order, "pk", key) or row_where(Order, "source_id", key)


def _find_locked_order(key: str) -> Order:
    order = _locked_order(pk=key) or _locked_order(source_id=key)
    if order is None:
        raise ApiError.not_found("order", key)
    return order


def _people(payload: OrderIn) -> list[str | None]:
    """The source IDs of the customers a payload finds or creates by source ID."""
    return [
        normalize_source_id(person.source_id)
        for person in (payload.customer, payload.referrer)
        if person is not None and not person.id
    ]


def get_order(key: str) -> Order:
    order = find_order(key)
    if order is None:
        raise ApiError.not_found("order", key)
    return order


def upsert_order(payload: OrderIn, actor: Actor) -> Order:
    """``POST /v1/orders``: update the order ``id`` or ``source_id`` names, else create it."""
    source_id = normalize_source_id(payload.source_id)
    with order_session(payload.id, source_id, people=_people(payload)):
        order = None
        if payload.id:
            order = _locked_order(pk=payload.id)
            if order is None:
                raise ApiError.not_found("order", payload.id)
        elif source_id:
            order = _locked_order(source_id=source_id)
        changes = _changes(payload, create=order is None)
        if order is None:
            if payload.created_at is not None:
                changes["created_at"] = payload.created_at
            # Looked up above, under the source ID's lock: no order has it.
            return create_order(actor=actor, source_id_checked=True, **changes)
        return update_order(order, actor=actor, locked=True, **changes)


def change_order(key: str, payload: OrderIn, actor: Actor) -> Order:
    """``PUT /v1/orders/{key}``: a partial update; fields not sent stay as they are."""
    # A new source ID is locked with the order: the service would lock it after the row.
    with order_session(key, normalize_source_id(payload.source_id), people=_people(payload)):
        order = _find_locked_order(key)
        return update_order(order, actor=actor, locked=True, **_changes(payload, create=False))


def _changes(payload: OrderIn, *, create: bool) -> dict[str, Any]:
    """The service arguments for the fields the payload sent (``null`` clears a relation)."""
    sent = payload.model_fields_set
    changes: dict[str, Any] = {}
    if "source_id" in sent and (payload.source_id is not None or not create):
        changes["source_id"] = payload.source_id
    for name in ("status", "amount", "discount_amount"):
        if getattr(payload, name) is not None:
            changes[name] = getattr(payload, name)
    if payload.items is not None:
        catalogue = _Catalogue(payload.items)
        changes["items"] = [
            _item(item, index, catalogue) for index, item in enumerate(payload.items)
        ]
    if "metadata" in sent:
        changes["metadata"] = payload.metadata or {}
    for role in ("customer", "referrer"):
        person: CustomerIn | None = getattr(payload, role)
        person_id: str | None = getattr(payload, f"{role}_id")
        if person is not None:
            changes[role] = resolve_person(person, f".{role}")
        elif person_id is not None:
            found = row_where(Customer, "pk", person_id)
            if found is None:
                raise ApiError.not_found("customer", person_id)
            changes[role] = found
        elif role in sent or f"{role}_id" in sent:
            changes[role] = None
    if create:
        changes = {name: value for name, value in changes.items() if value is not None}
    return changes


class _Catalogue:
    """The products and SKUs a cart names by id, or by source ID only to read them, fetched
    with one query per kind named rather than one per line. A line that creates or updates
    its product (``item.product``) reads it under its lock instead (``_product_by_source_id``).
    """

    def __init__(self, items: list[ItemIn]) -> None:
        sku_ids, sku_sources, product_ids, product_sources = set(), set(), set(), set()
        for item in items:
            if item.sku_id:
                sku_ids.add(item.sku_id)
            elif item.product_id:
                product_ids.add(item.product_id)
            elif item.source_id and item.related_object == "sku":
                sku_sources.add(item.source_id)
            elif item.source_id and item.product is None:
                product_sources.add(item.source_id)
        skus = SKU.objects.select_related("product")
        self.skus = {sku.pk: sku for sku in skus.filter(pk__in=sku_ids)} if sku_ids else {}
        self.skus_by_source = (
            {sku.source_id: sku for sku in skus.filter(source_id__in=sku_sources)}
            if sku_sources
            else {}
        )
        self.products = {
            product.pk: product for product in rows_where(Product, "pk", sorted(product_ids))
        }
        self.products_by_source = {
            product.source_id: product
            for product in rows_where(Product, "source_id", sorted(product_sources))
        }


def _item(item: ItemIn, index: int, catalogue: _Catalogue) -> ItemData:
    path = f".items[{index}]"
    product: Product | None = None
    sku: SKU | None = None
    if item.sku_id:
        sku = catalogue.skus.get(item.sku_id)
        if sku is None:
            raise ApiError.not_found("sku", item.sku_id)
        if item.product_id and item.product_id != sku.product_id:
            # The line is the SKU's; a product_id naming another product is a mistake to show.
            raise ApiError.invalid_payload(
                f"Property {path}.product_id: sku {sku.pk} belongs to product "
                f"{sku.product_id} (actual value is '{item.product_id}')"
            )
    elif item.product_id:
        product = catalogue.products.get(item.product_id)
        if product is None:
            raise ApiError.not_found("product", item.product_id)
    elif item.source_id and item.related_object == "sku":
        sku = catalogue.skus_by_source.get(item.source_id)
    elif item.source_id and item.product is None:
        product = catalogue.products_by_source.get(item.source_id)
    elif item.source_id:
        product = _product_by_source_id(item, path)

    quantity = item.quantity or 1
    price = item.price
    if price is None and item.amount is not None and item.amount % quantity == 0:
        price = item.amount // quantity
    if price is None:
        known = sku.price if sku else None
        if known is None and (product or (sku and sku.product)):
            known = (product or sku.product).price  # type: ignore[union-attr]  # sku if not product
        price = known if known is not None else 0
    if item.amount is not None and item.amount != price * quantity:
        raise ApiError.invalid_payload(
            f"Property {path}.amount must equal price × quantity, {price * quantity} "
            f"(actual value is '{item.amount}')"
        )
    return ItemData(
        quantity=quantity,
        price=price,
        discount_amount=item.discount_amount or 0,
        product=product,
        sku=sku,
        source_id=item.source_id or "",
        metadata=item.metadata or {},  # checked against its schema by the order service
    )


def _product_by_source_id(item: ItemIn, path: str) -> Product | None:
    """The catalogue product with the item's source ID; made from ``item.product`` when it
    names one that doesn't exist yet, and updated from it when ``override`` is true."""
    given = item.product
    _lock([f"product:{item.source_id}"])
    product = Product.objects.filter(source_id=item.source_id).first()
    if given is None:
        return product
    if product is None and given.name:
        price = given.price if given.price is not None else item.price
        try:  # the Create order wizard's way of adding a product to the catalogue
            product = create_product(NewProduct(given.name, item.source_id), price)
        except ValidationError as error:
            raise from_validation_error(error, prefix=f"{path}.product") from error
        if given.metadata:
            product.metadata = given.metadata
            product.save(update_fields=["metadata", "updated_at"])
        return product
    if product is not None and given.override:
        for name in ("name", "price", "metadata"):
            if getattr(given, name) is not None:
                setattr(product, name, getattr(given, name))
        product.save()
    return product


def resolve_person(data: CustomerIn, path: str) -> Customer:
    """The customer a payload's ``customer`` / ``referrer`` object names, created when new
    and updated with the profile fields sent (through ``customers.services``)."""
    sent = data.model_fields_set
    profile: dict[str, Any] = {
        field: getattr(data, name) or "" for name, field in _PROFILE.items() if name in sent
    }
    if data.address is not None:
        address_sent = data.address.model_fields_set
        profile.update(
            {
                field: getattr(data.address, name) or ""
                for name, field in _ADDRESS.items()
                if name in address_sent
            }
        )
    if "metadata" in sent:
        profile["metadata"] = data.metadata or {}
    source_id = normalize_source_id(data.source_id)
    try:
        if data.id:
            customer = row_where(Customer, "pk", data.id)
            if customer is None:
                raise ApiError.not_found("customer", data.id)
            if source_id:
                profile["source_id"] = source_id
        elif source_id:
            # Its advisory lock ``customer:<source ID>`` is held: the order session took it
            # (``people``).
            customer = row_where(Customer, "source_id", source_id)
            if customer is None:
                return _create_customer(source_id=source_id, **profile)
        elif profile:
            return _create_customer(**profile)
        else:
            raise ApiError.invalid_payload(f"Property {path} needs an id or a source_id")
        changed = {
            name: value for name, value in profile.items() if getattr(customer, name) != value
        }
        return update_customer(customer, **changed) if changed else customer
    except ValidationError as error:
        raise from_validation_error(error, prefix=path) from error


def _create_customer(**fields: Any) -> Customer:
    try:
        with transaction.atomic():
            return create_customer(**fields)
    except IntegrityError:
        # A writer that does not take these locks (the dashboard, the importer) created the same
        # source ID first.
        existing = Customer.objects.filter(source_id=fields.get("source_id")).first()
        if existing is None:
            raise
        return existing
