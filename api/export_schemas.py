"""Exports on the wire: request bodies, the reference's export object, and filter checks.

``export_body(request, export)`` is the reference's export object (``result.url`` is an
absolute link to the CSV with the export's token). ``checked_filters(filters)`` checks the
reference's JSON ``filters`` before an export is scheduled: an unknown field or condition is
a 400 ``invalid_payload`` naming it; values are stored as lists, as the reference writes them.
"""

from datetime import datetime
from typing import Annotated, Any, Literal, get_args

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Schema
from pydantic import Field

from core.money import parse_money
from exports.csv_format import STANDARD_FIELDS
from exports.models import Export
from metadata.conditions import order_schema_properties
from metadata.validation import MAX_KEY_LENGTH
from orders import grammar
from orders.totals import MAX_AMOUNT

from .errors import ApiError
from .format import absolute_url, timestamp
from .order_schemas import METADATA_KEY, ObjectIn, Status, Timestamp

FILTERS = ".parameters.filters"
META_PREFIX = "metadata."

# More columns than any reader of a CSV wants, far below PostgreSQL's 1,664 a query can
# select: a longer list is refused when the export is asked for, not failed by the worker.
MAX_EXPORT_FIELDS = 200
# The columns an export can have, as the OpenAPI document states them (the export service
# checks them; its error lists them).
# A metadata key's shape (its length is the field's).
_KEY = METADATA_KEY
# Blank entries are skipped and spaces around a name ignored (``exports.services``).
FIELD_PATTERN = rf"^\s*({'|'.join(STANDARD_FIELDS)}|metadata\.{_KEY}|)\s*$"
# The service answers an unknown name with ``invalid_export_fields`` (the reference's key),
# so the pattern is the document's; the length bounds a key as metadata does.
ExportField = Annotated[
    str,
    Field(
        max_length=len(META_PREFIX) + MAX_KEY_LENGTH,
        json_schema_extra={"pattern": FIELD_PATTERN},
    ),
]


# What a condition's value must be, by the field's type (``orders.grammar`` parses them; it
# also takes texts for numbers and dates, as the query-string form sends them).
_ANY_VALUE: dict[str, Any] = {}  # read as "is there a value", so anything goes
_VALUES: dict[str, dict[str, Any]] = {
    "text": {"type": "string", "maxLength": grammar.MAX_TEXT, "pattern": r"\S"},
    "status": {"enum": list(get_args(Status))},
    "money": {"type": "integer", "minimum": -MAX_AMOUNT, "maximum": MAX_AMOUNT},
    "number": {"type": "number", "minimum": -(10**15), "maximum": 10**15},
    "moment": {
        "anyOf": [{"type": "string", "format": "date-time"}, {"type": "string", "format": "date"}]
    },
    "days": {"type": "integer", "minimum": 0, "maximum": grammar.MAX_DAYS},
    "boolean": {"type": "boolean"},
    "scalar": {
        "anyOf": [
            {"type": "string", "maxLength": grammar.MAX_TEXT, "pattern": r"\S"},
            {"type": "number", "minimum": -(10**15), "maximum": 10**15},
            {"type": "boolean"},
        ]
    },
}


def _value_schema(field: str, kind: str, condition: str) -> dict[str, Any]:
    """The JSON Schema of one value of ``condition`` on ``field`` (of grammar type ``kind``)."""
    if condition in ("$has_value", "$is_unknown"):
        return _ANY_VALUE
    if condition.endswith(("_ago", "_future")):
        return _VALUES["days"]
    if condition in ("$after", "$before"):
        return _VALUES["moment"]
    if kind == "money":
        return _VALUES["money"]
    if kind == "number" or condition.startswith(("$more_than", "$less_than")):
        return _VALUES["number"]
    if field == "status" and condition in ("$in", "$not_in", "$is", "$is_not"):
        return _VALUES["status"]
    if kind == "boolean":
        return _VALUES["boolean"]
    if kind == "unknown" and condition in ("$in", "$not_in", "$is", "$is_not"):
        return _VALUES["scalar"]
    return _VALUES["text"]


def _conditions(field: str, kind: str) -> dict[str, Any]:
    """A field's ``{"conditions": {...}}``: each condition with a value, or a list of them
    (one value, except for ``$in`` and ``$not_in``)."""
    properties = {}
    for condition in grammar.CONDITIONS[kind]:
        rule = _value_schema(field, kind, condition)
        most = grammar.MAX_VALUES if condition in ("$in", "$not_in") else 1
        properties[condition] = {
            "anyOf": [rule, {"type": "array", "minItems": 1, "maxItems": most, "items": rule}]
        }
    return {
        "type": "object",
        "required": ["conditions"],
        "properties": {
            "conditions": {
                "type": "object",
                "minProperties": 1,
                "additionalProperties": False,
                "properties": properties,
            }
        },
    }


def _filters_document() -> dict[str, Any]:
    """The fields and conditions the grammar accepts, for the OpenAPI document. A
    ``metadata.<key>`` takes its type from the order metadata schema; the document states
    what a key the schema does not define takes."""
    return {
        "properties": {
            "junction": {"enum": list(grammar.JUNCTIONS)},
            **{name: _conditions(name, field.type) for name, field in grammar.FIELDS.items()},
        },
        # The look-ahead bounds the key's length as metadata does (patterns have no maxLength).
        "patternProperties": {
            rf"^metadata\.(?=.{{1,{MAX_KEY_LENGTH}}}$){_KEY}$": _conditions("metadata.", "unknown")
        },
        "additionalProperties": False,
    }


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def checked_filters(filters: dict[str, Any] | None) -> dict[str, Any]:
    """The reference's JSON ``filters``, checked against the grammar, the order metadata
    schema and the document's value types, with every condition's value a list.

    Raises ``ApiError`` 400 ``invalid_payload`` naming the first field, condition or value
    that is wrong (and, for a condition that does not fit its field, the ones that do).
    """
    if not filters:
        return {}
    properties = order_schema_properties()
    checked: dict[str, Any] = {}
    for name, body in filters.items():
        where = f"{FILTERS}.{name}"
        if name == "junction":
            if not isinstance(body, str) or body.lower() not in grammar.JUNCTIONS:
                raise ApiError.invalid_payload(
                    f"Property {where} should be equal to one of the allowed values [ and, or ]"
                )
            checked[name] = body.lower()
            continue
        try:
            parsed = grammar.parse({name: body}, properties)
        except ValidationError as error:
            raise ApiError.invalid_payload(
                f"Property {where}: {' '.join(error.messages)}"
            ) from None
        conditions = body["conditions"]
        for condition in parsed.conditions:
            rule = _value_schema(name, condition.type, condition.condition)
            value = conditions[condition.condition]
            if not all(_fits(item, rule) for item in _as_list(value)):
                raise ApiError.invalid_payload(
                    f"Property {where}.conditions.{condition.condition} should be "
                    f"{_RULE_WORDS.get(id(rule), 'a value')}"
                )
        checked[name] = {"conditions": {c: _as_list(v) for c, v in conditions.items()}}
    return checked


_RULE_WORDS = {
    id(_VALUES["text"]): "a text",
    id(_VALUES["status"]): "one of " + ", ".join(get_args(Status)),
    id(_VALUES["money"]): "an amount in minor units (a whole number)",
    id(_VALUES["number"]): "a number",
    id(_VALUES["moment"]): "a date (2026-05-31) or a date-time with its UTC offset (ISO 8601)",
    id(_VALUES["days"]): f"a number of days from 0 to {grammar.MAX_DAYS}",
    id(_VALUES["boolean"]): "true or false",
    id(_VALUES["scalar"]): "a text, number or boolean",
}


def _fits(value: Any, rule: dict[str, Any]) -> bool:
    """Whether one value fits one of ``_value_schema``'s rules, as the document states it."""
    if rule is _ANY_VALUE:
        return True
    if rule is _VALUES["status"]:
        return value in rule["enum"]
    if rule is _VALUES["moment"]:
        return isinstance(value, str) and _moment_fits(value)
    if rule.get("type") == "boolean":
        return isinstance(value, bool)
    if rule is _VALUES["scalar"]:
        return any(_fits(value, option) for option in rule["anyOf"])
    if rule.get("type") == "string":
        return isinstance(value, str) and bool(value.strip()) and len(value) <= rule["maxLength"]
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if rule["type"] == "integer" and not (type(value) is int or value.is_integer()):
        return False  # JSON's 565.0 is the integer 565 (the document's ``integer`` includes it)
    return bool(rule["minimum"] <= value <= rule["maximum"])


def _moment_fits(text: str) -> bool:
    """A date, or a date-time with its offset (JSON Schema's ``date`` and ``date-time``)."""
    try:
        moment = grammar.moment(text)
    except ValueError:
        return False
    return not isinstance(moment, datetime) or moment.tzinfo is not None


class ExportParameters(ObjectIn):
    """What to export: CSV columns, which orders, in which order."""

    fields: Annotated[list[ExportField], Field(max_length=MAX_EXPORT_FIELDS)] | None = Field(
        default=None,
        description="CSV columns: id, source_id, created_at, updated_at, status, amount, "
        "discount_amount, items_discount_amount, total_discount_amount, total_amount, "
        "customer_id, referrer_id, metadata, metadata.<key>. Default: id, source_id, status. "
        f"At most {MAX_EXPORT_FIELDS}.",
    )
    filters: dict[str, Any] | None = Field(
        default=None,
        # What ``checked_filters`` and ``orders.reference_filters`` accept, for the document.
        json_schema_extra=lambda schema: schema.update(_filters_document()),
        description='The reference\'s conditions: {"junction": "and", "status": '
        '{"conditions": {"$in": ["PAID"]}}, "amount": {"conditions": {"$more_than": [1000]}}}',
    )
    order: (
        Literal["-created_at", "created_at", "-updated_at", "updated_at", "-status", "status"]
        | None
    ) = None


class OrderExportIn(ObjectIn):
    """``POST /v1/orders/export``."""

    parameters: ExportParameters | None = None


class ExportIn(ObjectIn):
    """``POST /v1/exports``: only orders can be exported here."""

    exported_object: Literal["order"]
    parameters: ExportParameters | None = None


class ExportResult(Schema):
    url: str


class ExportOut(Schema):
    """The reference's export object (documentation of what the operations answer)."""

    id: str
    object: Literal["export"] = "export"
    created_at: Timestamp
    status: Literal["SCHEDULED", "IN_PROGRESS", "DONE", "ERROR"]
    channel: Literal["API", "WEBSITE"]
    exported_object: Literal["order"] = "order"
    parameters: dict[str, Any]
    result: ExportResult | None
    user_id: str | None


class ExportListOut(Schema):
    object: Literal["list"] = "list"
    data_ref: Literal["exports"] = "exports"
    exports: list[ExportOut]
    total: int


# The orders list's query parameters (how dashboard exports store their filters) → the
# reference's field and condition, for showing a dashboard export through the API.
_LIST_PARAMETERS = {
    "status": ("status", "$in"),
    "source_id": ("source_id", "$is"),
    "customer": ("customer_id", "$is"),
    "referrer": ("referrer_id", "$is"),
    "created_after": ("created_at", "$after"),
    "created_before": ("created_at", "$before"),
    "updated_after": ("updated_at", "$after"),
    "updated_before": ("updated_at", "$before"),
    "amount_min": ("amount", "$more_than_equal"),
    "amount_max": ("amount", "$less_than_equal"),
    "total_min": ("total_amount", "$more_than_equal"),
    "total_max": ("total_amount", "$less_than_equal"),
    "discount_min": ("total_discount_amount", "$more_than_equal"),
    "discount_max": ("total_discount_amount", "$less_than_equal"),
}
_MONEY_PARAMETERS = {"amount_min", "amount_max", "total_min", "total_max"}
_MONEY_PARAMETERS |= {"discount_min", "discount_max"}


def _minor_units(text: str) -> Any:
    try:
        return parse_money(text)
    except Exception:  # shown as stored when it no longer parses
        return text


def reference_filters(stored: dict[str, Any]) -> dict[str, Any]:
    """An export's stored filters in the reference's JSON form.

    API exports store that form already; dashboard exports store the orders list's query
    parameters (``{"status": ["PAID"], "amount_min": ["10.00"]}``), shown here as conditions.
    A list parameter with no reference equivalent (``q``, ``meta`` …) is shown as ``$in``.
    """
    result: dict[str, Any] = {}
    conditions_form = {
        name: [str(v) for v in _as_list(value)]
        for name, value in (stored or {}).items()
        if name.startswith(grammar.PARAMETER_PREFIX)
    }
    if conditions_form:
        try:
            result.update(grammar.from_query(conditions_form))
        except ValidationError:  # stored before the grammar changed: shown as stored
            result.update(conditions_form)
    for name, value in (stored or {}).items():
        if name.startswith(grammar.PARAMETER_PREFIX):
            continue
        if name == "junction" or (isinstance(value, dict) and "conditions" in value):
            result[name] = value
            continue
        values = [str(v) for v in _as_list(value)]
        field, condition = _LIST_PARAMETERS.get(name, (name, "$in"))
        if name in _MONEY_PARAMETERS:
            values = [_minor_units(v) for v in values]
        conditions = result.setdefault(field, {"conditions": {}})["conditions"]
        conditions[condition] = values
    if result and "junction" not in result:
        result = {"junction": "and", **result}
    return result


def download_path(export: Export) -> str:
    return f"/v1/exports/{export.pk}?token={export.token}"


def export_body(request: HttpRequest, export: Export, *, scheduled: bool = False) -> dict[str, Any]:
    """The reference's export object; ``result`` is ``null`` until the file can be downloaded.

    ``scheduled``: the answer to a create request, whose reference schema requires
    ``user_id`` to be a string (the export objects of reads allow ``null``): ``""`` then for
    an export no user made.
    """
    parameters = export.parameters or {}
    user_id = str(export.user_id) if export.user_id else ("" if scheduled else None)
    return {
        "id": export.pk,
        "object": "export",
        "created_at": timestamp(export.created_at),
        "status": export.status,
        "channel": export.channel,
        "exported_object": export.exported_object,
        "parameters": {
            "order": parameters.get("order", ""),
            "fields": list(parameters.get("fields") or []),
            "filters": reference_filters(parameters.get("filters") or {}),
        },
        "result": (
            {"url": absolute_url(request, download_path(export))} if export.downloadable else None
        ),
        "user_id": user_id,
    }
