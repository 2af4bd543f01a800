"""The orders CSV: which fields it may hold and how each cell is written.

The cells are formatted inside PostgreSQL (:func:`sql_expression`, with the SQL functions of
migration ``0003_csv_functions`` as ``0004`` to ``0006`` left them, which the planner inlines
into the query), so one ``COPY`` writes the finished file. Rules, from the reference and OWASP:

- timestamps in UTC, ISO 8601 with milliseconds and ``Z``: ``2022-03-09T09:16:32.521Z``;
- amounts as integers in minor units; numeric cells are never altered;
- ``metadata`` as compact JSON, ``metadata.<key>`` as the value (arrays and objects as JSON);
- a missing value is an empty cell;
- a text cell starting with ``= + - @``, tab or carriage return gets a leading ``'``.
"""

from django.db.models import F, Func, TextField, Value
from django.db.models.expressions import Expression

from metadata.conditions import KEY_PATTERN

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
TIME_FIELDS = frozenset({"created_at", "updated_at"})
NUMBER_FIELDS = frozenset(
    {"amount", "discount_amount", "items_discount_amount", "total_discount_amount", "total_amount"}
)
META_PREFIX = "metadata."


def is_valid_field(name: str) -> bool:
    """A standard field, or ``metadata.<key>`` with a key the metadata filters accept too."""
    if name in STANDARD_FIELDS:
        return True
    return name.startswith(META_PREFIX) and bool(KEY_PATTERN.match(name[len(META_PREFIX) :]))


def sql_expression(field: str) -> Expression | F:
    """The cell of ``field`` as a PostgreSQL expression (the ``ch_csv_*`` functions)."""
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
