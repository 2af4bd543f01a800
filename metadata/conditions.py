"""Metadata conditions of the orders list (and of customer segments): ``meta=key:op:value`` in
the URL.

Each condition names a metadata key, an operator that fits the key's type in the order
metadata schema, and a value of that type: ``payment_method:eq:Visa``, ``score:gt:5``,
``coupon:set:``, ``delivery_date:before:2026-01-01``. Keys the schema does not define are
"unknown" and compared as text, or as numbers when the value is a number.
"""

import re
import time
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import JSONField, Lookup, Q, TextField, Value
from django.db.models.fields.json import KeyTransform
from django.db.models.lookups import IContains, IEndsWith, IStartsWith, Regex
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import MetadataProperty, MetadataSchema

Type = MetadataProperty.Type

OPERATORS = {
    "eq": "is",
    "ne": "is not",
    "contains": "contains",
    "set": "is set",
    "unset": "is not set",
    "gt": ">",
    "gte": "≥",
    "lt": "<",
    "lte": "≤",
    "before": "before",
    "after": "after",
}
# The operators that fit each schema type; "unknown" is a key the schema does not define.
OPERATORS_BY_TYPE: dict[str, tuple[str, ...]] = {
    Type.STRING: ("eq", "ne", "contains", "set", "unset"),
    Type.IMAGE_URL: ("eq", "ne", "contains", "set", "unset"),
    Type.NUMBER: ("eq", "ne", "gt", "gte", "lt", "lte", "set", "unset"),
    Type.BOOLEAN: ("eq", "ne", "set", "unset"),
    Type.DATE: ("eq", "ne", "before", "after", "set", "unset"),
    Type.DATETIME: ("eq", "ne", "before", "after", "set", "unset"),
    Type.OBJECT: ("set", "unset"),
    Type.GEOPOINT: ("set", "unset"),
    "unknown": tuple(OPERATORS),
}
VALUELESS = {"set", "unset"}
# Letters, digits and _ . - (no "__", which the ORM reads as a path separator).
KEY_PATTERN = re.compile(r"^(?!.*__)[A-Za-z0-9_.\-]{1,100}$")
# ``KEY_PATTERN`` in words, for every message that refuses a key or a property name.
KEY_RULE = (
    'Use 1 to 100 letters A-Z a-z, digits, "_", "." or "-", without "__" '
    "(no spaces), e.g. gift_note."
)
TRUE_WORDS = {"true", "yes", "1", "on"}
FALSE_WORDS = {"false", "no", "0", "off"}


@dataclass(frozen=True)
class MetaCondition:
    key: str
    op: str
    value: Any
    raw_value: str
    type: str
    array: bool = False

    @property
    def url_value(self) -> str:
        """The condition as it stands in the URL (``key:op:value``)."""
        return f"{self.key}:{self.op}:{self.raw_value}"

    @property
    def label(self) -> str:
        """The condition as a person reads it: ``payment_method is Visa``."""
        words = f"{self.key} {OPERATORS[self.op]}"
        return words if self.op in VALUELESS else f"{words} {self.raw_value}"


def order_schema_properties() -> dict[str, MetadataProperty]:
    """The order metadata schema's live (not deleted) properties by name."""
    # One join and the name order (there is one schema per related object): the orders list
    # reads this on every request, and the planner took longer over a sub-select and the
    # schema's own ordering than the query takes to run.
    return {
        prop.name: prop
        for prop in MetadataProperty.objects.filter(
            schema__related_object=MetadataSchema.RelatedObject.ORDER, deleted=False
        ).order_by("name")
    }


# The list's key suggestions may lag a schema change made in another process by this long;
# conditions are always parsed against the live schema (``order_schema_properties``).
SCHEMA_KEYS_TTL_SECONDS = 30.0
_schema_keys: list[tuple[float, list[tuple[str, str, bool]]]] = []


def order_schema_keys() -> list[tuple[str, str, bool]]:
    """``(name, type, array)`` of the order schema's live properties, by name: what the
    orders list suggests as metadata keys (and types its conditions by).

    Remembered per process for ``SCHEMA_KEYS_TTL_SECONDS`` (a query less on every list page),
    and forgotten as soon as this process saves or deletes a schema or property.
    """
    now = time.monotonic()
    if _schema_keys and _schema_keys[0][0] > now:
        return _schema_keys[0][1]
    keys = [(name, prop.type, prop.array) for name, prop in order_schema_properties().items()]
    _schema_keys[:] = [(now + SCHEMA_KEYS_TTL_SECONDS, keys)]
    return keys


@receiver([post_save, post_delete], sender=MetadataProperty)
@receiver([post_save, post_delete], sender=MetadataSchema)
def forget_schema_keys(**kwargs: Any) -> None:
    """Drop the remembered ``order_schema_keys``."""
    _schema_keys.clear()


def parse_number(text: str) -> int | float:
    """A finite decimal number as an ``int`` when whole, else a ``float``; a ``ValueError``
    otherwise."""
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError("a number") from None
    if not number.is_finite():
        raise ValueError("a number")
    return int(number) if number == number.to_integral_value() else float(number)


def _typed_value(kind: str, op: str, text: str) -> Any:
    if op in VALUELESS:
        return None
    if text == "":
        raise ValueError("a value")
    if kind == Type.NUMBER:
        return parse_number(text)
    if kind == Type.BOOLEAN:
        if text.lower() in TRUE_WORDS:
            return True
        if text.lower() in FALSE_WORDS:
            return False
        raise ValueError("yes or no")
    if kind == Type.DATE:
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            raise ValueError("a date like 2026-01-31") from None
    if kind == Type.DATETIME or (kind == "unknown" and op in ("before", "after")):
        try:
            datetime.fromisoformat(text)
        except ValueError:
            raise ValueError("a date like 2026-01-31 or 2026-01-31T14:00") from None
        return text
    if kind == "unknown" and op in ("gt", "gte", "lt", "lte"):
        return parse_number(text)
    return text


def parse_condition(text: str, properties: dict[str, MetadataProperty]) -> MetaCondition:
    """Parse ``key:op:value`` against the schema; a ``ValidationError`` names what is wrong."""
    key, _, rest = text.partition(":")
    op, _, raw_value = rest.partition(":")
    key, op, raw_value = key.strip(), op.strip().lower(), raw_value.strip()
    if not KEY_PATTERN.match(key) or not op:
        raise ValidationError(
            f"'{text}': write a condition as key:operator:value, e.g. payment_method:eq:Visa",
            code="invalid_meta",
        )
    if op not in OPERATORS:
        raise ValidationError(
            f"'{text}': unknown operator '{op}'; use one of {', '.join(OPERATORS)}",
            code="invalid_meta",
        )
    prop = properties.get(key)
    kind = prop.type if prop else "unknown"
    allowed = OPERATORS_BY_TYPE[kind]
    if op not in allowed:
        described = f"{kind} property '{key}'" if prop else f"unknown property '{key}'"
        raise ValidationError(
            f"'{text}': '{op}' does not fit {described}; use {', '.join(allowed)}",
            code="invalid_meta",
        )
    try:
        value = _typed_value(kind, op, raw_value)
    except ValueError as expected:
        raise ValidationError(
            f"'{text}': {key} needs {expected} (actual value is '{raw_value}')",
            code="invalid_meta",
        ) from None
    return MetaCondition(key, op, value, raw_value, kind, bool(prop and prop.array))


def condition_q(condition: MetaCondition) -> Q:
    """The ``Q`` for one condition.

    Equality uses JSON containment (``@>``) because the GIN index on ``metadata`` answers
    it; "is set" uses the key-exists operator, which that index answers too. Comparisons read
    the key's JSON value.
    """
    key, op, value = condition.key, condition.op, condition.value
    if op in VALUELESS:
        has_key = Q(metadata__has_key=key)
        return has_key if op == "set" else ~has_key
    if op in ("eq", "ne"):
        wanted = [value] if condition.array else value
        match = Q(metadata__contains={key: wanted})
        # "is not" includes orders without the key: containment is false there, never NULL.
        return match if op == "eq" else ~match
    lookup = {
        "contains": "icontains",
        "gt": "gt",
        "gte": "gte",
        "lt": "lt",
        "lte": "lte",
        "before": "lt",
        "after": "gt",
    }[op]
    return key_lookup(key, lookup, value)


class MetadataKey(KeyTransform):
    """``metadata -> 'key'`` with the key always sent as a text.

    Django's ``KeyTransform`` sends an all-digit key ("2024", allowed by ``KEY_PATTERN``) as an
    integer, which PostgreSQL reads as an array position: nothing would match.
    """

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, params, key_transforms = self.preprocess_lhs(compiler, connection)
        if len(key_transforms) > 1:  # a path; keys here are one level
            return super().as_postgresql(compiler, connection)
        return f"({lhs} {self.postgres_operator} %s)", (*params, self.key_name)


class MetadataKeyText(MetadataKey):
    """``metadata ->> 'key'``: the value as text (the key always a text, as above)."""

    postgres_operator = "->>"
    output_field = TextField()


# Lookups on the value's text; the others compare JSON values (numbers, texts of dates).
_TEXT_LOOKUPS: dict[str, type[Lookup]] = {
    "icontains": IContains,
    "istartswith": IStartsWith,
    "iendswith": IEndsWith,
    "regex": Regex,
}


def key_lookup(key: str, lookup: str, value: Any) -> Q:
    """``metadata[key] <lookup> value``: text lookups on the value's text, comparisons on its
    JSON value, as ``metadata__<key>__<lookup>`` would, for any key ``KEY_PATTERN`` allows."""
    if lookup in _TEXT_LOOKUPS:
        return Q(_TEXT_LOOKUPS[lookup](MetadataKeyText(key, "metadata"), value))
    lhs = MetadataKey(key, "metadata")
    lookup_class = lhs.get_lookup(lookup)
    if lookup_class is None:
        raise ValueError(f"no lookup {lookup!r} on a metadata value")
    # The value as a JSON value, as the field would prepare it: 5 compares as jsonb 5.
    return Q(lookup_class(lhs, Value(value, output_field=JSONField())))
