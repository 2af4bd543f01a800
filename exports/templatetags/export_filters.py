"""An export's stored filters in words, for Audit log › Exports (``{% load export_filters %}``)."""

from datetime import UTC
from typing import Any

from django import template
from django.core.exceptions import ValidationError

from orders.filter_descriptions import SORT_LABELS, describe_query
from orders.reference_filters import filters_query

from ..services import DEFAULT_ORDER

register = template.Library()


@register.filter
def filters_sentence(filters: dict[str, Any] | None) -> str:
    """``Status is Paid, Created from 2026-05-01``: the sentence the orders list's chips and
    the Export dialog use, never the stored JSON. Dates are read in UTC, as the export read
    them."""
    try:
        query = filters_query(filters, DEFAULT_ORDER)
    except ValidationError:
        return "Filters this version cannot read"
    return describe_query(query, with_sort=False, zone=UTC)


@register.filter
def sort_words(order: str | None) -> str:
    """``-created_at`` → ``Created, newest first``: an export's sort as the list names it."""
    if not order:
        return "—"
    return SORT_LABELS.get(order, order)
