"""The customers list's filters and sorts: its one ``FilterSet``.

The range filters read the purchase summary columns the order service keeps current, so
every filter and sort is a condition on ``customers_customer`` alone, answered by its
``(column, id)`` indexes.
"""

from typing import Any

import django_filters
from django.db.models import F, Q, QuerySet

from core.filters import MomentFilter, MoneyFilter, RangeForm
from core.money import format_money

from .models import Customer, Segment
from .segments import LIMITS, conditions_q
from .selectors import contains_q

# sort value → heading; ties are broken by id in the same direction.
SORTS = {
    "name": "Name",
    "email": "Email",
    "source_id": "Source ID",
    "orders_total_count": "Orders",
    "orders_total_amount": "Total spent",
    "orders_last_order_date": "Last order",
    "created_at": "Created",
}
DEFAULT_SORT = "-created_at"
SORT_CHOICES = [
    (f"{sign}{field}", f"{label} {'↓' if sign else '↑'}")
    for field, label in SORTS.items()
    for sign in ("-", "")
]


def ordering_for(sort: str) -> list[Any]:
    """``"-orders_total_amount"`` → that column, then id, both descending.

    Customers without a counted order have no last order date; they come last either way
    (``customer_last_order_desc_idx`` serves the descending order with NULLS LAST).
    """
    descending = sort.startswith("-")
    field = sort.lstrip("-")
    if field not in SORTS:
        raise ValueError(f"unknown sort {sort!r}")
    if field == "orders_last_order_date":
        column = F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_last=True)
        return [column, "-id" if descending else "id"]
    sign = "-" if descending else ""
    return [f"{sign}{field}", f"{sign}id"]


class CustomerFilterForm(RangeForm):
    ranges = (
        ("spent_min", "spent_max"),
        ("orders_min", "orders_max"),
        ("last_order_after", "last_order_before"),
    )


class CustomerFilter(django_filters.FilterSet):
    """Search, segment, spend / order-count / last-order ranges and the sort."""

    q = django_filters.CharFilter(method="filter_text", label="Search")
    segment = django_filters.ModelChoiceFilter(
        queryset=Segment.objects.all(), method="filter_segment", label="Segment"
    )
    spent_min = MoneyFilter(field_name="orders_total_amount", lookup_expr="gte", label="Spent from")
    spent_max = MoneyFilter(field_name="orders_total_amount", lookup_expr="lte", label="Spent to")
    # Bounded by the column (a PostgreSQL integer): a larger number is a field error, not a
    # query the database refuses.
    orders_min = django_filters.NumberFilter(
        field_name="orders_total_count",
        lookup_expr="gte",
        label="Orders from",
        min_value=0,
        max_value=LIMITS["min_orders"],
    )
    orders_max = django_filters.NumberFilter(
        field_name="orders_total_count",
        lookup_expr="lte",
        label="Orders to",
        min_value=0,
        max_value=LIMITS["min_orders"],
    )
    last_order_after = MomentFilter(
        field_name="orders_last_order_date", lookup_expr="gte", label="Last order from"
    )
    last_order_before = MomentFilter(
        field_name="orders_last_order_date", lookup_expr="lte", label="Last order to"
    )
    sort = django_filters.ChoiceFilter(
        choices=SORT_CHOICES, method="filter_nothing", empty_label=None, label="Sort"
    )

    class Meta:
        model = Customer
        fields: list[str] = []
        form = CustomerFilterForm

    def filter_nothing(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        return queryset  # the sort is applied last, in filter_queryset

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """Name or email (contains, trigram-indexed), id or source ID (exact)."""
        text = value.strip()
        if not text:
            return queryset
        return queryset.filter(
            contains_q("name", text) | contains_q("email", text) | Q(pk=text) | Q(source_id=text)
        )

    def filter_segment(self, queryset: QuerySet, name: str, value: Segment | None) -> QuerySet:
        return queryset.filter(conditions_q(value.conditions)) if value else queryset

    @property
    def sort_in_force(self) -> str:
        if not self.is_bound:
            return DEFAULT_SORT
        self.form.is_valid()
        return self.form.cleaned_data.get("sort") or DEFAULT_SORT

    @property
    def estimable(self) -> bool:
        """Text search gets a planner guess, not an estimate; see ``OrderFilter.estimable``."""
        self.form.is_valid()
        return not self.form.cleaned_data.get("q")

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        return super().filter_queryset(queryset).order_by(*ordering_for(self.sort_in_force))


def describe_filters(filterset: CustomerFilter) -> list[tuple[str, str]]:
    """The customers list's filters in force: (phrase, parameter that removes it), such as
    ``("Spent from $100.00", "spent_min")``; filters that could not be read are left out."""
    filterset.form.is_valid()  # cleaned_data then holds every valid field
    data = filterset.form.cleaned_data
    phrases = []
    if data.get("q"):
        phrases.append((f"Search: {data['q']}", "q"))
    if data.get("segment"):
        phrases.append((f"In segment {data['segment'].name}", "segment"))
    for name in ("spent_min", "spent_max"):
        if data.get(name) is not None:
            phrases.append((f"{filterset.form[name].label} {format_money(data[name])}", name))
    for name in ("orders_min", "orders_max", "last_order_after", "last_order_before"):
        if data.get(name) is not None:
            phrases.append((f"{filterset.form[name].label} {data[name]}", name))
    return phrases
