"""The rules an order's own fields follow in an imported file, worded once.

Two importers read files of orders: the bulk importer (``imports.validation``, behind
``manage.py import_orders`` and ``POST /v1/orders/import``) and the admin's file import
(``orders.resources``). Both judge a status, an amount or a metadata mapping by these
functions, so a person reads the same sentence whichever way a file came in. They live with
the order they describe: the admin's import is part of ``orders`` and must not reach up to
``imports``.
"""

import json
import re
from typing import Any

from metadata.models import MetadataSchema
from metadata.validation import MetadataValidationError, validate_metadata

from .models import OrderStatus

_WHOLE = re.compile(r"^-?\d+$")
STATUSES = frozenset(OrderStatus.values)
_STATUS_LIST = ", ".join(OrderStatus.values)


def shown(value: Any) -> str:
    """``value`` as an error message quotes it."""
    return value if isinstance(value, str) else json.dumps(value, default=str)


def whole_number(value: Any, what: str, minimum: int, problems: list[str]) -> int | None:
    """An int from JSON (not a bool or float) or from a CSV cell of digits, else ``None``
    with the problem appended to ``problems``.

    The messages are the ones ``orders.totals`` and the admin's widgets already use, so an
    operator reads the same sentence wherever a value is refused.
    """
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and _WHOLE.match(value.strip()):
        number = int(value)
    if number is None:
        rule = "a whole number" if minimum == 1 else "a whole number in minor units"
        example = "" if minimum == 1 else ", such as 7700 for 77.00"
        problems.append(f"{what} must be {rule}{example} (actual value is '{shown(value)}')")
        return None
    if number < minimum:
        rule = "a whole number ≥ 1" if minimum == 1 else "zero or more"
        problems.append(f"{what} must be {rule} (actual value is '{shown(value)}')")
        return None
    return number


def order_status(value: Any, problems: list[str]) -> str:
    """The status a file gives (``CREATED`` when blank); an unknown one is a problem."""
    status = value or OrderStatus.CREATED
    if not (isinstance(status, str) and status in STATUSES):
        problems.append(f"status must be one of {_STATUS_LIST} (actual value is '{shown(status)}')")
    return status


def order_metadata(value: Any, schema: Any, problems: list[str]) -> dict[str, Any]:
    """An order's metadata checked against its loaded ``schema`` (``{}`` and the problems
    appended when it does not fit)."""
    try:
        return validate_metadata(value, MetadataSchema.RelatedObject.ORDER, schema=schema)
    except MetadataValidationError as error:
        problems.extend(f"metadata: {text}" for _, text in error.problems)
        return {}


def check_order_cells(values: dict[str, Any], schema: Any) -> dict[str, list[str]]:
    """The admin's per-cell checks: the bulk importer's rules for the order fields a file
    sets (``status``, ``amount``, ``discount_amount``, ``metadata``), keyed by field with the
    field's name left out of the message, as django-import-export shows errors next to their
    column. Blank cells are not checked (they keep a value). ``schema`` is the order
    metadata schema, loaded once per file (``metadata.validation.load_schema``)."""
    errors: dict[str, list[str]] = {}
    for name in ("status", "amount", "discount_amount", "metadata"):
        value = values.get(name)
        if value in (None, ""):
            continue
        found: list[str] = []
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # spreadsheets (xlsx, ods) hand numbers over as floats
        if name == "metadata" and isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                continue  # the metadata widget reports text that is not JSON
        if name == "status":
            order_status(value, found)
        elif name == "metadata":
            order_metadata(value, schema, found)
        else:
            whole_number(value, name, 0, found)
        if found:
            errors[name] = [
                text.removeprefix(f"{name}: ").removeprefix(f"{name} ") for text in found
            ]
    return errors
