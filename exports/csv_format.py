"""The orders CSV: which fields it may hold and how each cell is written.

Two writers follow the same rules: PostgreSQL's ``COPY`` with the SQL functions of migration
``0003_csv_functions`` (fast, used on PostgreSQL) and :func:`format_row` in Python (the
embedded SQLite default). Rules, from the reference and OWASP:

- timestamps in UTC, ISO 8601 with milliseconds and ``Z``: ``2022-03-09T09:16:32.521Z``;
- amounts as integers in minor units; numeric cells are never altered;
- ``metadata`` as compact JSON, ``metadata.<key>`` as the value (arrays and objects as JSON);
- a missing value is an empty cell;
- a text cell starting with ``= + - @``, tab or carriage return gets a leading ``'``.
"""

import json
from datetime import UTC, datetime
from typing import Any

from django.db.models import F, Func, TextField, Value
from django.db.models.expressions import Expression

from orders.metadata_conditions import KEY_PATTERN

STANDARD_FIELDS = (
    "id",
    "source_id",
    "created_at",
    "updated_at",
    "status",
    "amount",
    "discount_amount",
    "items_discount_amount",
    "total_discount_amount",
    "total_amount",
    "customer_id",
    "referrer_id",
    "metadata",
)
DEFAULT_FIELDS = ("id", "source_id", "status")
TEXT_FIELDS = frozenset({"id", "source_id", "status", "customer_id", "referrer_id"})
TIME_FIELDS = frozenset({"created_at", "updated_at"})
NUMBER_FIELDS = frozenset(
    {"amount", "discount_amount", "items_discount_amount", "total_discount_amount", "total_amount"}
)
META_PREFIX = "metadata."
DANGEROUS_FIRST = ("=", "+", "-", "@", "\t", "\r")


def is_valid_field(name: str) -> bool:
    """A standard field, or ``metadata.<key>`` with a key the metadata filters accept too."""
    if name in STANDARD_FIELDS:
        return True
    return name.startswith(META_PREFIX) and bool(KEY_PATTERN.match(name[len(META_PREFIX) :]))


def neutralize(text: str) -> str:
    """OWASP: a cell a spreadsheet would read as a formula is prefixed with ``'``."""
    return "'" + text if text.startswith(DANGEROUS_FIRST) else text


def compact_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def format_time(value: datetime | None) -> str:
    if value is None:
        return ""
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def format_meta_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralize(value)
    if isinstance(value, bool):
        return "true" if value else "false"  # as JSON (and PostgreSQL's ->>) writes them
    if isinstance(value, dict | list):
        return compact_json(value)
    return compact_json(value)  # numbers, as JSON writes them


def source_columns(fields: list[str]) -> list[str]:
    """The order columns :func:`format_row` needs for ``fields``, in a stable order."""
    columns: list[str] = []
    for field in fields:
        column = "metadata" if field.startswith(META_PREFIX) else field
        if column not in columns:
            columns.append(column)
    return columns


def format_row(fields: list[str], row: dict[str, Any]) -> list[str | int]:
    """One CSV row (Python writer) from ``row``, the order's ``source_columns`` values."""
    cells: list[str | int] = []
    for field in fields:
        if field.startswith(META_PREFIX):
            cells.append(format_meta_value((row["metadata"] or {}).get(field[len(META_PREFIX) :])))
        elif field == "metadata":
            cells.append(compact_json(row["metadata"] or {}))
        elif field in TIME_FIELDS:
            cells.append(format_time(row[field]))
        elif field in NUMBER_FIELDS:
            cells.append(row[field])
        else:
            value = row[field]
            cells.append("" if value is None else neutralize(str(value)))
    return cells


def sql_expression(field: str) -> Expression:
    """The cell of ``field`` as a PostgreSQL expression (the functions of migration 0003)."""
    if field.startswith(META_PREFIX):
        key = field[len(META_PREFIX) :]
        return Func(F("metadata"), Value(key), function="ch_csv_meta", output_field=TextField())
    if field == "metadata":
        return Func(F("metadata"), function="ch_json_compact", output_field=TextField())
    if field in TIME_FIELDS:
        return Func(F(field), function="ch_csv_time", output_field=TextField())
    if field in NUMBER_FIELDS:
        return F(field)
    return Func(F(field), function="ch_csv_text", output_field=TextField())
