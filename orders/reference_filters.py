"""Stored export filters → the query the orders list's ``OrderFilter`` reads.

An export stores its filters as parameters, never as a list of ids, in one of two spellings:

- the list's own query parameters, as the dashboard's Export dialog stores them:
  ``{"status": ["PAID"], "created_after": ["2026-01-01"], "meta": ["channel:eq:web"]}``;
- the reference's JSON conditions, for the API:
  ``{"status": {"conditions": {"$in": ["PAID"]}}, "amount": {"conditions": {"$more_than": 100}}}``.

Both become a ``QueryDict`` for ``OrderFilter``, so an export and the list select the same rows.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import QueryDict

from core.money import format_plain

# Reference field → the list's (lower bound, upper bound) parameters.
_RANGES = {
    "created_at": ("created_after", "created_before"),
    "updated_at": ("updated_after", "updated_before"),
    "amount": ("amount_min", "amount_max"),
    "total_amount": ("total_min", "total_max"),
    "total_discount_amount": ("discount_min", "discount_max"),
}
_MONEY = {"amount", "total_amount", "total_discount_amount"}


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def _money(minor_units: Any, shift: int = 0) -> str:
    """Minor units (the API's) → the list's major-unit text; ``shift`` makes a bound strict."""
    try:
        units = int(minor_units) + shift
    except (TypeError, ValueError):
        raise ValidationError(f"'{minor_units}' is not an amount in minor units.") from None
    return format_plain(units)


# Reference condition → the list's metadata operator (``meta=key:op:value``).
_META_OPERATORS = {
    "$is": "eq",
    "$is_not": "ne",
    "$contains": "contains",
    "$has_value": "set",
    "$is_unknown": "unset",
    "$more_than": "gt",
    "$more_than_equal": "gte",
    "$less_than": "lt",
    "$less_than_equal": "lte",
    "$after": "after",
    "$before": "before",
}
META_PREFIX = "metadata."


def _meta_text(value: Any) -> str:
    value = _first(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _reference_condition(query: QueryDict, field: str, conditions: dict[str, Any]) -> None:
    for condition, value in conditions.items():
        if field.startswith(META_PREFIX) and condition in _META_OPERATORS:
            key = field.removeprefix(META_PREFIX)
            text = "" if condition in ("$has_value", "$is_unknown") else _meta_text(value)
            query.appendlist("meta", f"{key}:{_META_OPERATORS[condition]}:{text}")
        elif field == "status" and condition in ("$in", "$is"):
            values = value if isinstance(value, list) else [value]
            query.setlist("status", [str(v) for v in values])
        elif field == "source_id" and condition in ("$is", "$contains"):
            query["source_id"] = str(_first(value))
            query["source_id_match"] = "is" if condition == "$is" else "contains"
        elif field in ("customer_id", "referrer_id") and condition == "$is":
            query[field.removesuffix("_id")] = str(_first(value))
        elif field in ("customer_id", "referrer_id") and condition in ("$has_value", "$is_unknown"):
            has = "has_" + field.removesuffix("_id")
            query[has] = "true" if condition == "$has_value" else "false"
        elif field in _RANGES and condition in _BOUNDS:
            low_or_high, shift = _BOUNDS[condition]
            name = _RANGES[field][low_or_high]
            value = _first(value)
            query[name] = _money(value, shift) if field in _MONEY else str(value)
        else:
            raise ValidationError(f"The filter {field} {condition} is not supported.")


# condition → (0 lower bound | 1 upper bound, minor units to add for a strict bound)
_BOUNDS = {
    "$after": (0, 0),
    "$more_than_equal": (0, 0),
    "$more_than": (0, 1),
    "$before": (1, 0),
    "$less_than_equal": (1, 0),
    "$less_than": (1, -1),
}


# The fields the reference's JSON conditions may filter exports on here, and every condition
# the reference knows (a condition outside it is a typo; one inside it may still be
# unsupported for a field, which ``filters_query`` says).
REFERENCE_FIELDS = ("status", "source_id", "customer_id", "referrer_id", *_RANGES)
REFERENCE_CONDITIONS = (
    "$in", "$not_in", "$is", "$is_not", "$has_value", "$is_unknown", "$contains",
    "$not_contain", "$starts_with", "$ends_with", "$more_than", "$less_than",
    "$more_than_equal", "$less_than_equal", "$after", "$before", "$is_days_ago",
    "$is_days_in_future", "$more_than_ago", "$less_than_ago", "$more_than_future",
    "$less_than_future", "$count", "$count_less", "$count_more",
)  # fmt: skip


def filters_query(filters: dict[str, Any] | None, order: str) -> QueryDict:
    """The ``OrderFilter`` query for stored ``filters`` and the export's ``order`` (sort)."""
    query = QueryDict(mutable=True)
    for name, value in (filters or {}).items():
        if isinstance(value, dict):
            conditions = value.get("conditions")
            if not isinstance(conditions, dict):
                raise ValidationError(f"The filter {name} needs its conditions.")
            _reference_condition(query, name, conditions)
        elif isinstance(value, list):
            query.setlist(name, [str(v) for v in value])
        else:
            query[name] = str(value)
    query.pop("page", None)
    query.pop("per_page", None)
    query["sort"] = order
    return query


def list_filters(query: QueryDict) -> dict[str, list[str]]:
    """The list's query as stored parameters (without the sort and the page)."""
    skip = {"sort", "page", "per_page", "csrfmiddlewaretoken", "fields", "order"}
    return {
        name: [v for v in query.getlist(name) if v.strip()]
        for name in query
        if name not in skip and any(v.strip() for v in query.getlist(name))
    }
