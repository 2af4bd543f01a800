"""The shapes of order events: what an event's ``changes`` hold, built in one place.

Every writer of ``OrderEvent`` rows takes its shapes from here: ``orders.services`` (one order
at a time, in Python), the importer's set-based SQL (``imports.upsert``, whose
``jsonb_build_object`` arguments are generated from the lists below) and the demo generator
(``demo.generator``). The Activity tab reads what they write, so one order reads the same
whoever made or changed it.

- A ``created`` event (and an ``imported`` event of a new order) holds ``CREATED_FIELDS``,
  each as ``[None, value]``.
- A change (``updated``, ``status_changed``, ... and an ``imported`` event of an order
  already stored) holds every changed field as ``[before, after]``, ``metadata.<key>`` for
  each metadata key that changed, and ``items`` as the cart's lines before and after, each
  line in ``ITEM_FIELDS``' shape. ``OrderChanges`` collects them.
"""

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .models import OrderEvent

Type = OrderEvent.Type

# What a new order's event records, each as [None, value].
CREATED_FIELDS = ("status", "amount", "total_amount", "items_count", "customer_id", "referrer_id")
# An order's computed amounts (``orders.totals``), all recorded when a cart or amount changes.
TOTAL_FIELDS = (
    "amount",
    "initial_amount",
    "discount_amount",
    "items_discount_amount",
    "total_discount_amount",
    "total_amount",
    "items_count",
)
# The order fields a change records as [before, after], and the kind of change each one is
# (a save changing one kind is an event of that type; several kinds make ``updated``).
# ``created_at`` only an import changes.
FIELD_KINDS: dict[str, str] = {
    "source_id": Type.UPDATED,
    "status": Type.STATUS_CHANGED,
    "customer_id": Type.CUSTOMER_CHANGED,
    "referrer_id": Type.CUSTOMER_CHANGED,
    **dict.fromkeys(TOTAL_FIELDS, Type.ITEMS_CHANGED),
    "created_at": Type.UPDATED,
}
METADATA_PREFIX = "metadata."
ITEMS = "items"
# One cart line as a change's ``items`` shows it.
ITEM_FIELDS = (
    "product_id",
    "sku_id",
    "source_id",
    "quantity",
    "price",
    "discount_amount",
    "metadata",
)

# Writes SQL for one field: given a field's name, the expression holding its value.
Column = Callable[[str], str]


def created_changes(values: Mapping[str, Any]) -> dict[str, list[Any]]:
    """A new order's event ``changes``: ``values`` holds (at least) ``CREATED_FIELDS``."""
    return {name: [None, values[name]] for name in CREATED_FIELDS}


def item_line(values: Mapping[str, Any]) -> dict[str, Any]:
    """One cart line as a change's ``items`` shows it; ``values`` holds ``ITEM_FIELDS``."""
    return {name: values[name] for name in ITEM_FIELDS}


def metadata_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``metadata.<key>: [before, after]`` for each key added, removed or changed."""
    return {
        f"{METADATA_PREFIX}{key}": [before.get(key), after.get(key)]
        for key in sorted(before.keys() | after.keys())
        if before.get(key) != after.get(key) or (key in before) != (key in after)
    }


class OrderChanges:
    """The ``changes`` of one save of an order, and the event type they make."""

    def __init__(self) -> None:
        self.changes: dict[str, list[Any]] = {}
        self._kinds: set[str] = set()

    def __bool__(self) -> bool:
        return bool(self.changes)

    def field(self, name: str, before: Any, after: Any) -> None:
        """Record ``name`` (one of ``FIELD_KINDS``) if its value changed."""
        if before != after:
            self.changes[name] = [before, after]
            self._kinds.add(FIELD_KINDS[name])

    def metadata(self, before: Mapping[str, Any], after: Mapping[str, Any]) -> None:
        """Record each metadata key that changed."""
        found = metadata_changes(before, after)
        if found:
            self.changes.update(found)
            self._kinds.add(Type.METADATA_CHANGED)

    def items(self, before: list[dict[str, Any]], after: list[dict[str, Any]]) -> None:
        """Record the cart's lines (``item_line``'s shape) if they changed."""
        if before != after:
            self.changes[ITEMS] = [before, after]
            self._kinds.add(Type.ITEMS_CHANGED)

    @property
    def event_type(self) -> str:
        """The kind of change when there is one kind, else ``updated``."""
        return next(iter(self._kinds)) if len(self._kinds) == 1 else Type.UPDATED


# --- The same shapes as SQL (PostgreSQL), for writers that build events set-based ---------


def _pairs(names: Sequence[str], value: Callable[[str], str]) -> str:
    return ", ".join(f"'{name}', {value(name)}" for name in names)


def created_changes_sql(column: Column) -> str:
    """``created_changes`` as a ``jsonb`` expression; ``column(name)`` gives each value."""
    return (
        "jsonb_build_object("
        + _pairs(CREATED_FIELDS, lambda name: f"jsonb_build_array(NULL, {column(name)})")
        + ")"
    )


def item_line_sql(column: Column) -> str:
    """``item_line`` as a ``jsonb`` expression; ``column(name)`` gives each value."""
    return "jsonb_build_object(" + _pairs(ITEM_FIELDS, column) + ")"


def field_changes_sql(names: Sequence[str], before: Column, after: Column) -> str:
    """``OrderChanges.field`` for each of ``names`` (``FIELD_KINDS``) as a ``jsonb`` object
    holding the fields whose value differs."""
    for name in names:
        if name not in FIELD_KINDS:
            raise ValueError(f"{name} is not a field an order event records")
    pairs = _pairs(names, lambda name: f"jsonb_build_array({before(name)}, {after(name)})")
    return (
        "(SELECT coalesce(jsonb_object_agg(key, value), '{}') "
        f"FROM jsonb_each(jsonb_build_object({pairs})) "
        "WHERE value->0 IS DISTINCT FROM value->1)"
    )


def metadata_changes_sql(before: str, after: str) -> str:
    """``metadata_changes`` of two ``jsonb`` expressions as a ``jsonb`` object."""
    return f"""CASE WHEN {before} IS DISTINCT FROM {after} THEN
        (SELECT coalesce(jsonb_object_agg('{METADATA_PREFIX}' || k,
                jsonb_build_array({before} -> k, {after} -> k)), '{{}}')
         FROM (SELECT jsonb_object_keys(coalesce({before}, '{{}}'))
               UNION SELECT jsonb_object_keys(coalesce({after}, '{{}}'))) AS keys (k)
         WHERE ({before} -> k) IS DISTINCT FROM ({after} -> k))
       ELSE '{{}}' END"""


def items_changes_sql(changed: str, before: str, after: str) -> str:
    """``OrderChanges.items`` as a ``jsonb`` object: ``before`` and ``after`` are ``jsonb``
    arrays of ``item_line_sql`` lines (NULL: no lines), ``changed`` a boolean."""
    return (
        f"CASE WHEN {changed} THEN jsonb_build_object('{ITEMS}', jsonb_build_array("
        f"coalesce({before}, '[]'), coalesce({after}, '[]'))) ELSE '{{}}' END"
    )
