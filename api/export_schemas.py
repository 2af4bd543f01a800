"""Exports on the wire: request bodies, the reference's export object, and filter checks.

``export_body(request, export)`` is the reference's export object (``result.url`` is an
absolute link to the CSV with the export's token). ``checked_filters(filters)`` checks the
reference's JSON ``filters`` before an export is scheduled: an unknown field or condition is
a 400 ``invalid_payload`` naming it; values are stored as lists, as the reference writes them.
"""

from typing import Annotated, Any, Literal, get_args

from django.http import HttpRequest
from django.utils.dateparse import parse_datetime
from ninja import Schema
from pydantic import Field

from core.money import parse_money
from exports.csv_format import STANDARD_FIELDS
from exports.models import Export
from metadata.validation import MAX_KEY_LENGTH
from orders.reference_filters import REFERENCE_CONDITIONS, REFERENCE_FIELDS
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


_ANY_VALUE: dict[str, Any] = {}  # read as "is there a value", so anything goes
_TEXT = {"type": "string", "maxLength": 255}
_MONEY = {"type": "integer", "minimum": 0, "maximum": MAX_AMOUNT}
_MOMENT = {"type": "string", "format": "date-time"}
# A metadata value to compare with: not blank (``metadata.conditions`` needs one).
_SCALAR = {"anyOf": [{"type": "string", "pattern": r"\S"}, {"type": ["integer", "boolean"]}]}
_NUMBER = {"type": "number"}
_STATUS = {"enum": list(get_args(Status))}
_BOUNDS = ("$after", "$before", "$more_than", "$more_than_equal", "$less_than", "$less_than_equal")
_PRESENCE = ("$has_value", "$is_unknown")


def _value_rules(field: str) -> dict[str, dict[str, Any]]:
    """Condition → what its value must be, for one filter field (``orders.reference_filters``
    turns these into the list's filters; any other pair is refused)."""
    if field == "status":
        return {"$in": _STATUS, "$is": _STATUS}
    if field == "source_id":
        return {"$is": _TEXT, "$contains": _TEXT}
    if field in ("customer_id", "referrer_id"):
        return {"$is": _TEXT, **dict.fromkeys(_PRESENCE, _ANY_VALUE)}
    if field in ("created_at", "updated_at"):
        return dict.fromkeys(_BOUNDS, _MOMENT)
    if field in ("amount", "total_amount", "total_discount_amount"):
        return dict.fromkeys(_BOUNDS, _MONEY)
    # metadata.<key>: comparisons take a number, $after / $before a date-time.
    return {
        **{name: _SCALAR for name in ("$is", "$is_not", "$contains")},
        **dict.fromkeys(_PRESENCE, _ANY_VALUE),
        **dict.fromkeys(
            ("$more_than", "$more_than_equal", "$less_than", "$less_than_equal"), _NUMBER
        ),
        **dict.fromkeys(("$after", "$before"), _MOMENT),
    }


def _conditions(field: str) -> dict[str, Any]:
    """A field's ``{"conditions": {...}}``: each condition with a value, or a list of them
    (one value, except for ``status``, which takes several)."""
    one = None if field == "status" else 1
    return {
        "type": "object",
        "required": ["conditions"],
        "properties": {
            "conditions": {
                "type": "object",
                "minProperties": 1,
                "additionalProperties": False,
                "properties": {
                    name: {
                        "anyOf": [
                            rule,
                            {"type": "array", "minItems": 1, "items": rule}
                            | ({"maxItems": one} if one else {}),
                        ]
                    }
                    for name, rule in _value_rules(field).items()
                },
            }
        },
    }


def _filters_document() -> dict[str, Any]:
    """The fields and conditions ``checked_filters`` accepts, for the OpenAPI document."""
    return {
        "properties": {
            "junction": {"enum": ["and", "or"]},
            **{field: _conditions(field) for field in REFERENCE_FIELDS},
        },
        # The look-ahead bounds the key's length as metadata does (patterns have no maxLength).
        "patternProperties": {
            rf"^metadata\.(?=.{{1,{MAX_KEY_LENGTH}}}$){_KEY}$": _conditions("metadata.")
        },
        "additionalProperties": False,
        # ``or`` joins the conditions of one field, never several fields.
        "allOf": [
            {
                "anyOf": [
                    {"not": {"required": ["junction"]}},
                    {"properties": {"junction": {"const": "and"}}},
                    {"maxProperties": 2},
                ]
            }
        ],
    }


def _fits(value: Any, rule: dict[str, Any]) -> bool:
    """Whether one value fits one of ``_value_rules``' rules."""
    if rule is _ANY_VALUE:
        return True
    if rule is _STATUS:
        return value in rule["enum"]
    if rule is _TEXT:
        return isinstance(value, str) and len(value) <= 255
    if rule is _MONEY:
        # JSON's 565.0 is the integer 565 (the document's ``integer`` includes it).
        whole = type(value) is int or (type(value) is float and value.is_integer())
        return whole and 0 <= value <= MAX_AMOUNT
    if rule is _MOMENT:
        try:
            moment = parse_datetime(value) if isinstance(value, str) else None
        except ValueError:  # well formed, but no such day or hour
            return False
        return moment is not None and moment.tzinfo is not None
    if rule is _NUMBER:
        return isinstance(value, int | float) and not isinstance(value, bool)
    # _SCALAR (bool is an int)
    return isinstance(value, int) or (isinstance(value, str) and bool(value.strip()))


def _check_value(where: str, name: str, condition: str, value: Any) -> None:
    """400 unless ``value`` is what ``_value_rules`` says ``condition`` on ``name`` takes."""
    field = name if name in REFERENCE_FIELDS else META_PREFIX
    rule = _value_rules(field).get(condition)
    if rule is None:
        raise ApiError.invalid_payload(
            f"Property {where}: the filter {name} {condition} is not supported"
        )
    if rule is _ANY_VALUE:
        return
    values = value if isinstance(value, list) else [value]
    if not values or (len(values) > 1 and field != "status"):
        raise ApiError.invalid_payload(f"Property {where} takes one value (or a list of one)")
    if not all(_fits(item, rule) for item in values):
        expected = {id(_STATUS): "one of " + ", ".join(_STATUS["enum"]), id(_TEXT): "a text",
                    id(_MONEY): "an amount in minor units (a whole number from 0)",
                    id(_MOMENT): "a date-time with its UTC offset (ISO 8601)",
                    id(_NUMBER): "a number"}  # fmt: skip
        raise ApiError.invalid_payload(
            f"Property {where} should be {expected.get(id(rule), 'a text, number or boolean')}"
        )


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


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def checked_filters(filters: dict[str, Any] | None) -> dict[str, Any]:
    """The reference's JSON ``filters``, checked and with every condition's value a list.

    Raises ``ApiError`` 400 ``invalid_payload`` naming the first unknown field, unknown
    condition or malformed entry.
    """
    if not filters:
        return {}
    checked: dict[str, Any] = {}
    fields = [name for name in filters if name != "junction"]
    for name, value in filters.items():
        where = f"{FILTERS}.{name}"
        if name == "junction":
            if value not in ("and", "or"):
                raise ApiError.invalid_payload(
                    f"Property {where} should be equal to one of the allowed values [ and, or ]"
                )
            if value == "or" and len(fields) > 1:
                raise ApiError.invalid_payload(
                    f"Property {where}: exports combine several fields with `and` only"
                )
            checked[name] = value
            continue
        if name not in REFERENCE_FIELDS and not name.startswith(META_PREFIX):
            raise ApiError.invalid_payload(
                f"Property {where} is not a field orders can be filtered on; use one of "
                f"{', '.join(REFERENCE_FIELDS)} or metadata.<key>"
            )
        conditions = value.get("conditions") if isinstance(value, dict) else None
        if not isinstance(conditions, dict) or not conditions:
            raise ApiError.invalid_payload(
                f'Property {where} should be an object {{"conditions": {{"$condition": [values]}}}}'
            )
        for condition, condition_value in conditions.items():
            if condition not in REFERENCE_CONDITIONS:
                raise ApiError.invalid_payload(
                    f"Property {where}.conditions.{condition} is not a known condition; use "
                    f"one of {', '.join(REFERENCE_CONDITIONS)}"
                )
            _check_value(f"{where}.conditions.{condition}", name, condition, condition_value)
        checked[name] = {
            "conditions": {condition: _as_list(v) for condition, v in conditions.items()}
        }
    return checked


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
    for name, value in (stored or {}).items():
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
