"""Stored export filters → the query the orders list's ``OrderFilter`` reads.

An export stores its filters as parameters, never as a list of ids, in one of two spellings:

- the list's own query parameters, as the dashboard's Export dialog stores them:
  ``{"status": ["PAID"], "created_after": ["2026-01-01"], "meta": ["channel:eq:web"],
  "filters[source_id][conditions][$in][0]": ["shop-1"]}``;
- the reference's JSON conditions, for the API (``orders.grammar``):
  ``{"status": {"conditions": {"$in": ["PAID"]}}, "amount": {"conditions": {"$more_than": 100}}}``.

Both become a ``QueryDict`` for ``OrderFilter``, so an export and the list select the same rows.
"""

from typing import Any

from django.http import QueryDict

from . import grammar
from .models import OrderStatus
from .saved_views import CONDITION_PREFIX


def filters_query(filters: dict[str, Any] | None, order: str) -> QueryDict:
    """The ``OrderFilter`` query for stored ``filters`` and the export's ``order`` (sort)."""
    query = QueryDict(mutable=True)
    reference: dict[str, Any] = {}
    for name, value in (filters or {}).items():
        if name == "junction" or isinstance(value, dict):
            reference[name] = value
        elif isinstance(value, list):
            query.setlist(name, [str(v) for v in value])
        else:
            query[name] = str(value)
    for name, value in grammar.to_query(_as_list_filters(reference, query)):
        query.appendlist(name, value)
    query.pop("page", None)
    query.pop("per_page", None)
    query["sort"] = order
    return query


# Reference field → the list's (from, to) parameters: the same inclusive days or instants.
_DATE_PARAMETERS = {
    "created_at": ("created_after", "created_before"),
    "updated_at": ("updated_after", "updated_before"),
}


def _as_list_filters(reference: dict[str, Any], query: QueryDict) -> dict[str, Any]:
    """Conditions joined with ``and`` that are the list's own filters move to them: statuses
    (``$in``/``$is``) and creation or update dates (``$after``/``$before``). The insights
    strip's statistics answer those; the rest stays conditions. Values that do not read are
    left to the conditions, whose messages name the field."""
    fields = [name for name in reference if name != "junction"]
    if str(reference.get("junction", "and")).lower() != "and" and len(fields) > 1:
        return reference
    remaining = dict(reference)
    for field in fields:
        conditions = reference[field].get("conditions")
        if not isinstance(conditions, dict) or not conditions:
            continue
        moved = _list_parameters(field, conditions)
        if moved is None or any(name in query for name in moved):
            continue
        for name, values in moved.items():
            query.setlist(name, values)
        del remaining[field]
    return remaining


def _list_parameters(field: str, conditions: dict[str, Any]) -> dict[str, list[str]] | None:
    """The list's parameters for one field's conditions, or ``None`` when they have none."""
    single = {c: (v if isinstance(v, list) else [v]) for c, v in conditions.items()}
    if field == "status" and len(single) == 1:
        condition, values = next(iter(single.items()))
        valid = values and all(isinstance(v, str) and v in OrderStatus.values for v in values)
        if condition in ("$in", "$is") and valid and (condition == "$in" or len(values) == 1):
            return {"status": list(values)}
    if field in _DATE_PARAMETERS and set(single) <= {"$after", "$before"}:
        after, before = _DATE_PARAMETERS[field]
        moved = {}
        for condition, values in single.items():
            if len(values) != 1 or not isinstance(values[0], str):
                return None
            try:
                grammar.moment(values[0])
            except ValueError:
                return None
            moved[after if condition == "$after" else before] = [values[0].strip()]
        return moved
    return None


def list_filters(query: QueryDict) -> dict[str, list[str]]:
    """The list's query as stored parameters (without the sort and the page). Blank values
    filter nothing and are left out, except a condition's (``filters[...]``): ``$has_value``
    and ``$is_unknown`` take none, as the list's URL keeps them (``canonical_query``)."""
    skip = {"sort", "page", "per_page", "csrfmiddlewaretoken", "fields", "order"}
    stored = {}
    for name in query:
        kept = [v for v in query.getlist(name) if v.strip() or name.startswith(CONDITION_PREFIX)]
        if name not in skip and kept:
            stored[name] = kept
    return stored
