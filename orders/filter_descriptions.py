"""The orders list's filters in words, for people: one renderer for every place that shows them.

The chips above the list, the Export dialog's summary, the saved views page and Audit log ›
Exports all describe filters from here, so a filter reads the same everywhere and nobody is
shown the URL's parameters or the stored JSON.
"""

from dataclasses import dataclass
from datetime import tzinfo

from django.db.models import Q
from django.http import QueryDict

from core.money import format_money
from customers.models import Customer, Segment

from . import grammar
from .filters import DEFAULT_SORT, SORT_CHOICES, OrderFilter
from .models import Order, OrderStatus

SORT_LABELS = dict(SORT_CHOICES)
NO_FILTERS = "All orders"
MONEY_PARAMETERS = (
    "amount_min",
    "amount_max",
    "total_min",
    "total_max",
    "discount_min",
    "discount_max",
)


@dataclass(frozen=True)
class Phrase:
    """One filter in force, as words (``Amount from $100.00``).

    ``parameter`` (and ``value``, for a repeated parameter such as ``status``) names what to
    take out of the URL to remove it.
    """

    text: str
    parameter: str
    value: str | None = None


def describe(filterset: OrderFilter) -> list[Phrase]:
    """A phrase for every filter in force; filters that could not be read are left out (the
    list reports them on their fields)."""
    filterset.form.is_valid()  # cleaned_data then holds every valid field
    data = filterset.form.cleaned_data
    form = filterset.form
    phrases: list[Phrase] = []
    if data.get("q"):
        phrases.append(Phrase(f"Search: {data['q']}", "q"))
    for status in data.get("status") or []:
        phrases.append(Phrase(f"Status is {OrderStatus(status).label}", "status", status))
    for name in ("created_after", "created_before", "updated_after", "updated_before"):
        if data.get(name) is not None:
            phrases.append(Phrase(f"{form[name].label} {data[name]}", name))
    for name in MONEY_PARAMETERS:
        if data.get(name) is not None:
            phrases.append(Phrase(f"{form[name].label} {format_money(data[name])}", name))
    for name in ("customer", "referrer"):
        if data.get(name):
            phrases.append(Phrase(_person(name.title(), data[name].strip()), name))
    if data.get("source_id"):
        how = "contains" if data.get("source_id_match") == "contains" else "is"
        phrases.append(Phrase(f"Source ID {how} {data['source_id']}", "source_id"))
    for name in ("has_customer", "has_referrer"):
        if data.get(name) is not None:
            what = name.removeprefix("has_")
            phrases.append(Phrase(f"Has {what}" if data[name] else f"No {what}", name))
    for condition in data.get("meta") or []:
        phrases.append(Phrase(condition.label, "meta", condition.url_value))
    phrases.extend(_condition_phrases(data.get("conditions")))
    if data.get("segment") is not None:
        segment_id = int(data["segment"])
        segment = Segment.objects.filter(pk=segment_id).values_list("name", flat=True).first()
        text = f"Customer in segment {segment}" if segment else f"Segment {segment_id} (deleted)"
        phrases.append(Phrase(text, "segment"))
    return phrases


def _condition_phrases(filters: grammar.Filters | None) -> list[Phrase]:
    """A phrase per condition; conditions joined by ``or`` are one phrase (``Any of: …``),
    since apart they would read as each narrowing the list."""
    if not filters:
        return []
    if filters.junction == "or" and len(filters.conditions) > 1:
        labels = "; ".join(condition.label for condition in filters.conditions)
        return [Phrase(f"Any of: {labels}", CONDITIONS_PARAMETER)]
    return [
        Phrase(condition.label, condition_parameter(condition)) for condition in filters.conditions
    ]


# Removing this parameter removes every ``filters[...]`` parameter (see ``list_url_without``).
CONDITIONS_PARAMETER = "filters"


def condition_parameter(condition: grammar.Condition) -> str:
    """The parameters' common prefix of one condition: removing it removes its values."""
    return f"filters[{condition.field}][conditions][{condition.condition}]"


def sentence(phrases: list[Phrase], sort: str | None = None) -> str:
    """``Status is Paid or Canceled, Amount from $100.00; sorted by Amount, high to low``.

    ``sort`` is added when given and not the default (newest first).
    """
    parts: list[str] = []
    statuses = [p.text.removeprefix("Status is ") for p in phrases if p.parameter == "status"]
    for phrase in phrases:
        if phrase.parameter != "status":
            parts.append(phrase.text)
        elif statuses:  # the first status phrase stands for them all
            parts.append(f"Status is {' or '.join(statuses)}")
            statuses = []
    text = ", ".join(parts) if parts else NO_FILTERS
    if sort and sort != DEFAULT_SORT and sort in SORT_LABELS:
        text += f"; sorted by {SORT_LABELS[sort]}"
    return text


def describe_query(
    query: str | QueryDict, *, with_sort: bool = True, zone: tzinfo | None = None
) -> str:
    """The sentence for an orders list query string (a saved view's, an export's)."""
    if isinstance(query, str):
        query = QueryDict(query.removeprefix("?"))
    filterset = OrderFilter(query, queryset=Order.objects.none(), zone=zone)
    return sentence(describe(filterset), filterset.sort_in_force if with_sort else None)


def _person(role: str, text: str) -> str:
    """``Customer is Ada Lovelace`` when ``text`` is someone's id or source ID, else
    ``Customer matches "ada"`` (the filter also matches names and emails)."""
    person = Customer.objects.filter(Q(pk=text) | Q(source_id=text)).first()
    if person is not None and (person.name or person.email):
        return f"{role} is {person.name or person.email}"
    return f"{role} matches “{text}”"
