"""Which values the orders hold at a tracked metadata property, from its totals.

``insights_metadatatotals`` counts the orders per status and value of each property
``TrackedKey`` names, exactly, in the transaction of every write; a property's values that
some order holds are those whose counts sum above zero. The orders' filters ask here before
matching a pattern inside the property's values (``orders.grammar.metadata_text_q``), so a
pattern no value holds reads no order, and one that few orders hold reads those orders by index.
"""

from typing import Any

from django.db.models import CharField, F, Func, Sum, TextField

from .models import MetadataTotals, TrackedKey

# Past this many matching values the orders' query would name too many; the pattern is then
# matched on the orders themselves.
MAX_VALUES = 50


class ValueType(Func):
    """``jsonb_typeof``: string, boolean, number, array or object."""

    function = "jsonb_typeof"
    output_field = CharField()


class ValueText(Func):
    """A JSON value as text, as ``metadata ->> 'key'`` gives the value at a key."""

    template = "(%(expressions)s #>> '{}')"
    output_field = TextField()


def values_matching(key: str, lookup: str, text: str) -> list[Any] | None:
    """The values of the tracked property ``key`` some order holds whose text matches
    ``text`` by ``lookup`` (``icontains`` …): texts and yes/no values, which JSON containment
    (``@>``) matches exactly.

    None when ``key`` is not tracked, when more than ``MAX_VALUES`` match, or when some order
    holds a number, list or object there (written before the schema said otherwise; a JSON
    null is no text and matches nothing): ``5`` and
    ``5.0`` are one JSON value but two texts, and containment would find a list holding the
    value too."""
    if not TrackedKey.objects.filter(key=key).exists():
        return None
    rows = MetadataTotals.objects.filter(key=key, value__isnull=False)
    # Any such value counted, even one no order holds any more: then the pattern is matched
    # on the orders, as without the totals.
    other_types = rows.annotate(value_type=ValueType(F("value"))).exclude(
        value_type__in=("string", "boolean", "null")
    )
    if other_types.exists():
        return None
    values = list(
        rows.annotate(text=ValueText(F("value")))
        .filter(**{f"text__{lookup}": text})
        .values("value")
        .annotate(orders_held=Sum("orders"))
        .filter(orders_held__gt=0)
        .order_by()
        .values_list("value", flat=True)[: MAX_VALUES + 1]
    )
    return values if len(values) <= MAX_VALUES else None
