"""What a segment's conditions mean: the built-in templates, their validation and their SQL.

A segment is a set of conditions that all hold (AND) on the customer's purchase summary
(kept current by the order service, so membership is a query on ``customers_customer`` alone,
served by its summary indexes) and on the customer's metadata, written in the orders list's
``key:op:value`` syntax and read against the customer metadata schema.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from core.money import format_money
from metadata.conditions import condition_q, parse_condition
from metadata.models import MetadataProperty, MetadataSchema

# The summary conditions, in the order forms and descriptions show them.
SUMMARY_CONDITIONS = (
    "min_total_spent",
    "min_orders",
    "last_order_within_days",
    "last_order_more_than_days_ago",
)
CONDITION_KEYS = (*SUMMARY_CONDITIONS, "metadata")

# The largest value each summary condition may hold: what its column can compare against
# (``orders_total_amount`` is a bigint, ``orders_total_count`` a PostgreSQL integer), and for
# day counts a century, far inside what date arithmetic can subtract from today.
MAX_DAYS = 36_500
LIMITS = {
    "min_total_spent": 2**63 - 1,
    "min_orders": 2**31 - 1,
    "last_order_within_days": MAX_DAYS,
    "last_order_more_than_days_ago": MAX_DAYS,
}


@dataclass(frozen=True)
class Template:
    """A built-in segment to start from (the reference's four)."""

    slug: str
    name: str
    conditions: dict[str, Any]
    description: str


TEMPLATES = (
    Template(
        "high-spenders",
        "High spenders",
        {"min_total_spent": 50000},
        "Total spent at least a threshold.",
    ),
    Template("loyal-buyers", "Loyal buyers", {"min_orders": 5}, "At least a number of orders."),
    Template(
        "recent-buyers",
        "Recent buyers",
        {"last_order_within_days": 30},
        "Last order within a number of days.",
    ),
    Template(
        "lapsed",
        "Lapsed",
        {"last_order_more_than_days_ago": 90},
        "Last order more than a number of days ago.",
    ),
)
TEMPLATES_BY_SLUG = {template.slug: template for template in TEMPLATES}


def customer_schema_properties() -> dict[str, MetadataProperty]:
    """The customer metadata schema's live properties by name."""
    return {
        prop.name: prop
        for prop in MetadataProperty.objects.filter(
            schema__related_object=MetadataSchema.RelatedObject.CUSTOMER, deleted=False
        )
    }


def clean_conditions(conditions: dict[str, Any]) -> dict[str, Any]:
    """Conditions as stored: known keys only, whole non-negative numbers, metadata parsed.

    Raises ``ValidationError`` keyed by condition (``{"min_orders": "…"}``); an empty set of
    conditions is refused, because a segment of everyone is the customers list.
    """
    unknown = set(conditions) - set(CONDITION_KEYS)
    if unknown:
        raise ValidationError(f"Unknown segment conditions: {', '.join(sorted(unknown))}.")
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for key in SUMMARY_CONDITIONS:
        value = conditions.get(key)
        if value is None or value == "":
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            errors[key] = [f"Enter a whole number of zero or more (actual value is '{value}')."]
            continue
        if value > LIMITS[key]:
            errors[key] = [f"Enter at most {LIMITS[key]:,} (actual value is '{value:,}')."]
            continue
        cleaned[key] = value
    texts = [str(text).strip() for text in conditions.get("metadata") or [] if str(text).strip()]
    if texts:
        properties = customer_schema_properties()
        problems = []
        for text in texts:
            try:
                cleaned.setdefault("metadata", []).append(
                    parse_condition(text, properties).url_value
                )
            except ValidationError as error:
                problems.extend(error.messages)
        if problems:
            errors["metadata"] = problems
    if errors:
        raise ValidationError(errors)
    if not cleaned:
        raise ValidationError("Give the segment at least one condition.")
    return cleaned


def conditions_q(conditions: dict[str, Any], *, now: datetime | None = None) -> Q:
    """The ``Q`` selecting the customers that meet every condition.

    Day conditions count whole 24-hour periods back from ``now``: "within 30 days" includes a
    last order exactly 30 days ago; "more than 90 days ago" excludes one exactly 90 days ago.
    Customers without a counted order have no last order date and meet neither.

    A value stored before ``LIMITS`` existed can exceed them; it keeps its meaning without
    reaching the database: a threshold above what the column can hold, or a day count
    reaching back before year 1, is met by nobody ("within" such a span: every customer
    with a last order).
    """
    now = now or timezone.now()
    q = Q()
    # Not ``pk__in=[]``: Django would not run that query at all, and the members page asks
    # the planner to estimate it.
    nobody = Q(pk__isnull=True)
    for key, column in (
        ("min_total_spent", "orders_total_amount"),
        ("min_orders", "orders_total_count"),
    ):
        if (value := conditions.get(key)) is not None:
            q &= Q(**{f"{column}__gte": value}) if value <= LIMITS[key] else nobody
    if (value := conditions.get("last_order_within_days")) is not None:
        since = _days_before(now, value)
        has_ordered = Q(orders_last_order_date__isnull=False)
        q &= Q(orders_last_order_date__gte=since) if since else has_ordered
    if (value := conditions.get("last_order_more_than_days_ago")) is not None:
        before = _days_before(now, value)
        q &= Q(orders_last_order_date__lt=before) if before else nobody
    texts = conditions.get("metadata") or []
    if texts:
        properties = customer_schema_properties()
        for text in texts:
            # Stored conditions were valid when saved; one that a schema change has since made
            # unreadable matches nobody rather than silently everybody.
            try:
                q &= condition_q(parse_condition(text, properties))
            except ValidationError:
                return Q(pk__in=[])
    return q


def _days_before(now: datetime, days: int) -> datetime | None:
    """``now`` less ``days`` days, or ``None`` when that is before year 1."""
    try:
        return now - timedelta(days=days)
    except OverflowError:
        return None


def describe(conditions: dict[str, Any]) -> list[str]:
    """The conditions as people read them: ``["Total spent ≥ $500.00", …]``."""
    words = []
    if (value := conditions.get("min_total_spent")) is not None:
        words.append(f"Total spent ≥ {format_money(value)}")
    if (value := conditions.get("min_orders")) is not None:
        words.append(f"Orders ≥ {value}")
    if (value := conditions.get("last_order_within_days")) is not None:
        words.append(f"Last order within {value} days")
    if (value := conditions.get("last_order_more_than_days_ago")) is not None:
        words.append(f"Last order more than {value} days ago")
    words.extend(f"Metadata {text}" for text in conditions.get("metadata") or [])
    return words
