"""``docs/filters.md``, written from the filter grammar itself (``orders.grammar``).

The fields, their types, the conditions each type takes and the limits come from the grammar's
tables (``FIELDS``, ``CONDITIONS``, ``matrix()`` …), so the page cannot say something the code
does not do: ``python manage.py filter_table > docs/filters.md`` writes it, and a test fails
when the file and the code part (``tests/orders/test_filter_docs.py``).

What a condition means and what value it takes are words, kept here beside the tables they
describe; a condition the grammar knows and this module does not describe is a ``KeyError``
when the page is written, not a gap in it.
"""

from collections.abc import Iterable

from . import grammar
from .models import OrderStatus

REGENERATE = "python manage.py filter_table > docs/filters.md"

# What each condition selects, as a sentence about the order's value.
MEANINGS = {
    "$in": "is one of the values",
    "$not_in": "is none of the values, or missing",
    "$is": "is the value",
    "$is_not": "is not the value, or missing",
    "$has_value": "is there",
    "$is_unknown": "is missing",
    "$contains": "contains the text (any case)",
    "$not_contain": "does not contain the text (any case), or missing",
    "$starts_with": "starts with the text (any case)",
    "$ends_with": "ends with the text (any case)",
    "$more_than": "is greater than the value",
    "$less_than": "is less than the value",
    "$more_than_equal": "is greater than or equal to the value",
    "$less_than_equal": "is less than or equal to the value",
    "$after": "is on or after the day or instant (inclusive)",
    "$before": "is on or before the day or instant (inclusive)",
    "$is_days_ago": "falls on the day N days before today",
    "$is_days_in_future": "falls on the day N days after today",
    "$more_than_ago": "is earlier than N days before now",
    "$less_than_ago": "is within the last N days (N days before now up to now)",
    "$more_than_future": "is later than N days after now",
    "$less_than_future": "is within the next N days (now up to N days after now)",
    "$count": "(the reference's count of a list's values)",
    "$count_less": "(the reference's count of a list's values)",
    "$count_more": "(the reference's count of a list's values)",
}
_ONE = "one value of the field's type"
_DAYS = f"a whole number of days, 0 to {grammar.MAX_DAYS:,}"
# What value each condition takes.
VALUES = {
    "$in": f"a list of up to {grammar.MAX_VALUES:,} values of the field's type",
    "$not_in": f"a list of up to {grammar.MAX_VALUES:,} values of the field's type",
    "$is": _ONE,
    "$is_not": _ONE,
    "$has_value": "none (a value given is ignored)",
    "$is_unknown": "none (a value given is ignored)",
    "$contains": f"a text of up to {grammar.MAX_TEXT} characters",
    "$not_contain": f"a text of up to {grammar.MAX_TEXT} characters",
    "$starts_with": f"a text of up to {grammar.MAX_TEXT} characters",
    "$ends_with": f"a text of up to {grammar.MAX_TEXT} characters",
    "$more_than": "an amount in minor units, or a number",
    "$less_than": "an amount in minor units, or a number",
    "$more_than_equal": "an amount in minor units, or a number",
    "$less_than_equal": "an amount in minor units, or a number",
    "$after": "a date (`2026-05-31`) or a date-time (`2026-05-31T14:00:00Z`)",
    "$before": "a date (`2026-05-31`) or a date-time (`2026-05-31T14:00:00Z`)",
    "$is_days_ago": _DAYS,
    "$is_days_in_future": _DAYS,
    "$more_than_ago": _DAYS,
    "$less_than_ago": _DAYS,
    "$more_than_future": _DAYS,
    "$less_than_future": _DAYS,
    "$count": "a number",
    "$count_less": "a number",
    "$count_more": "a number",
}
# What one value of a field of each type is.
TYPE_VALUES = {
    "string": "a text; for `status`, one of " + ", ".join(f"`{s}`" for s in OrderStatus),
    "money": "a whole number of minor units (`1050` for 10.50)",
    "number": "a number",
    "date": "a date or a date-time (see `$after`)",
    "boolean": "`true` or `false`",
    "array": "one element's value: the order matches when its list holds it",
    "presence": "none: only whether the key is there",
    "unknown": 'a text (`"7"` also finds the number 7, `"true"` the boolean); a number '
    "for comparisons; a date for `$after`/`$before`",
}


def filters_markdown() -> str:
    """The whole of ``docs/filters.md``."""
    return "\n".join(_page()) + "\n"


def _page() -> Iterable[str]:
    yield "# Order filters: fields, conditions and what fits"
    yield ""
    yield f"_Written from `orders/grammar.py` by `{REGENERATE}`: edit the code, not this page._"
    yield ""
    yield from _introduction()
    yield from _fields()
    yield from _metadata_types()
    yield from _conditions()
    yield from _rules()
    yield from _compatibility()


def _introduction() -> Iterable[str]:
    yield (
        "One grammar (the reference's) selects orders for `GET /v1/orders`, "
        "`GET /v1/orders/stats`, `POST /v1/orders/export`, `POST /v1/exports` and the "
        "dashboard's orders list, so an export from the list and one from the API select the "
        "same orders. It comes in two forms:"
    )
    yield ""
    yield "- JSON, in an export's `parameters.filters`:"
    yield (
        '  `{"junction": "and", "source_id": {"conditions": {"$in": ["shop-1001", '
        '"shop-1002"]}}, "amount": {"conditions": {"$more_than": [5000]}}}`'
    )
    form = " and ".join(f"`{part}`" for part in grammar.FORM.split(" or "))
    yield f"- the query string, in `GET /v1/orders` and the list's URL: {form},"
    yield (
        "  e.g. `filters[source_id][conditions][$in][0]=shop-1001&"
        "filters[source_id][conditions][$in][1]=shop-1002&filters[junction]=and`"
    )
    yield ""
    junctions = " or ".join(f"`{j}`" for j in grammar.JUNCTIONS)
    yield (
        f"`junction` ({junctions}, any case; `and` when absent) joins every condition of "
        "every field: with `and` an order must meet all of them, with `or` any one. A field "
        "may carry several conditions (`$more_than_equal` and `$less_than_equal` make a range)."
    )
    yield ""
    yield (
        "A field, condition or value that does not fit is refused, naming the field, the "
        "condition and the conditions the field takes: 400 `invalid_query_params` on "
        "`GET /v1/orders`, 400 `invalid_payload` on the exports."
    )
    yield ""


def _fields() -> Iterable[str]:
    yield "## Fields"
    yield ""
    yield "| Field | Type | Can be missing |"
    yield "|---|---|---|"
    for name, field in grammar.FIELDS.items():
        missing = "yes" if field.nullable else "no"
        yield f"| `{name}` ({grammar.FIELD_LABELS[name]}) | {field.type} | {missing} |"
    yield "| `metadata.<key>` | by the order metadata schema (below) | yes |"
    yield ""
    yield "| Type | Is | A value is |"
    yield "|---|---|---|"
    for kind in grammar.CONDITIONS:
        yield f"| {kind} | {grammar.TYPE_WORDS[kind]} | {TYPE_VALUES[kind]} |"
    yield ""


def _metadata_types() -> Iterable[str]:
    yield "## Metadata keys"
    yield ""
    yield (
        "A `metadata.<key>` field takes its type from the key's property in the order "
        "metadata schema; a key the schema does not define is `unknown`."
    )
    yield ""
    yield "| Key | Type |"
    yield "|---|---|"
    rows = dict.fromkeys((field, kind) for field, kind, _, _ in grammar.matrix())
    for field, kind in rows:
        if field.startswith(grammar.META_PREFIX):
            yield f"| `{field}` | {kind} |"
    yield ""


def _conditions() -> Iterable[str]:
    yield "## Conditions"
    yield ""
    taken = {condition for _, _, condition, supported in grammar.matrix() if supported}
    yield "| Condition | Matches an order whose value … | Value | Shown as |"
    yield "|---|---|---|---|"
    for condition in grammar.REFERENCE_CONDITIONS:
        meaning = MEANINGS[condition]
        if condition not in taken:
            meaning += "; no field takes it"
        shown = grammar.CONDITION_WORDS[condition].replace("{days}", "N")
        yield f"| `{condition}` | {meaning} | {VALUES[condition]} | {shown} |"
    yield ""


def _rules() -> Iterable[str]:
    yield "## Rules"
    yield ""
    yield (
        "- **Missing values.** `$not_in`, `$is_not` and `$not_contain` include orders where "
        "the value is missing (no customer, no source ID, no such metadata key); the other "
        "conditions never match a missing value. On a field every order has, `$has_value` "
        "matches every order and `$is_unknown` none."
    )
    yield (
        "- **Dates.** `$after` and `$before` include what they name: a date is a whole day "
        "(`$before 2026-05-31` takes all of 31 May), a date-time an instant. Days are UTC "
        "days in the API and its exports (the signed-in user's days on the dashboard); a "
        "date-time without an offset is read in the same zone (the JSON form asks for the "
        "offset)."
    )
    yield (
        "- **Relative days** count from when the orders are read (an export's, when it runs): "
        "`$is_days_ago 3` is the whole day three days before today, `$less_than_ago 7` the "
        "last seven days up to now, `$more_than_ago 30` anything before that."
    )
    yield (
        "- **Text** conditions (`$contains`, `$starts_with`, …) ignore case; `$in` and `$is` "
        "are exact."
    )
    yield (
        "- **Metadata** compares typed values: a comparison (`$more_than` …) takes only "
        "numbers, `$after`/`$before` only texts holding a date, so a text never counts as "
        '"less than 5". Dates compare as the schema stores them: a date `2026-05-31` as its '
        "whole day, a date-time `2026-05-31T14:00:00.000Z` as its instant. On a key the "
        "schema does not define, a date-time written with another offset than `Z` compares "
        "as text (a date or datetime property stores every value it is given in these forms)."
    )
    yield ""


def _compatibility() -> Iterable[str]:
    rows: dict[tuple[str, str], set[str]] = {}
    for field, kind, condition, supported in grammar.matrix():
        taken = rows.setdefault((field, kind), set())
        if supported:
            taken.add(condition)
    conditions = grammar.REFERENCE_CONDITIONS
    yield "## Compatibility"
    yield ""
    yield "Which field takes which condition (✓ taken, · refused with a 400)."
    yield ""
    yield "| Field | Type | " + " | ".join(f"`{c}`" for c in conditions) + " |"
    yield "|---|---|" + "---|" * len(conditions)
    for (field, kind), taken in rows.items():
        marks = " | ".join("✓" if c in taken else "·" for c in conditions)
        yield f"| `{field}` | {kind} | {marks} |"
