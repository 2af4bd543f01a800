"""Metadata checked against its metadata schema: the one validator every writer calls.

The dashboard, the order wizard, the API, the importer and the admin all pass metadata
through ``validate_metadata`` before storing it. Problems read like the reference engine's:
``"<property>: <what is wrong> (actual value is '<v>')"``, one message per problem, all of
them at once.

Types and their rules (``array=True``: a list whose every element follows the rule):

- ``string``: a ``str``; ``number``: an ``int`` or ``float`` (not a ``bool``, not a numeric
  string; a finite ``Decimal`` becomes an ``int``/``float``); ``boolean``: a ``bool``;
  ``object``: a ``dict``;
- ``date``: a ``date`` or a ``"YYYY-MM-DD"`` string, stored as ``"YYYY-MM-DD"``;
- ``datetime``: a ``datetime`` or an ISO 8601 string with a time (naive means UTC), stored
  in UTC with milliseconds and ``Z``: ``"2026-01-31T13:00:00.000Z"``;
- ``image_url``: an ``http``/``https`` URL string;
- ``geopoint``: an object with exactly ``lat`` (-90..90) and ``lng`` (-180..180), both
  numbers: ``{"lat": 52.23, "lng": 21.01}``. One shape only, so filters and exports never
  have to guess which of several spellings a stored point uses.

Limits every mapping meets, schema or not, the same for orders, customers and order items,
so one value can never break a filter, an export or a page of the API:

- a top-level key is 1 to ``MAX_KEY_LENGTH`` (100) characters of ``A-Z a-z 0-9 _ . -``
  without ``__``: exactly the keys the list's metadata filters and the export's
  ``metadata.<key>`` columns can address (``metadata.conditions.KEY_PATTERN``);
- objects and arrays nest at most ``MAX_DEPTH`` (10) levels, the metadata object being the
  first;
- the whole mapping is at most ``MAX_SIZE_BYTES`` (64 KiB) as compact UTF-8 JSON;
- numbers are finite and within ``±MAX_NUMBER`` (a double's range; jsonb keeps integers in
  it exactly), so no NaN, Infinity or ``1e400``;
- strings (keys included) hold neither NUL nor a lone surrogate, which jsonb cannot store.
"""

import json
import math
import operator
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from .conditions import KEY_PATTERN
from .models import MetadataProperty, MetadataSchema
from .schema_cache import cached_schema

Type = MetadataProperty.Type

# Levels of objects and arrays, the metadata object itself the first: room for any real
# record, far below what makes PostgreSQL or a JSON encoder recurse out of stack.
MAX_DEPTH = 10
# Compact UTF-8 JSON of the whole mapping. A list page of 100 orders then stays a few
# megabytes at worst, while a note, an address or a few hundred tags fit easily.
MAX_SIZE_BYTES = 64 * 1024
# What filters and export columns can name (``KEY_PATTERN`` says the same).
MAX_KEY_LENGTH = 100
# The largest finite double: JSON readers elsewhere hold numbers as doubles.
MAX_NUMBER = sys.float_info.max

__all__ = [
    "MAX_DEPTH",
    "MAX_KEY_LENGTH",
    "MAX_NUMBER",
    "MAX_SIZE_BYTES",
    "MetadataValidationError",
    "PropertyInfo",
    "describe_properties",
    "load_schema",
    "validate_metadata",
]


class MetadataValidationError(ValidationError):
    """Metadata that does not fit its schema.

    ``problems`` holds ``(property, message)`` pairs in the order found; ``messages`` (and
    ``error_dict["metadata"]``) hold the same messages, so forms can show them as they are.
    """

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__(
            {"metadata": [ValidationError(text, code="invalid_metadata") for _, text in problems]}
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return self.__class__, (self.problems,)

    @property
    def details(self) -> str:
        """The first message: the API's 400 ``details``."""
        return self.problems[0][1]


@dataclass(frozen=True)
class PropertyInfo:
    """What a form needs to know about one live property."""

    name: str
    type: str
    array: bool
    required: bool
    allowed: tuple[Any, ...]


def load_schema(related_object: str) -> MetadataSchema:
    """The schema of ``related_object`` with its properties: from the shared cache, else two
    queries (``metadata.schema_cache``; a change to a schema or property forgets it).

    When none is stored, an unsaved empty schema, so a loop that passes it on asks nothing.
    Treat it as read-only: it may be the cached copy.
    """
    _object_label(related_object)
    schema = cached_schema(related_object, lambda: _read_schema(related_object))
    return schema or MetadataSchema(related_object=related_object)


def _read_schema(related_object: str) -> MetadataSchema | None:
    return (
        MetadataSchema.objects.filter(related_object=related_object)
        .prefetch_related("properties")
        .first()
    )


def describe_properties(
    related_object: str, *, schema: MetadataSchema | None = None
) -> list[PropertyInfo]:
    """The live (not deleted) properties of a schema, by name, for building forms."""
    schema = schema or load_schema(related_object)
    return [
        PropertyInfo(prop.name, prop.type, prop.array, not prop.optional, tuple(prop.eq or ()))
        for prop in sorted(_properties(schema).values(), key=lambda prop: prop.name)
        if not prop.deleted
    ]


def validate_metadata(
    metadata: object,
    related_object: str,
    *,
    schema: MetadataSchema | None = None,
    partial: bool = False,
) -> dict[str, Any]:
    """Check ``metadata`` against the schema of ``related_object``; return it cleaned.

    ``related_object`` is ``"order"``, ``"customer"`` or ``"order_item"``. Pass ``schema``
    (from ``load_schema``) to validate many mappings without a query each. ``None`` as the
    whole mapping means no metadata. A ``None`` value unsets its key: allowed unless the
    property is required, and left out of the result, except with ``partial=True``, where
    it stays so the caller knows which keys to remove when merging. ``partial=True`` (editing
    some keys in place) also skips the check that required properties are present.

    Defined properties are validated and normalized; deleted ones and keys the schema does
    not define are kept as they are, unless ``allow_defined_only`` rejects the latter.
    Raises ``MetadataValidationError`` listing every problem.
    """
    label = _object_label(related_object)
    if schema is None:
        schema = load_schema(related_object)
    elif schema.related_object != related_object:
        raise ValueError(f"a {schema.related_object} schema given to validate {related_object}")
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, Mapping):
        what = "must be an object of key/value pairs"
        raise MetadataValidationError([("metadata", _message("metadata", what, metadata))])
    for key in metadata:
        if not isinstance(key, str):
            what = "every key must be a string"
            raise MetadataValidationError([("metadata", _message("metadata", what, key))])

    properties = _properties(schema)
    cleaned: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    # Most metadata is plainly within the limits; only the rest is looked at key by key.
    size_bound = _plain_size_bound(metadata)
    for key, value in metadata.items():
        unstorable: list[str] = []
        if size_bound is None:
            # The limits first: a key no filter can name, or a value nested past the limit
            # (which even writing a message about could overflow), is not looked at further.
            if wrong_key := _key_problem(key):
                # Named as the whole mapping: no form field or property is called this.
                problems.append(("metadata", wrong_key))
                continue
            too_deep, unstorable = _walk(key, value)
            if too_deep:
                problems.append((key, too_deep))
                continue
        prop = properties.get(key)
        if prop is None and schema.allow_defined_only and value is not None:
            problems.append((key, f"{key}: is not defined in the {label} metadata schema"))
            continue
        # The property, unless it was deleted (its values are then kept as they are).
        live = prop if prop is not None and not prop.deleted else None
        if value is None:
            if live and not live.optional:
                problems.append((key, _message(key, "is required", value)))
            elif partial:
                cleaned[key] = None
            continue
        if not live:
            cleaned[key] = value
            if unstorable:
                problems.extend((key, text) for text in unstorable)
            continue
        cleaned[key], messages = _check_property(live, value)
        # The schema's message, when there is one, already says what the value must be.
        if messages or unstorable:
            problems.extend((key, text) for text in messages or unstorable)

    if not partial:
        for name, prop in properties.items():
            if not (prop.deleted or prop.optional) and name not in metadata:
                problems.append((name, f"{name}: is required"))
    if (
        not problems
        and (size_bound is None or size_bound > MAX_SIZE_BYTES)
        and (size := _json_size(cleaned)) > MAX_SIZE_BYTES
    ):
        what = f"must be at most {MAX_SIZE_BYTES} bytes (64 KiB) as JSON, the size limit"
        problems.append(("metadata", f"metadata: {what} (actual size is {size} bytes)"))
    if problems:
        raise MetadataValidationError(problems)
    return cleaned


# --- the limits ------------------------------------------------------------------------------


def _plain_size_bound(metadata: Mapping[str, Any]) -> int | None:
    """For metadata plainly within the limits (JSON types only, every key addressable, no
    nesting past the limit, numbers and strings jsonb can store), an upper bound of its
    size as compact JSON; else ``None``, and the detailed checks say what is wrong.

    A fast path, about as quick as the schema check itself: the importer validates every
    line, and writing paths and exact JSON for each would cost more than the rest.
    """
    bound = 2
    for key in metadata:
        if not KEY_PATTERN.match(key):
            return None
        bound += len(key) + 4  # "key":,
    # Level by level (the metadata object is the first), without recursion or paths.
    level, depth = list(metadata.values()), 2
    while level:
        deeper: list[Any] = []
        for item in level:
            kind = type(item)
            if kind is str:
                if "\x00" in item or not (item.isascii() or _encodes(item)):
                    return None
                bound += 6 * len(item) + 3  # \u00XX at worst, quotes, a comma
            elif kind is int:
                if not -MAX_NUMBER <= item <= MAX_NUMBER:
                    return None
                bound += item.bit_length() // 3 + 3
            elif kind is float:
                if not math.isfinite(item):
                    return None
                bound += 25
            elif item is None or kind is bool:
                bound += 6
            elif kind is list:
                if depth > MAX_DEPTH:
                    return None
                bound += 2 + len(item)
                deeper += item
            elif kind is dict:
                if depth > MAX_DEPTH:
                    return None
                bound += 2
                for name in item:
                    if type(name) is not str or "\x00" in name or not _encodes(name):
                        return None
                    bound += 6 * len(name) + 4
                deeper += item.values()
            else:  # a Decimal, a date, …: the detailed checks know them
                return None
        level, depth = deeper, depth + 1
    return bound


def _encodes(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:  # a lone surrogate
        return False
    return True


def _key_problem(key: str) -> str | None:
    """What keeps ``key`` from being a top-level key, in words naming the limit; or ``None``."""
    if KEY_PATTERN.match(key):
        return None
    if not key:
        return "metadata: a key must not be empty"
    shown = _shown(key)
    if len(key) > MAX_KEY_LENGTH:
        what = f"a key must have at most {MAX_KEY_LENGTH} characters, the key length limit"
        return f"{shown}: {what} (actual length is {len(key)})"
    if "__" in key:
        return f'{shown}: a key must not contain "__", which filters and exports read as a path'
    return f'{shown}: a key may contain only letters A-Z a-z, digits, "_", "." and "-"'


def _walk(key: str, value: Any) -> tuple[str | None, list[str]]:
    """The nesting-limit message for ``value`` (or ``None``), and what in it jsonb cannot
    store. A loop with its own stack, not recursion: the value may be nested thousands of
    levels deep, and finding that out must not overflow Python's stack either."""
    unstorable: list[str] = []
    pending: list[tuple[str, Any, int]] = [(key, value, 2)]  # the metadata object is level 1
    while pending:
        path, item, depth = pending.pop()
        if isinstance(item, dict | list | tuple):
            if depth > MAX_DEPTH:
                what = f"must not nest objects and arrays deeper than {MAX_DEPTH} levels"
                return f"{_shown(path)}: {what}, the nesting limit", []
            if isinstance(item, dict):
                for name, child in item.items():
                    where = f"{path}.{name}"
                    if not isinstance(name, str):
                        unstorable.append(f"{_shown(where)}: every key must be a string")
                    elif wrong := _string_problem(name):
                        unstorable.append(f"{_shown(where)}: a key {wrong}")
                    pending.append((where, child, depth + 1))
            else:
                pending.extend((f"{path}[{i}]", child, depth + 1) for i, child in enumerate(item))
        elif isinstance(item, str):
            if wrong := _string_problem(item):
                unstorable.append(f"{_shown(path)}: a string {wrong}")
        elif (
            isinstance(item, int | float | Decimal)
            and not isinstance(item, bool)
            and not _storable_number(item)
        ):
            what = f"must be a finite number from -{MAX_NUMBER!r} to {MAX_NUMBER!r}"
            unstorable.append(_message(_shown(path), what, _shown_number(item)))
    # Found from the last element back; reported in the order a reader meets them.
    return None, unstorable[::-1]


def _string_problem(text: str) -> str | None:
    if "\x00" in text:
        return "must not contain the NUL character (\\u0000), which jsonb cannot store"
    if not _encodes(text):
        return "must not contain a lone surrogate (half of a UTF-16 pair), which is not text"
    return None


def _storable_number(number: int | float | Decimal) -> bool:
    if isinstance(number, int):
        # Compared without turning a huge integer into a float (which would overflow).
        return -MAX_NUMBER <= number <= MAX_NUMBER
    return (math.isfinite(number) if isinstance(number, float) else number.is_finite()) and (
        -MAX_NUMBER <= number <= MAX_NUMBER
    )


def _shown_number(number: int | float | Decimal) -> Any:
    # json.dumps refuses integers past 4,300 digits; their size says enough.
    if isinstance(number, int) and number.bit_length() > 14_000:
        return f"an integer of about {int(number.bit_length() * math.log10(2))} digits"
    return str(number) if isinstance(number, Decimal) else number


def _json_size(cleaned: dict[str, Any]) -> int:
    """Bytes of ``cleaned`` as compact UTF-8 JSON, as near as matters to what jsonb keeps."""
    text = json.dumps(cleaned, separators=(",", ":"), ensure_ascii=False, default=str)
    return len(text.encode())


# --- the rules -------------------------------------------------------------------------------


def _object_label(related_object: str) -> str:
    try:
        return MetadataSchema.RelatedObject(related_object).label.lower()
    except ValueError:
        raise ValueError(f"no metadata schema for {related_object!r}") from None


def _properties(schema: MetadataSchema) -> dict[str, MetadataProperty]:
    # An unsaved schema (none stored) has no properties; asking would be a wasted query.
    if schema._state.adding:
        return {}
    return {prop.name: prop for prop in schema.properties.all()}


def _shown(value: Any) -> str:
    if isinstance(value, date):
        value = value.isoformat()
    text = value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)
    text = text if len(text) <= 100 else f"{text[:99]}…"
    # A message is text a page or a JSON body can carry: a lone surrogate or NUL shown in
    # it would break the very response that reports it.
    return text.encode("utf-8", "backslashreplace").decode().replace("\x00", "\\u0000")


def _message(name: str, what: str, value: Any) -> str:
    return f"{name}: {what} (actual value is '{_shown(value)}')"


def _number(value: Any) -> int | float:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return value
    if isinstance(value, Decimal) and value.is_finite():
        return int(value) if value == value.to_integral_value() else float(value)
    raise ValueError


def _string(value: Any) -> str:
    if isinstance(value, str):
        return value
    raise ValueError


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise ValueError


def _object(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    raise ValueError


def _date(value: Any) -> str:
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        return date.fromisoformat(value).isoformat()
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    raise ValueError


def _datetime(value: Any) -> str:
    # A date alone is not a datetime: it would silently mean midnight UTC.
    if isinstance(value, str) and len(value) >= 16 and value[10] in "T ":
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        raise ValueError
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


_url = URLValidator(schemes=["http", "https"])


def _image_url(value: Any) -> str:
    try:
        _url(_string(value))
    except ValidationError:
        raise ValueError from None
    return value


def _geopoint(value: Any) -> dict[str, int | float]:
    if not isinstance(value, dict) or set(value) != {"lat", "lng"}:
        raise ValueError
    lat, lng = _number(value["lat"]), _number(value["lng"])
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise ValueError
    return {"lat": lat, "lng": lng}


# Each type's cleaner (raises ValueError) and what the message calls it.
RULES: dict[str, tuple[Callable[[Any], Any], str]] = {
    Type.STRING: (_string, "a string"),
    Type.NUMBER: (_number, "a number"),
    Type.BOOLEAN: (_boolean, "a boolean"),
    Type.DATE: (_date, "a date (YYYY-MM-DD)"),
    Type.DATETIME: (_datetime, "a datetime (ISO 8601)"),
    Type.OBJECT: (_object, "an object"),
    Type.IMAGE_URL: (_image_url, "an image URL (http or https)"),
    Type.GEOPOINT: (_geopoint, 'a geopoint {"lat": -90..90, "lng": -180..180}'),
}
BOUNDS = (
    ("lt", operator.lt, "less than"),
    ("lte", operator.le, "less than or equal to"),
    ("gt", operator.gt, "greater than"),
    ("gte", operator.ge, "greater than or equal to"),
)


def _same(left: Any, right: Any) -> bool:
    # True == 1 in Python; in metadata a boolean never equals a number.
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    return left == right


def _listed(values: list[Any]) -> str:
    return ",".join(value if isinstance(value, str) else _shown(value) for value in values)


def _plain(bound: Any) -> str:
    bound = Decimal(str(bound))
    return str(int(bound)) if bound == bound.to_integral_value() else f"{bound.normalize():f}"


def _length_problems(prop: MetadataProperty, size: int, unit: str) -> list[str]:
    limits = (
        (prop.min_length, operator.ge, "at least"),
        (prop.max_length, operator.le, "at most"),
        (prop.exact_length, operator.eq, "exactly"),
    )
    return [
        f"must have {words} {limit} {unit if limit != 1 else unit[:-1]}"
        for limit, holds, words in limits
        if limit is not None and not holds(size, limit)
    ]


def _check_one(prop: MetadataProperty, value: Any, *, lengths: bool) -> tuple[Any, list[str]]:
    """One value (or one array element): its cleaned form and what is wrong with it."""
    clean, noun = RULES[prop.type]
    wrong = []
    try:
        value, typed = clean(value), True
    except ValueError:
        wrong.append(f"must be {noun}")
        typed = False

    def normalized(options: list[Any]) -> list[Any]:
        result = []
        for option in options:
            try:
                result.append(clean(option))
            except ValueError:
                result.append(option)
        return result

    if prop.eq and not any(_same(value, option) for option in normalized(prop.eq)):
        wrong.append(f"must be equal to one of {_listed(prop.eq)}")
    if prop.ne and any(_same(value, option) for option in normalized(prop.ne)):
        wrong.append(f"must not be equal to any of {_listed(prop.ne)}")
    if typed and prop.type == Type.NUMBER:
        number = Decimal(str(value))
        wrong.extend(
            f"must be {words} {_plain(bound)}"
            for field, holds, words in BOUNDS
            if (bound := getattr(prop, field)) is not None
            and not holds(number, Decimal(str(bound)))
        )
    if typed and lengths and isinstance(value, str):
        wrong.extend(_length_problems(prop, len(value), "characters"))
    return value, wrong


def _check_property(prop: MetadataProperty, value: Any) -> tuple[Any, list[str]]:
    """A defined property's cleaned value and its messages; array elements are named ``x[i]``."""
    name = prop.name
    if not prop.array:
        value, wrong = _check_one(prop, value, lengths=True)
        return value, [_message(name, what, value) for what in wrong]
    if not isinstance(value, list | tuple):
        return value, [_message(name, "must be an array", value)]
    if not value and not prop.optional:
        return [], [_message(name, "is required", [])]
    cleaned: list[Any] = []
    messages: list[str] = []
    for index, element in enumerate(value):
        element, wrong = _check_one(prop, element, lengths=False)
        cleaned.append(element)
        messages.extend(_message(f"{name}[{index}]", what, element) for what in wrong)
    messages.extend(
        _message(name, what, cleaned) for what in _length_problems(prop, len(value), "elements")
    )
    return cleaned, messages
