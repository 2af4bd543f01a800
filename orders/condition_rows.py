"""The filter panel's Conditions fieldset: the reference's conditions (``orders.grammar``) in
force, a line each with its removal link, and the builder row that adds one.

The builder is a plain form row: ``cond_field`` (an order field or ``metadata.<key>``),
``cond_op`` (``$more_than``), ``cond_value`` and, for a metadata key the schema does not
define, ``cond_key``. Before anything reads the query the row is folded into the grammar's
query-string form, ``filters[<field>][conditions][<$condition>][<next index>]``, as metadata
rows are folded into ``meta=`` (``list_links.fold_meta_rows``), and the list's URL is rewritten.

Whether a condition fits its field is the grammar's to say: the panel's script offers only the
conditions that fit the chosen field, and a misfit sent without it is folded like any other
and refused on the fieldset with the grammar's message (its line can then be removed).
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import zip_longest

from django.core.exceptions import ValidationError
from django.http import QueryDict

from core.money import parse_money
from metadata.models import MetadataProperty

from . import grammar
from .filters import OrderFilter
from .list_links import list_url_without

CONDITION_PARTS = ("cond_field", "cond_op", "cond_value", "cond_key")
# The field select's choice for a metadata key the schema does not define (typed in cond_key).
OTHER_KEY = "metadata.*"
JUNCTION = "filters[junction]"
# Conditions whose value may be several, typed comma-separated.
LIST_CONDITIONS = ("$in", "$not_in")
VALUELESS = grammar.CONDITIONS["presence"]


def fold_condition_rows(query: QueryDict) -> tuple[QueryDict, bool]:
    """Turn ``cond_field/cond_op/cond_value/cond_key`` rows into ``filters[...]`` parameters.

    Returns the new query and whether there was a row (the URL then needs rewriting). A row
    without a field adds nothing; one with a field adds its condition at the next free index,
    even without a value, so that the grammar says what it needs rather than nothing happening.
    """
    if not any(part in query for part in CONDITION_PARTS):
        return query, False
    folded = query.copy()
    rows = zip_longest(*(folded.pop(part, []) for part in CONDITION_PARTS), fillvalue="")
    for chosen, condition, text, key in rows:
        field = _field(chosen.strip(), key.strip())
        condition = condition.strip()
        if not field or not condition:
            continue
        prefix = f"filters[{field}][conditions][{condition}]"
        start = next_index(folded, prefix)
        for offset, value in enumerate(_values(field, condition, text)):
            folded.appendlist(f"{prefix}[{start + offset}]", value)
    return folded, True


def without_condition_row(query: QueryDict) -> QueryDict:
    """``query`` without the builder row: a condition is in force once added, not while typed."""
    if not any(part in query for part in CONDITION_PARTS):
        return query
    remaining = query.copy()
    for part in CONDITION_PARTS:
        remaining.pop(part, None)
    return remaining


def _field(chosen: str, key: str) -> str:
    """The grammar's field name: the chosen field, or ``metadata.<key>`` for a typed key (also
    when no field was chosen, as a page without the script shows the key's input beside it)."""
    if chosen == OTHER_KEY or (not chosen and key):
        return f"{grammar.META_PREFIX}{key}"
    return chosen


def _values(field: str, condition: str, text: str) -> list[str]:
    """The values to add: none (a blank one) for ``$has_value``/``$is_unknown``, each of a
    comma-separated list for ``$in``/``$not_in``; amounts of money as the panel's Amounts
    read them (``12.50`` → ``1250``, the grammar's minor units)."""
    if condition in VALUELESS:
        return [""]
    items = text.split(",") if condition in LIST_CONDITIONS else [text]
    values = [item.strip() for item in items if item.strip()] or [""]
    known = grammar.FIELDS.get(field)
    if known is not None and known.type == "money" and condition in grammar.CONDITIONS["money"]:
        values = [_minor_units(value) for value in values]
    return values


def _minor_units(text: str) -> str:
    """An amount typed in the currency (``12.50``) as minor units; anything unreadable as
    typed, for the grammar to refuse with its message."""
    if not text:
        return text
    try:
        return str(parse_money(text))
    except ValidationError:
        return text


def next_index(query: QueryDict, prefix: str) -> int:
    """The first index after the values ``query`` already gives the condition ``prefix``."""
    last = -1
    for name in query:
        if name == prefix:  # values without an index count from 0
            last = max(last, len(query.getlist(name)) - 1)
        elif name.startswith(f"{prefix}[") and name.endswith("]"):
            index = name[len(prefix) + 1 : -1]
            if index.isdigit():
                last = max(last, int(index))
    return last + 1


@dataclass(frozen=True)
class ConditionLine:
    """A condition in force: its words, its removal link and the parameters that carry it."""

    label: str
    remove_url: str
    parameters: tuple[tuple[str, str], ...]


_CONDITION_NAME = re.compile(r"(filters\[([^\[\]]*)\]\[conditions\]\[([^\[\]]*)\])(?:\[\d*\])?")


def condition_lines(filterset: OrderFilter, query: QueryDict) -> list[ConditionLine]:
    """A line per condition of the URL (per ``filters[<field>][conditions][<$condition>]``),
    in the URL's order. Unreadable ones are listed too, as written, so they can be removed."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for name in query:
        if not name.startswith(grammar.PARAMETER_PREFIX) or name == JUNCTION:
            continue
        match = _CONDITION_NAME.fullmatch(name)
        prefix = match.group(1) if match else name
        groups.setdefault(prefix, []).extend((name, value) for value in query.getlist(name))
    if not groups:
        return []
    properties = filterset.schema_properties
    return [
        ConditionLine(
            _label(prefix, parameters, properties),
            list_url_without(query, prefix),
            tuple(parameters),
        )
        for prefix, parameters in groups.items()
    ]


def _label(
    prefix: str, parameters: list[tuple[str, str]], properties: dict[str, MetadataProperty]
) -> str:
    """``Amount > $10.00`` for a condition that reads; as written (``amount $contains 12``,
    the grammar's message names it so) for one that does not."""
    lists: dict[str, list[str]] = {}
    for name, value in parameters:
        lists.setdefault(name, []).append(value)
    try:
        parsed = grammar.parse(grammar.from_query(lists), properties)
    except ValidationError:
        parsed = grammar.NO_FILTERS
    if len(parsed.conditions) == 1:
        return parsed.conditions[0].label
    values = ", ".join(value for _, value in parameters if value)
    match = _CONDITION_NAME.fullmatch(prefix)
    written = f"{match.group(2)} {match.group(3)}" if match else prefix
    return f"{written} {values}".strip()


# -- the builder's choices ---------------------------------------------------------------------


@dataclass(frozen=True)
class FieldOption:
    """A field the builder offers: the grammar's name, its words and its grammar type."""

    value: str
    label: str
    type: str


def field_options(schema_keys: Iterable[tuple[str, str, bool]]) -> dict[str, list[FieldOption]]:
    """The builder's fields, by group: the order's own (as the chips name them), then the
    metadata schema's properties (``(name, type, array)``) and any other key."""
    order = [
        FieldOption(name, grammar.FIELD_LABELS[name], field.type)
        for name, field in grammar.FIELDS.items()
    ]
    metadata = [
        FieldOption(f"{grammar.META_PREFIX}{name}", name, grammar.schema_field_type(kind, array))
        for name, kind, array in schema_keys
    ]
    metadata.append(FieldOption(OTHER_KEY, "Another key…", "unknown"))
    return {"Order": order, "Metadata": metadata}


@dataclass(frozen=True)
class ConditionOption:
    """A condition the builder offers, with the field types it fits (space-separated, read by
    static/js/conditions.js to hide the others)."""

    value: str
    label: str
    types: str


# The builder's order: equality first, then text, comparisons, dates, presence.
_OPTION_ORDER = (
    "$is", "$is_not", "$in", "$not_in", "$contains", "$not_contain", "$starts_with",
    "$ends_with", "$more_than", "$more_than_equal", "$less_than", "$less_than_equal",
    "$after", "$before", "$less_than_ago", "$more_than_ago", "$is_days_ago",
    "$less_than_future", "$more_than_future", "$is_days_in_future", "$has_value", "$is_unknown",
)  # fmt: skip
# Words for a menu where the chips' symbols (>, ≥) or day counts would read oddly.
_OPTION_WORDS = {
    "$in": "is one of (a, b, …)",
    "$not_in": "is none of (a, b, …)",
    "$more_than": "more than",
    "$less_than": "less than",
    "$more_than_equal": "at least",
    "$less_than_equal": "at most",
    "$is_days_ago": "exactly N days ago",
    "$is_days_in_future": "in exactly N days",
}


def _condition_options() -> list[ConditionOption]:
    options = []
    for condition in _OPTION_ORDER:
        types = [kind for kind, taken in grammar.CONDITIONS.items() if condition in taken]
        words = _OPTION_WORDS.get(condition) or grammar.CONDITION_WORDS[condition]
        options.append(ConditionOption(condition, words.format(days="N"), " ".join(types)))
    return options


CONDITION_OPTIONS = _condition_options()
