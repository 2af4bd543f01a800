"""The reference's filter grammar for orders: ``{"junction": "and", "<field>": {"conditions":
{"$<condition>": value or [values]}}}``, and its query-string form
``filters[<field>][conditions][$<condition>][<index>]=<value>``.

One grammar for ``GET /v1/orders``, ``GET /v1/orders/stats``, ``POST /v1/orders/export``,
``POST /v1/exports`` and the dashboard's orders list (whose URL carries the query-string form),
so an export from the list and one from the API select the same orders.

Each field has a type, and each type takes the conditions that fit it (``CONDITIONS``); a
``metadata.<key>`` field takes its type from the order metadata schema (a key the schema does
not define is compared as text, or as a number or date where the condition says so). A
condition that does not fit its field is a ``ValidationError`` naming the field, the
condition and the conditions the field takes. ``junction`` joins every condition of every
field: ``and`` (all must hold, the default) or ``or`` (any).

Conditions read the columns' indexes where one exists: equality and ranges on the order's
columns (btree), text conditions on ``source_id`` (trigram; ``$starts_with`` a range of the
prefix btree), customer and referrer through the customers table (the trigrams of their ids),
metadata equality and presence (GIN), and text conditions on a metadata property whose values
the insights statistics count, by those values (``metadata_text_q``).
"""

import contextlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import BooleanField, CharField, Func, Q, Value
from django.db.models.lookups import Exact
from django.http import QueryDict
from django.utils import timezone

from core.filters import in_utc, parse_date_or_datetime
from metadata.conditions import (
    FALSE_WORDS,
    KEY_PATTERN,
    TRUE_WORDS,
    MetadataKey,
    key_lookup,
    parse_number,
)
from metadata.models import MetadataProperty

from .models import OrderStatus
from .totals import MAX_AMOUNT

META_PREFIX = "metadata."
JUNCTIONS = ("and", "or")
# Every condition the reference knows, in its order. One outside it is a typo; one inside it
# may still not fit a field (``CONDITIONS`` says which do).
REFERENCE_CONDITIONS = (
    "$in", "$not_in", "$is", "$is_not", "$has_value", "$is_unknown", "$contains",
    "$not_contain", "$starts_with", "$ends_with", "$more_than", "$less_than",
    "$more_than_equal", "$less_than_equal", "$after", "$before", "$is_days_ago",
    "$is_days_in_future", "$more_than_ago", "$less_than_ago", "$more_than_future",
    "$less_than_future", "$count", "$count_less", "$count_more",
)  # fmt: skip

_PRESENCE = ("$has_value", "$is_unknown")
_EQUALITY = ("$in", "$not_in", "$is", "$is_not")
_TEXT = ("$contains", "$not_contain", "$starts_with", "$ends_with")
_COMPARISONS = ("$more_than", "$less_than", "$more_than_equal", "$less_than_equal")
_RELATIVE = (
    "$is_days_ago", "$is_days_in_future", "$more_than_ago", "$less_than_ago",
    "$more_than_future", "$less_than_future",
)  # fmt: skip
_DATES = ("$after", "$before", *_RELATIVE)
# Text conditions get guesses, not estimates, from the planner (see ``OrderFilter.estimable``).
GUESSED_CONDITIONS = frozenset(_TEXT)

# Field type → the conditions it takes.
CONDITIONS: dict[str, tuple[str, ...]] = {
    "string": (*_EQUALITY, *_PRESENCE, *_TEXT),
    "money": (*_EQUALITY, *_PRESENCE, *_COMPARISONS),
    "number": (*_EQUALITY, *_PRESENCE, *_COMPARISONS),
    "date": (*_DATES, *_PRESENCE),
    "boolean": (*_EQUALITY, *_PRESENCE),
    "array": (*_EQUALITY, *_PRESENCE),
    "presence": _PRESENCE,
    # A metadata key the schema does not define: text, or a number or a date when compared.
    "unknown": (*_EQUALITY, *_PRESENCE, *_TEXT, *_COMPARISONS, "$after", "$before"),
}
TYPE_WORDS = {
    "string": "a text",
    "money": "an amount in minor units",
    "number": "a number",
    "date": "a date",
    "boolean": "a yes/no value",
    "array": "a list",
    "presence": "an object",
    "unknown": "a metadata key the schema does not define",
}


@dataclass(frozen=True)
class Field:
    """A field orders can be filtered on: its type, column and whether it may be empty."""

    name: str
    type: str
    column: str
    nullable: bool = False


# The order's own fields, in the reference's order.
FIELDS: dict[str, Field] = {
    field.name: field
    for field in (
        Field("status", "string", "status"),
        Field("source_id", "string", "source_id", nullable=True),
        Field("customer_id", "string", "customer_id", nullable=True),
        Field("referrer_id", "string", "referrer_id", nullable=True),
        Field("amount", "money", "amount"),
        Field("total_amount", "money", "total_amount"),
        Field("discount_amount", "money", "discount_amount"),
        Field("items_discount_amount", "money", "items_discount_amount"),
        Field("total_discount_amount", "money", "total_discount_amount"),
        Field("created_at", "date", "created_at"),
        Field("updated_at", "date", "updated_at"),
    )
}
_PEOPLE = ("customer_id", "referrer_id")
# Metadata schema type → grammar type (an array property of any type is "array").
_SCHEMA_TYPES: dict[str, str] = {
    MetadataProperty.Type.STRING: "string",
    MetadataProperty.Type.IMAGE_URL: "string",
    MetadataProperty.Type.NUMBER: "number",
    MetadataProperty.Type.BOOLEAN: "boolean",
    MetadataProperty.Type.DATE: "date",
    MetadataProperty.Type.DATETIME: "date",
    MetadataProperty.Type.OBJECT: "presence",
    MetadataProperty.Type.GEOPOINT: "presence",
}
MAX_VALUES = 1_000
MAX_TEXT = 255
MAX_DAYS = 36_500


@dataclass(frozen=True)
class Condition:
    """One parsed condition: ``field`` (``amount``, ``metadata.channel``), its ``type``, the
    ``condition`` (``$in``) and its ``values`` (typed; none for ``$has_value``)."""

    field: str
    type: str
    condition: str
    values: tuple[Any, ...]
    schema_type: str = ""

    @property
    def metadata_key(self) -> str | None:
        return self.field.removeprefix(META_PREFIX) if self.field.startswith(META_PREFIX) else None

    @property
    def label(self) -> str:
        """The condition as a person reads it: ``Source ID is one of shop-1, shop-2``,
        ``Created within the last 7 days``, ``Amount > $10.00``."""
        from core.money import format_money

        name = self.metadata_key or FIELD_LABELS[self.field]
        if self.type == "money":
            shown = [format_money(v) for v in self.values]
        elif self.field == "status" and self.condition in _EQUALITY:
            shown = [OrderStatus(v).label for v in self.values]
        else:
            shown = [_shown(v) for v in self.values]
        words = CONDITION_WORDS[self.condition]
        if self.condition in _RELATIVE:
            return f"{name} {words.format(days=self.values[0])}"
        if not shown:
            return f"{name} {words}"
        return f"{name} {words} {', '.join(shown)}"


FIELD_LABELS = {
    "status": "Status",
    "source_id": "Source ID",
    "customer_id": "Customer ID",
    "referrer_id": "Referrer ID",
    "amount": "Amount",
    "total_amount": "Discounted amount",
    "discount_amount": "Order discount",
    "items_discount_amount": "Items discount",
    "total_discount_amount": "Discount",
    "created_at": "Created",
    "updated_at": "Updated",
}
CONDITION_WORDS = {
    "$in": "is one of",
    "$not_in": "is none of",
    "$is": "is",
    "$is_not": "is not",
    "$has_value": "has a value",
    "$is_unknown": "has no value",
    "$contains": "contains",
    "$not_contain": "does not contain",
    "$starts_with": "starts with",
    "$ends_with": "ends with",
    "$more_than": ">",
    "$less_than": "<",
    "$more_than_equal": "≥",
    "$less_than_equal": "≤",
    "$after": "after",
    "$before": "before",
    "$is_days_ago": "{days} days ago",
    "$is_days_in_future": "in {days} days",
    "$more_than_ago": "more than {days} days ago",
    "$less_than_ago": "within the last {days} days",
    "$more_than_future": "more than {days} days ahead",
    "$less_than_future": "within the next {days} days",
    "$count": "has this many values:",
    "$count_less": "has fewer values than",
    "$count_more": "has more values than",
}


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class Filters:
    """Parsed filters: how the conditions join and the conditions themselves."""

    junction: str
    conditions: tuple[Condition, ...]

    def __bool__(self) -> bool:
        return bool(self.conditions)


NO_FILTERS = Filters("and", ())


def schema_field_type(schema_type: str, array: bool) -> str:
    """The grammar type of a metadata schema property of ``schema_type`` (``array``: a list
    of them)."""
    return "array" if array else _SCHEMA_TYPES[schema_type]


def field_type(field: str, properties: Mapping[str, MetadataProperty]) -> tuple[str, str]:
    """``(grammar type, schema type)`` of ``field``; a ``ValidationError`` for an unknown one."""
    if field in FIELDS:
        return FIELDS[field].type, ""
    if field.startswith(META_PREFIX):
        key = field.removeprefix(META_PREFIX)
        if not KEY_PATTERN.match(key):
            raise ValidationError(
                f"The filter {field}: a metadata key is 1 to 100 letters A-Z a-z, digits, "
                '"_", "." or "-", without "__".',
                code="invalid_filter",
            )
        prop = properties.get(key)
        if prop is None:
            return "unknown", ""
        return schema_field_type(prop.type, prop.array), prop.type
    raise ValidationError(
        f"The filter {field} is not a field orders can be filtered on; use one of "
        f"{', '.join(FIELDS)} or metadata.<key>.",
        code="invalid_filter",
    )


def parse(filters: Mapping[str, Any] | None, properties: Mapping[str, MetadataProperty]) -> Filters:
    """The reference's JSON ``filters``, checked and typed against the metadata schema's
    ``properties``; a ``ValidationError`` lists every field, condition or value that is
    wrong."""
    if not filters:
        return NO_FILTERS
    if not isinstance(filters, Mapping):
        raise ValidationError("The filters must be an object of fields.", code="invalid_filter")
    junction = filters.get("junction", "and")
    errors: list[str] = []
    if not isinstance(junction, str) or junction.lower() not in JUNCTIONS:
        errors.append(f"The filter junction is and or or (actual value is '{junction}').")
        junction = "and"
    conditions: list[Condition] = []
    for field, body in filters.items():
        if field == "junction":
            continue
        try:
            conditions.extend(_field_conditions(str(field), body, properties))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError(errors, code="invalid_filter")
    return Filters(junction.lower(), tuple(conditions))


def _field_conditions(
    field: str, body: Any, properties: Mapping[str, MetadataProperty]
) -> list[Condition]:
    kind, schema_type = field_type(field, properties)
    conditions = body.get("conditions") if isinstance(body, Mapping) else None
    if not isinstance(conditions, Mapping) or not conditions:
        raise ValidationError(
            f'The filter {field} needs its conditions: {{"conditions": {{"$condition": value}}}}.',
            code="invalid_filter",
        )
    parsed, errors = [], []
    allowed = CONDITIONS[kind]
    for condition, value in conditions.items():
        if condition not in REFERENCE_CONDITIONS:
            errors.append(
                f"The filter {field} {condition} is not a known condition; "
                f"{field} takes {', '.join(allowed)}."
            )
            continue
        if condition not in allowed:
            errors.append(
                f"The filter {field} {condition} is not supported: {field} is "
                f"{TYPE_WORDS[kind]} and takes {', '.join(allowed)}."
            )
            continue
        try:
            values = _values(field, kind, schema_type, condition, value)
        except ValidationError as error:
            errors.extend(error.messages)
            continue
        parsed.append(Condition(field, kind, condition, values, schema_type))
    if errors:
        raise ValidationError(errors, code="invalid_filter")
    return parsed


def _values(field: str, kind: str, schema_type: str, condition: str, value: Any) -> tuple:
    """The typed values of one condition; a ``ValidationError`` says what it takes."""
    if condition in _PRESENCE:
        return ()
    values = list(value) if isinstance(value, list | tuple) else [value]
    where = f"The filter {field} {condition}"
    if not values:
        raise ValidationError(f"{where} needs a value.")
    if condition in ("$in", "$not_in"):
        if len(values) > MAX_VALUES:
            raise ValidationError(f"{where} takes at most {MAX_VALUES} values.")
    elif len(values) > 1:
        raise ValidationError(f"{where} takes one value (or a list of one).")
    typed = []
    for item in values:
        try:
            typed.append(_typed(field, kind, schema_type, condition, item))
        except ValueError as expected:
            raise ValidationError(f"{where} needs {expected} (actual value is '{item}').") from None
    return tuple(dict.fromkeys(typed))  # a value given twice is one condition


def _typed(field: str, kind: str, schema_type: str, condition: str, item: Any) -> Any:
    if isinstance(item, dict | list):
        raise ValueError("a single value, not an object or a list")
    if isinstance(item, str) and "\x00" in item:
        raise ValueError("a value without NUL characters (PostgreSQL cannot store them)")
    if condition in _RELATIVE:
        return _days(item)
    if condition in ("$after", "$before"):
        return moment(item)
    if kind == "money":
        return _minor_units(item)
    if kind == "number" or (kind == "unknown" and condition in _COMPARISONS):
        return _number(item)
    if kind == "boolean" or (kind == "array" and schema_type == MetadataProperty.Type.BOOLEAN):
        return _boolean(item)
    if kind == "array" and schema_type == MetadataProperty.Type.NUMBER:
        return _number(item)
    text = _shown(item) if not isinstance(item, str) else item
    if not text.strip():
        raise ValueError("a value")
    if len(text) > MAX_TEXT:
        raise ValueError(f"at most {MAX_TEXT} characters")
    if field == "status" and condition in _EQUALITY:
        status = text.strip().upper()
        if status not in OrderStatus.values:
            raise ValueError(f"one of {', '.join(OrderStatus.values)}")
        return status
    return text


def _minor_units(item: Any) -> int:
    if isinstance(item, bool):
        raise ValueError("an amount in minor units (a whole number)")
    if isinstance(item, float) and item.is_integer():
        item = int(item)
    if isinstance(item, str) and re.fullmatch(r"\s*[-+]?\d{1,20}\s*", item):
        item = int(item)
    if not isinstance(item, int) or abs(item) > MAX_AMOUNT:
        raise ValueError("an amount in minor units (a whole number, e.g. 1050 for 10.50)")
    return item


def _number(item: Any) -> int | float:
    if isinstance(item, bool):
        raise ValueError("a number")
    number = parse_number(str(item).strip())
    if abs(number) > 10**15:
        raise ValueError("a number")
    return number


def _boolean(item: Any) -> bool:
    if isinstance(item, bool):
        return item
    text = str(item).strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValueError("true or false")


def _days(item: Any) -> int:
    if isinstance(item, bool):
        raise ValueError("a number of days")
    if isinstance(item, float) and item.is_integer():
        item = int(item)
    if isinstance(item, str) and item.strip().isdigit():
        item = int(item.strip())
    if not isinstance(item, int) or not 0 <= item <= MAX_DAYS:
        raise ValueError(f"a number of days from 0 to {MAX_DAYS}")
    return item


def moment(item: Any) -> date | datetime:
    """A date (a whole day) or a date-time; without an offset it is read in the filter's zone."""
    text = item.strip() if isinstance(item, str) else ""
    try:
        return parse_date_or_datetime(text)
    except ValueError:
        raise ValueError(
            "a date like 2026-05-31 or a date-time like 2026-05-31T14:00:00Z"
        ) from None


# -- the query string form ---------------------------------------------------------------------

_BRACKETS = re.compile(r"\[([^\[\]]*)\]")
PARAMETER_PREFIX = "filters["


def from_query(params: QueryDict | Mapping[str, list[str]]) -> dict[str, Any]:
    """``filters[status][conditions][$in][0]=PAID`` … → the JSON filters (values are lists
    of texts); other parameters are ignored. A malformed name is a ``ValidationError``."""
    filters: dict[str, Any] = {}
    lists = params.lists() if isinstance(params, QueryDict) else params.items()
    errors = []
    for name, values in lists:
        if not name.startswith(PARAMETER_PREFIX):
            continue
        path = _BRACKETS.findall(name[len("filters") :])
        if not path or "".join(f"[{part}]" for part in path) != name[len("filters") :]:
            errors.append(f"Parameter {name} should be {FORM}.")
            continue
        if path == ["junction"]:
            filters["junction"] = values[-1]
            continue
        if len(path) not in (3, 4) or path[1] != "conditions" or not path[0]:
            errors.append(f"Parameter {name} should be {FORM}.")
            continue
        field, _, condition, *index = path
        if index and not index[0].isdigit():
            errors.append(f"Parameter {name}: the index should be a number.")
            continue
        conditions = filters.setdefault(field, {"conditions": {}})["conditions"]
        conditions.setdefault(condition, []).extend(values)
    if errors:
        raise ValidationError(errors, code="invalid_filter")
    return filters


FORM = "filters[<field>][conditions][<$condition>][<index>] or filters[junction]"


def to_query(filters: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """The JSON filters → their query-string parameters (``from_query``'s inverse)."""
    pairs: list[tuple[str, str]] = []
    for field, body in (filters or {}).items():
        if field == "junction":
            pairs.append(("filters[junction]", str(body)))
            continue
        conditions = body.get("conditions") if isinstance(body, Mapping) else None
        for condition, value in (conditions or {}).items():
            values = value if isinstance(value, list | tuple) else [value]
            if not values:
                values = [""]
            for index, item in enumerate(values):
                pairs.append((f"filters[{field}][conditions][{condition}][{index}]", _text(item)))
    return pairs


def _text(item: Any) -> str:
    """A JSON value as the query-string form writes it (JSON's 168.0 is the integer 168)."""
    if isinstance(item, str):
        return item
    if item is None:
        return ""  # JSON's null: no value (the conditions that need one say so)
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, float) and item.is_integer():
        return str(int(item))
    return _shown(item)


# -- the query -------------------------------------------------------------------------------

TRUE = Q(Value(True, output_field=BooleanField()))
FALSE = Q(Value(False, output_field=BooleanField()))


def current_time() -> datetime:
    """The moment relative conditions count from (a test holds it still)."""
    return timezone.now()


def filters_q(filters: Filters, *, zone: tzinfo, now: datetime | None = None) -> Q:
    """The ``Q`` selecting the orders ``filters`` match; days are read in ``zone``."""
    now = now or current_time()
    parts = [condition_q(condition, zone=zone, now=now) for condition in filters.conditions]
    if not parts:
        return TRUE
    combined = parts[0]
    for part in parts[1:]:
        combined = combined | part if filters.junction == "or" else combined & part
    return combined


def condition_q(condition: Condition, *, zone: tzinfo, now: datetime) -> Q:
    """The ``Q`` for one condition."""
    key = condition.metadata_key
    if key is not None:
        return _metadata_q(key, condition, zone=zone, now=now)
    field = FIELDS[condition.field]
    if field.name in _PEOPLE:
        return _person_q(field, condition)
    return _column_q(field.column, field.nullable, condition, zone=zone, now=now)


def _negated(match: Q, missing: Q | None) -> Q:
    """Not ``match``; orders where the value is missing (``missing``) count as not matching
    it, so "is not" and "does not contain" include them (SQL's NOT alone would drop them)."""
    return ~match if missing is None else (~match & ~missing) | missing


_TEXT_LOOKUPS = {
    "$contains": "icontains",
    "$not_contain": "icontains",
    "$starts_with": "istartswith",
    "$ends_with": "iendswith",
}
_COMPARISON_LOOKUPS = {
    "$more_than": "gt",
    "$less_than": "lt",
    "$more_than_equal": "gte",
    "$less_than_equal": "lte",
}


def _column_q(
    column: str, nullable: bool, condition: Condition, *, zone: tzinfo, now: datetime
) -> Q:
    op, values = condition.condition, condition.values
    missing = Q(**{f"{column}__isnull": True}) if nullable else None
    if op in _PRESENCE:
        if missing is None:
            return TRUE if op == "$has_value" else FALSE
        return ~missing if op == "$has_value" else missing
    if op in _EQUALITY:
        one_of = len(values) > 1
        match = Q(**{f"{column}__in": list(values)}) if one_of else Q(**{column: values[0]})
        return match if op in ("$in", "$is") else _negated(match, missing)
    if op in _TEXT_LOOKUPS:
        match = Q(**{f"{column}__{_TEXT_LOOKUPS[op]}": values[0]})
        return _negated(match, missing) if op == "$not_contain" else match
    if op in _COMPARISON_LOOKUPS:
        return Q(**{f"{column}__{_COMPARISON_LOOKUPS[op]}": values[0]})
    return _all(
        Q(**{f"{column}__{lookup}": instant})
        for lookup, instant in _instants(op, values[0], zone=zone, now=now)
    )


def _all(parts: Iterable[Q]) -> Q:
    combined = TRUE
    for index, part in enumerate(parts):
        combined = part if index == 0 else combined & part
    return combined


def _instants(op: str, value: Any, *, zone: tzinfo, now: datetime) -> list[tuple[str, datetime]]:
    """A date condition as ``(lookup, instant)`` bounds, in UTC (``core.filters.in_utc``)."""
    return [(lookup, in_utc(instant)) for lookup, instant in _local_instants(op, value, zone, now)]


def _local_instants(op: str, value: Any, zone: tzinfo, now: datetime) -> list[tuple[str, datetime]]:
    """A date condition as ``(lookup, instant)`` bounds.

    ``$after`` and ``$before`` include what they name, as the list's Created from/to do: a
    day (a date; read in ``zone``) or an instant (a date-time; without an offset, in
    ``zone``). The relative conditions count days back or ahead of ``now``; ``$is_days_ago``
    is one whole day of ``zone``.
    """
    today = now.astimezone(zone).date()
    if op == "$after":
        if isinstance(value, datetime):
            return [("gte", _aware(value, zone))]
        return [("gte", _day_start(value, zone))]
    if op == "$before":
        if isinstance(value, datetime):
            return [("lte", _aware(value, zone))]
        if value == date.max:
            return []  # the last day there is: every moment is on or before it
        return [("lt", _day_start(value + timedelta(days=1), zone))]
    days = timedelta(days=value)
    if op in ("$is_days_ago", "$is_days_in_future"):
        day = today - days if op == "$is_days_ago" else today + days
        return [("gte", _day_start(day, zone)), ("lt", _day_start(day + timedelta(days=1), zone))]
    if op == "$more_than_ago":
        return [("lt", now - days)]
    if op == "$less_than_ago":
        return [("gte", now - days), ("lte", now)]
    if op == "$more_than_future":
        return [("gt", now + days)]
    if op == "$less_than_future":
        return [("gte", now), ("lte", now + days)]
    raise AssertionError(op)


def _aware(moment: datetime, zone: tzinfo) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def _day_start(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(), zone)


def _person_q(field: Field, condition: Condition) -> Q:
    """Customer or referrer: ids compare on the order's column (its index); text conditions
    find the customers first (their ids, through the customers table) and then their
    orders."""
    from customers.models import Customer

    from .filters import of_customers

    op, values, column = condition.condition, condition.values, field.column
    missing = Q(**{f"{column}__isnull": True})
    if op not in _TEXT_LOOKUPS:
        return _column_q(column, True, condition, zone=UTC, now=current_time())
    people = Customer.objects.filter(**{f"pk__{_TEXT_LOOKUPS[op]}": values[0]})
    match = of_customers(column, people)
    return _negated(match, missing) if op == "$not_contain" else match


def _metadata_q(key: str, condition: Condition, *, zone: tzinfo, now: datetime) -> Q:
    op, values, kind = condition.condition, condition.values, condition.type
    has_key = Q(metadata__has_key=key)
    if op in _PRESENCE:
        return has_key if op == "$has_value" else ~has_key
    if op in _EQUALITY:
        # JSON containment (@>), which the GIN index on metadata answers; an array property
        # matches when it holds the value.
        matches = [
            Q(metadata__contains={key: [stored] if kind == "array" else stored})
            for value in values
            for stored in _stored_values(value, kind)
        ]
        match = matches[0]
        for other in matches[1:]:
            match |= other
        return match if op in ("$in", "$is") else ~match
    if op == "$not_contain":
        match = key_lookup(key, _TEXT_LOOKUPS[op], values[0])
        return _negated(match, ~has_key)
    # A text, comparison or date on the key's value holds only where the key is: said first,
    # so the GIN index on metadata (``?``) finds those orders when few have the key, instead
    # of every order being read to find that its value is missing (bench/filters.py).
    if op in _TEXT_LOOKUPS:
        return has_key & metadata_text_q(key, _TEXT_LOOKUPS[op], values[0])
    # PostgreSQL orders JSON values of different types by type: every text below every
    # number, true and false above them. Compared without their type, "< 5" would take the
    # texts of a key the schema does not define ("web") and "after 2026-05-01" its numbers
    # and texts such as "web", so each comparison takes only values of its own type.
    if op in _COMPARISON_LOOKUPS:
        compared = key_lookup(key, _COMPARISON_LOOKUPS[op], values[0])
        return has_key & _json_type_is(key, "number") & compared
    # Dates are stored as ISO texts (a date, or a date-time in UTC with milliseconds and Z),
    # so they compare as texts of the same form.
    bounds = _instants(op, values[0], zone=zone, now=now)
    is_date = has_key & key_lookup(key, "regex", _ISO_DATE_START)
    if not bounds:
        return is_date  # no bound ($before the last day there is): every date
    if kind == "unknown":
        # A key the schema does not define may hold either form: a bare date compares as a
        # day, as a date property's does ("2026-05-01" is on or after 2026-05-01), the rest
        # as date-times.
        day = has_key & key_lookup(key, "regex", _ISO_DATE_START + "$")
        as_days = day & _text_bounds(key, bounds, zone, whole_days=True)
        return as_days | (~day & is_date & _text_bounds(key, bounds, zone, whole_days=False))
    whole_days = condition.schema_type == MetadataProperty.Type.DATE
    return is_date & _text_bounds(key, bounds, zone, whole_days=whole_days)


# Who knows which values the orders hold at a metadata key, registered from above (``insights``
# counts every value of the order schema's text and yes/no properties): given a key, a text
# lookup and its text, the values whose text matches, or None when it does not know the key's
# values or they are too many to name.
ValueFinder = Callable[[str, str, str], list[Any] | None]
_value_finders: list[ValueFinder] = []


def register_value_finder(finder: ValueFinder) -> None:
    if finder not in _value_finders:
        _value_finders.append(finder)


def metadata_text_q(key: str, lookup: str, text: str) -> Q:
    """The orders whose metadata value at ``key``, as text, matches ``text`` by ``lookup``
    (``icontains``, ``istartswith``, ``iendswith``).

    No index answers a pattern inside a JSON value, so on its own this reads every order that
    has the key (half a second at a million orders for a text no value holds). When the values
    at ``key`` are known (texts and yes/no values only), the orders are those holding one of
    the matching values, by JSON containment, which the GIN index on metadata answers, as
    ``$is`` is: none at all when no value matches.

    The values are read in a statement of their own, before the orders' query: an order
    holding a value that no order held until then, written between the two, is found from
    the next query on (as if this one had run a moment earlier).
    """
    for finder in _value_finders:
        values = finder(key, lookup, text)
        if values is None:
            continue
        if not values:
            return FALSE
        held = Q(metadata__contains={key: values[0]})
        for value in values[1:]:
            held |= Q(metadata__contains={key: value})
        return held
    return key_lookup(key, lookup, text)


# How a text holding a date starts (metadata's ``->>`` text: a number or true never does).
_ISO_DATE_START = r"^\d{4}-\d{2}-\d{2}"


def _text_bounds(
    key: str, bounds: list[tuple[str, datetime]], zone: tzinfo, *, whole_days: bool
) -> Q:
    """``_instants``' bounds on the metadata text at ``key``, written as metadata stores a
    date (``whole_days``) or a date-time."""
    return _all(
        key_lookup(key, lookup, _stored_moment(instant, zone, whole_days))
        for lookup, instant in bounds
    )


def _json_type_is(key: str, json_type: str) -> Q:
    """The metadata value at ``key`` is of ``json_type`` (``jsonb_typeof``: number, string …)."""
    value_type = Func(
        MetadataKey(key, "metadata"), function="jsonb_typeof", output_field=CharField()
    )
    return Q(Exact(value_type, json_type))


def _stored_values(value: Any, kind: str) -> list[Any]:
    """How ``value`` may be stored: as typed; for a key the schema does not define, a text
    that reads as a number or true/false may also be stored as one."""
    if kind != "unknown" or not isinstance(value, str):
        return [value]
    stored: list[Any] = [value]
    with contextlib.suppress(ValueError):
        stored.append(_number(value))
    if value.strip().lower() in ("true", "false"):
        stored.append(value.strip().lower() == "true")
    return stored


def _stored_moment(moment: datetime, zone: tzinfo, whole_days: bool) -> str:
    """An instant as metadata stores it (``metadata.validation``): the local day of a date
    property, else UTC with milliseconds and Z."""
    try:
        if whole_days:
            return moment.astimezone(zone).date().isoformat()
        utc = moment.astimezone(UTC).isoformat(timespec="milliseconds")
    except OverflowError:
        # Past year 9999 (or before year 1) there: after (before) every stored text.
        return "99999" if moment.year > 1 else "0000"
    return utc.replace("+00:00", "Z")


def matrix() -> Iterable[tuple[str, str, str, bool]]:
    """``(field, type, condition, supported)`` for every field and metadata type × every
    reference condition: the compatibility table of ``docs/filters.md``."""
    rows: list[tuple[str, str]] = [(name, field.type) for name, field in FIELDS.items()]
    for schema_type, kind in _SCHEMA_TYPES.items():
        rows.append((f"metadata.<{schema_type} key>", kind))
    rows.append(("metadata.<array key>", "array"))
    rows.append(("metadata.<key not in the schema>", "unknown"))
    for field, kind in rows:
        for condition in REFERENCE_CONDITIONS:
            yield field, kind, condition, condition in CONDITIONS[kind]
