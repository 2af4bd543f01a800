"""The orders list's filters and sorts: one ``FilterSet`` for the list, the export and the API.

The URL's query parameters are part of the product (bookmarks, links, scripts); they are
named and parsed here only.
"""

import copy
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import tzinfo
from functools import cached_property
from typing import Any, ClassVar

import django_filters
from django import forms
from django.contrib.postgres.search import SearchQueryField
from django.core.exceptions import ValidationError
from django.db.models import BooleanField, Exists, F, Func, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Cast

from core.filters import MomentFilter, MoneyFilter, RangeForm, filter_zone
from customers.models import Customer, Segment, name_and_email_words
from customers.segments import conditions_q
from customers.selectors import contains_q
from metadata.conditions import (
    MetaCondition,
    condition_q,
    order_schema_properties,
    parse_condition,
)

from . import grammar
from .models import Order, OrderStatus

# sort value → the columns it orders by; ties are broken by id in the same direction, so a
# page never repeats or skips an order.
SORTS = {
    "created_at": "Created",
    "updated_at": "Updated",
    "amount": "Amount",
    "total_amount": "Discounted amount",
    "status": "Status",
}
DEFAULT_SORT = "-created_at"
_DIRECTIONS = {
    "created_at": ("newest first", "oldest first"),
    "updated_at": ("recently updated first", "least recently updated first"),
    "amount": ("high to low", "low to high"),
    "total_amount": ("high to low", "low to high"),
    "status": ("Z to A", "A to Z"),
}
SORT_CHOICES = [
    (f"{sign}{field}", f"{label}, {_DIRECTIONS[field][0 if sign else 1]}")
    for field, label in SORTS.items()
    for sign in ("-", "")
]


def ordering_for(sort: str) -> list[str]:
    """``"-amount"`` → ``["-amount", "-id"]``: the sort column, then id the same way."""
    descending = sort.startswith("-")
    field = sort.lstrip("-")
    if field not in SORTS:
        raise ValueError(f"unknown sort {sort!r}")
    sign = "-" if descending else ""
    return [f"{sign}{field}", f"{sign}id"]


# A word is a run of letters and digits, as PostgreSQL's [[:alnum:]] reads it.
SEARCH_WORD = re.compile(r"[^\W_]+")
MAX_SEARCH_WORDS = 8
# Longer words are cut to a prefix of this length (PostgreSQL refuses lexemes past 2 KB; a
# name or email word is never this long anyway).
MAX_SEARCH_WORD_LENGTH = 100


def search_words(text: str) -> list[str]:
    """``"NAVY.example"`` → ``["navy", "example"]``: the words a text search looks for."""
    words = SEARCH_WORD.findall(text.lower())[:MAX_SEARCH_WORDS]
    return [word[:MAX_SEARCH_WORD_LENGTH] for word in words]


class CustomerWordsMatch(Func):
    """True when every word of ``words`` starts a word of the customer's name or email."""

    output_field = BooleanField()
    template = "%(expressions)s"
    arg_joiner = " @@ "

    def __init__(self, words: list[str], *, indexed: bool = True) -> None:
        # Words are letters and digits only, so quoting them needs no escaping.
        query = " & ".join(f"'{word}':*" for word in words)
        # The indexed expression itself, or PostgreSQL would read every customer; or, when
        # the index must not answer it (see ``customers_matching``), the same words written
        # so that the index does not match.
        vector = name_and_email_words()
        if not indexed:
            vector = Func(vector, template="(%(expressions)s || ''::tsvector)")
        super().__init__(vector, Cast(Value(query), SearchQueryField()))


def customers_matching(text: str) -> QuerySet[Customer] | None:
    """Customers whose name or email holds every word of ``text``; ``None`` without words.

    Each word starts a word of the name or email (``jans`` finds Jansen, ``navy`` finds
    grace@navy.example), through the GIN index on ``name_and_email_words``, which answers a
    common surname in a few milliseconds at 200,000 customers.
    """
    words = search_words(text)
    if not words:
        return None
    before_at = search_words(text.partition("@")[0]) if "@" in text else []
    if before_at and len(before_at) < len(words):
        # An email: its domain's words (example, com) start a word of most customers, and
        # GIN reads every entry of a prefix it looks up (about 20 ms for "example" at
        # 200,000 customers, against 1 ms for the whole search otherwise). The words before
        # the @ find the few candidates through the index; all the words are checked on them.
        return Customer.objects.filter(
            CustomerWordsMatch(before_at), CustomerWordsMatch(words, indexed=False)
        )
    return Customer.objects.filter(CustomerWordsMatch(words))


# A search's or filter's customers are read first, up to this many, and the orders query
# then names them: ``customer_id IN ('cust_…', …)``. PostgreSQL can then combine the order
# id, source-ID trigram and ``order_customer_idx`` look-ups (a BitmapOr) and sort the few
# matches. Given a sub-select instead, it cannot: it walks ``order_created_idx`` testing each
# order against the sub-select's hash, reading all million orders when only a handful match
# (about half a second for one customer's email). Past this many customers the matches are
# dense enough for that walk to stop early, and a sub-select stays.
FEW_CUSTOMERS = 1_000
# A query that reads every match (the insights' sums, not a page of the newest) has no early
# stop to gain from that walk. There the orders are those whose customer is in an array the
# sub-select fills: ``order_customer_idx`` then reads a common surname's 16,000 orders of a
# million (4,688 customers) in a third of the time the EXISTS's scan of every order takes, and
# even a word in most emails ("example", 700,000 orders) in a third of its 5 s.
_reading_every_match: ContextVar[bool] = ContextVar("reading_every_match", default=False)


@contextmanager
def reading_every_match() -> Iterator[None]:
    """Within it, filters on customers suit a query that reads all the orders a filter
    selects (the insights' sums), not the first page of them."""
    token = _reading_every_match.set(True)
    try:
        yield
    finally:
        _reading_every_match.reset(token)


def few_customer_ids(customers: QuerySet[Customer]) -> list[str] | None:
    """The ids of ``customers`` when there are at most ``FEW_CUSTOMERS``, else ``None``."""
    ids = list(customers.order_by().values_list("pk", flat=True)[: FEW_CUSTOMERS + 1])
    return ids if len(ids) <= FEW_CUSTOMERS else None


def of_customers(field: str, customers: QuerySet[Customer]) -> Q:
    """``field`` (``customer_id``, ``referrer_id``) is one of ``customers``: their ids written
    out when they are few (see ``FEW_CUSTOMERS``), else a sub-select; in
    ``reading_every_match``, an array of them."""
    if _reading_every_match.get():
        # ``field = ANY(ARRAY(SELECT id …))``: the sub-select compiles in its own parentheses.
        return Q(
            Func(
                F(field),
                customers.order_by().values("pk"),
                template="(%(expressions)s))",
                arg_joiner=" = ANY(ARRAY",
                output_field=BooleanField(),
            )
        )
    ids = few_customer_ids(customers)
    if ids is None:
        # EXISTS, not IN: PostgreSQL then picks per plan between hashing the customers and
        # looking each order's customer up by primary key. With IN it can only hash them, and
        # when they do not fit in work_mem (a word most emails hold, "example") it scans the
        # whole list for every order: minutes.
        return Q(Exists(customers.filter(pk=OuterRef(field))))
    if not ids:
        # Not ``__in=[]``: Django cannot write that as SQL, and exports run the query's SQL.
        return Q(Value(False, output_field=BooleanField()))
    return Q(**{f"{field}__in": ids})


class MetaConditionsField(forms.Field):
    """The repeatable ``meta=key:op:value`` parameter, parsed against the order schema."""

    widget = forms.MultipleHiddenInput
    # Where the schema's properties come from; ``OrderFilter`` points it at its own copy, so
    # a request reads the schema once however many places need it.
    load_properties: Callable[[], dict[str, Any]] = staticmethod(order_schema_properties)

    def clean(self, value: Any) -> list[MetaCondition]:
        texts = [text for text in (value or []) if str(text).strip()]
        properties = self.load_properties() if texts else {}
        conditions, errors = [], []
        for text in texts:
            try:
                conditions.append(parse_condition(str(text), properties))
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return conditions


class MetaFilter(django_filters.Filter):
    field_class = MetaConditionsField


class ConditionsWidget(forms.Widget):
    """Reads the reference's ``filters[<field>][conditions][<$condition>][<index>]``
    parameters (and ``filters[junction]``) out of the query, whatever the field's name."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> dict[str, list[str]]:
        getlist = data.getlist if hasattr(data, "getlist") else lambda key: [data[key]]
        return {key: getlist(key) for key in data if key.startswith(grammar.PARAMETER_PREFIX)}

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return not any(key.startswith(grammar.PARAMETER_PREFIX) for key in data)


class ConditionsField(forms.Field):
    """The reference's conditions (``orders.grammar``), typed against the order schema."""

    widget = ConditionsWidget
    load_properties: Callable[[], dict[str, Any]] = staticmethod(order_schema_properties)

    def clean(self, value: Any) -> grammar.Filters:
        if not value:
            return grammar.NO_FILTERS
        return grammar.parse(grammar.from_query(value), self.load_properties())


class ConditionsFilter(django_filters.Filter):
    field_class = ConditionsField


class OrderFilterForm(RangeForm):
    ranges = (
        ("created_after", "created_before"),
        ("updated_after", "updated_before"),
        ("amount_min", "amount_max"),
        ("total_min", "total_max"),
        ("discount_min", "discount_max"),
    )


class OrderFilter(django_filters.FilterSet):
    """Every filter and the sort of the orders list (and of exports and the API).

    Bad input in one field is reported on that field; the other filters still apply.
    """

    q = django_filters.CharFilter(method="filter_text", label="Search")
    # distinct=False: filtering on a column of the order itself cannot repeat rows, and a
    # DISTINCT would make PostgreSQL sort whole rows.
    status = django_filters.MultipleChoiceFilter(
        choices=OrderStatus.choices,
        widget=forms.CheckboxSelectMultiple,
        label="Status",
        distinct=False,
    )
    created_after = MomentFilter(field_name="created_at", lookup_expr="gte", label="Created from")
    created_before = MomentFilter(field_name="created_at", lookup_expr="lte", label="Created to")
    updated_after = MomentFilter(field_name="updated_at", lookup_expr="gte", label="Updated from")
    updated_before = MomentFilter(field_name="updated_at", lookup_expr="lte", label="Updated to")
    amount_min = MoneyFilter(field_name="amount", lookup_expr="gte", label="Amount from")
    amount_max = MoneyFilter(field_name="amount", lookup_expr="lte", label="Amount to")
    total_min = MoneyFilter(
        field_name="total_amount", lookup_expr="gte", label="Discounted amount from"
    )
    total_max = MoneyFilter(
        field_name="total_amount", lookup_expr="lte", label="Discounted amount to"
    )
    discount_min = MoneyFilter(
        field_name="total_discount_amount", lookup_expr="gte", label="Discount from"
    )
    discount_max = MoneyFilter(
        field_name="total_discount_amount", lookup_expr="lte", label="Discount to"
    )
    customer = django_filters.CharFilter(method="filter_person", label="Customer")
    referrer = django_filters.CharFilter(method="filter_person", label="Referrer")
    source_id = django_filters.CharFilter(method="filter_source_id", label="Source ID")
    source_id_match = django_filters.ChoiceFilter(
        choices=[("is", "is"), ("contains", "contains")],
        method="filter_nothing",
        empty_label=None,
        label="Source ID match",
    )
    has_customer = django_filters.BooleanFilter(
        field_name="customer", lookup_expr="isnull", exclude=True, label="Has customer"
    )
    has_referrer = django_filters.BooleanFilter(
        field_name="referrer", lookup_expr="isnull", exclude=True, label="Has referrer"
    )
    meta = MetaFilter(method="filter_meta", label="Metadata")
    # The reference's filter grammar: ``filters[source_id][conditions][$in][0]=shop-1`` …,
    # joined by ``filters[junction]`` (and by default); the other filters add to it (and).
    conditions = ConditionsFilter(method="filter_conditions", label="Conditions")
    # Orders of a customer segment's members (``?segment=<id>``), linked from the segment page.
    segment = django_filters.NumberFilter(method="filter_segment", label="Segment")
    sort = django_filters.ChoiceFilter(
        choices=SORT_CHOICES, method="filter_nothing", empty_label=None, label="Sort"
    )

    class Meta:
        model = Order
        fields: list[str] = []
        form = OrderFilterForm

    def __init__(
        self,
        data: Any = None,
        queryset: QuerySet | None = None,
        *,
        request: Any = None,
        prefix: str | None = None,
        zone: tzinfo | None = None,
        hint_empty_ranges: bool = True,
    ) -> None:
        # Dates are days in ``zone``: the current one (the signed-in user's) unless given,
        # as the API and exports give UTC.
        self.zone = zone
        self.hint_empty_ranges = hint_empty_ranges
        # django-filter deep-copies every filter, with its widget and choices, for each
        # FilterSet: about a millisecond a request, most of the FilterSet's time. A filter's
        # state of a request is only its ``parent`` and ``model``, so a shallow copy does,
        # with a method filter re-bound to its copy (the ``method`` setter does that).
        self.base_filters = {}  # type: ignore[assignment]  # shadows the class's for the base class's deep copy
        super().__init__(data, queryset, request=request, prefix=prefix)
        del self.base_filters
        self.filters = {name: self._copy(f) for name, f in self.base_filters.items()}  # type: ignore[assignment]  # a dict does
        for filter_ in self.filters.values():
            filter_.model = self.queryset.model  # type: ignore[attr-defined, union-attr]  # as FilterSet does
            filter_.parent = self  # type: ignore[attr-defined]  # as FilterSet does

    @staticmethod
    def _copy(original: django_filters.Filter) -> django_filters.Filter:
        filter_ = copy.copy(original)
        if original.method is not None:
            filter_.method = original.method
        return filter_

    # django-filter builds a new form class for every FilterSet instance; the fields are the
    # same each time (each form deep-copies them), so the class is built once per FilterSet.
    _form_classes: ClassVar[dict[type, type[forms.Form]]] = {}

    def get_form_class(self) -> type[forms.Form]:
        form_class = self._form_classes.get(type(self))
        if form_class is None:
            form_class = self._form_classes[type(self)] = super().get_form_class()
        return form_class

    @property
    def form(self) -> forms.Form:
        if not hasattr(self, "_form"):
            form = super().form
            form.hint_empty_ranges = self.hint_empty_ranges  # type: ignore[attr-defined]  # read by the form
            # The metadata conditions are read against this FilterSet's copy of the schema.
            form.fields["meta"].load_properties = lambda: self.schema_properties  # type: ignore[attr-defined]  # read by the field
            form.fields["conditions"].load_properties = lambda: self.schema_properties  # type: ignore[attr-defined]  # read by the field
        return self._form  # type: ignore[attr-defined]  # FilterSet.form's cache

    @cached_property
    def schema_properties(self) -> dict[str, Any]:
        """The order metadata schema's properties, read once for this FilterSet."""
        return order_schema_properties()

    def filter_nothing(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        # Read by other filters (source_id) or applied last (sort).
        return queryset

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """Order id (exact), source ID (contains), customer name or email (every word; see
        ``customers_matching``)."""
        text = value.strip()
        if not text:
            return queryset
        match = Q(pk=text) | Q(source_id__icontains=text)
        customers = customers_matching(text)
        if customers is None:
            return queryset.filter(match)
        by_customer = of_customers("customer_id", customers)
        if self._search_part == "customers":
            return queryset.filter(by_customer)
        if self._search_part == "others":
            return queryset.filter(match & (Q(customer_id__isnull=True) | ~by_customer))
        return queryset.filter(match | by_customer)

    def filter_person(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """A customer (or referrer) by id or source ID (exact), or name or email (contains)."""
        text = value.strip()
        if not text:
            return queryset
        people = Customer.objects.filter(
            Q(pk=text) | Q(source_id=text) | contains_q("name", text) | contains_q("email", text)
        )
        return queryset.filter(of_customers(f"{name}_id", people))

    def filter_source_id(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        text = value.strip()
        if not text:
            return queryset
        if self.form.cleaned_data.get("source_id_match") == "contains":
            return queryset.filter(source_id__icontains=text)
        return queryset.filter(source_id=text)

    def filter_meta(self, queryset: QuerySet, name: str, value: list[MetaCondition]) -> QuerySet:
        for condition in value or []:
            if condition.op == "contains":
                # By the key's known values where there are some (see ``metadata_text_q``)
                match = grammar.metadata_text_q(condition.key, "icontains", condition.value)
            else:
                match = condition_q(condition)
            queryset = queryset.filter(match)
        return queryset

    def filter_conditions(
        self, queryset: QuerySet, name: str, value: grammar.Filters | None
    ) -> QuerySet:
        if not value:
            return queryset
        return queryset.filter(grammar.filters_q(value, zone=filter_zone(self)))

    def filter_segment(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        """Orders whose customer is a member of the segment; no orders for an unknown one."""
        if value is None:
            return queryset
        segment = Segment.objects.filter(pk=int(value)).first()
        if segment is None:
            return queryset.none()
        members = Customer.objects.filter(conditions_q(segment.conditions))
        return queryset.filter(customer_id__in=members.values("pk"))

    @property
    def sort_in_force(self) -> str:
        """The requested sort when it is valid, else the default (newest first)."""
        if not self.is_bound:
            return DEFAULT_SORT
        self.form.is_valid()  # fills cleaned_data with the fields that are valid
        return self.form.cleaned_data.get("sort") or DEFAULT_SORT

    @property
    def estimable(self) -> bool:
        """Whether PostgreSQL's row estimate for these filters can be shown as "about N".

        Text searches (``LIKE '%…%'``, customer look-ups) get guesses, not estimates, from the
        planner; with them the list shows a lower bound instead.
        """
        self.form.is_valid()  # fills cleaned_data with the fields that are valid
        data = self.form.cleaned_data
        if data.get("source_id") and data.get("source_id_match") == "contains":
            return False
        if data.get("segment") is not None:
            return False  # a semi-join on computed conditions: the planner only guesses
        conditions = data.get("conditions")
        if conditions and any(
            c.condition in grammar.GUESSED_CONDITIONS or c.field in ("customer_id", "referrer_id")
            for c in conditions.conditions
        ):
            return False
        return not any(data.get(name) for name in ("q", "customer", "referrer"))

    @property
    def matches_source_id_pattern(self) -> bool:
        """Whether a source ID is matched by a pattern (contains, starts or ends with): its
        matches may all be the oldest orders, which a walk of the newest first meets last
        (see ``orders.selectors.NewestFirst``)."""
        self.form.is_valid()  # fills cleaned_data with the fields that are valid
        data = self.form.cleaned_data
        if data.get("source_id") and data.get("source_id_match") == "contains":
            return True
        conditions = data.get("conditions")
        if not conditions:
            return False
        return any(
            c.field == "source_id" and c.condition in grammar.GUESSED_CONDITIONS
            for c in conditions.conditions
        )

    @property
    def searches_text(self) -> bool:
        """Whether the free-text search (``q``) is in force."""
        self.form.is_valid()  # fills cleaned_data with the fields that are valid
        return bool((self.form.cleaned_data.get("q") or "").strip())

    # Which part of a search ``filter_text`` selects (see ``search_parts``); None: all of it.
    _search_part: str | None = None

    def search_parts(self) -> list[QuerySet] | None:
        """The orders selected, as two disjoint parts that together are ``qs``: those the
        search (``q``) finds by their customer, and the others it finds (by order id or
        source ID). ``None`` when the search names no customers.

        A query summing every match reads the first part from ``order_customer_idx`` alone
        (its leaves hold what is summed), where the search's OR sends it to the table for
        each order; ``insights`` sums the two parts in one statement (``UNION ALL``).
        """
        if not self.searches_text:
            return None
        if customers_matching(self.form.cleaned_data["q"].strip()) is None:
            return None
        parts = []
        for part in ("customers", "others"):
            self._search_part = part
            try:
                parts.append(self.filter_queryset(self.queryset.all()))  # type: ignore[union-attr]  # a FilterSet's queryset is set
            finally:
                self._search_part = None
        return parts

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        return super().filter_queryset(queryset).order_by(*ordering_for(self.sort_in_force))
