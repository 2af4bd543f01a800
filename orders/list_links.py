"""The orders list's links and chips: the canonical URL of a filter, a chip per filter in force
with its removal link, the quick date ranges, and the plain-form metadata rows folded into
``meta=``. The list page and the export form (``exports.views``) both build them from here.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote_plus, urlencode

from django.conf import settings
from django.http import QueryDict
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone

from core.lists import changed_query

from . import grammar
from .filter_descriptions import CONDITIONS_PARAMETER, describe
from .filters import OrderFilter
from .saved_views import by_number, canonical_pairs, canonical_query, kept

# The plain-form spelling of metadata conditions (three inputs a row), folded into
# ``meta=key:op:value`` before anything reads the query.
META_PARTS = ("meta_key", "meta_op", "meta_value")


@dataclass(frozen=True)
class Chip:
    """An active filter, shown as a removable chip."""

    label: str
    remove_url: str


def fold_meta_rows(query: QueryDict) -> tuple[QueryDict, bool]:
    """Turn ``meta_key/meta_op/meta_value`` rows into ``meta=key:op:value`` values.

    Returns the new query and whether anything was folded (the URL then needs rewriting).
    """
    if not any(part in query for part in META_PARTS):
        return query, False
    folded = query.copy()
    keys, ops, values = (folded.pop(part, []) for part in META_PARTS)
    for key, op, value in zip(keys, ops, values, strict=False):
        if key.strip():
            folded.appendlist("meta", f"{key.strip()}:{op}:{value.strip()}")
    return folded, True


LIST_PATHS: dict[tuple[str, object, object], str] = {}


def list_path() -> str:
    """``reverse("orders:list")``, once per script prefix and URLconf: a page builds some
    twenty links to itself, and each ``reverse`` costs as much as building the link."""
    key = (get_script_prefix(), settings.ROOT_URLCONF, get_urlconf())
    path = LIST_PATHS.get(key)
    if path is None:
        path = LIST_PATHS[key] = reverse("orders:list")
    return path


def list_url(query: QueryDict) -> str:
    """The list's URL for ``query``: its canonical filters, then the page past the first."""
    text = canonical_query(query)
    page = query.get("page", "").strip()
    if page and page != "1":
        text = "&".join(filter(None, [text, urlencode({"page": page})]))
    return list_path() + (f"?{text}" if text else "")


def list_url_maker(base: QueryDict, varying: tuple[str, ...]) -> Callable[..., str]:
    """``list_url`` of ``base`` with the parameters named ``varying`` set by keyword (``None``
    or blank leaves one out), for building hundreds of links at once (the insights chart's
    bars): the rest of ``base`` is put in canonical form and encoded once, not per link."""
    fixed = base.copy()
    for name in (*varying, "page"):
        fixed.pop(name, None)
    written = [(by_number(name), _encoded(name, value)) for name, value in canonical_pairs(fixed)]
    path = list_path()

    def make(**params: str | None) -> str:
        assert set(params) <= set(varying), params
        added = [
            (by_number(name), _encoded(name, value))
            for name, value in params.items()
            if value is not None and kept(name, value)
        ]
        # Parameter names sorted as canonical_query sorts them; the sort is stable, so a
        # repeated parameter keeps its values' order.
        text = "&".join(part for _, part in sorted([*written, *added], key=lambda pair: pair[0]))
        return path + (f"?{text}" if text else "")

    return make


def _encoded(name: str, value: str) -> str:
    """``urlencode([(name, value)], safe=":")``, without its checks of each argument."""
    return f"{quote_plus(name, safe=':')}={quote_plus(value, safe=':')}"


def list_url_without(query: QueryDict, name: str, value: str | None = None) -> str:
    remaining = query.copy()
    remaining.pop("page", None)
    if name == CONDITIONS_PARAMETER or name.startswith(grammar.PARAMETER_PREFIX):
        # A condition's values (``name[0]``, ``name[1]`` …), or every condition; the
        # junction goes with the last condition.
        prefix = name + "[" if name != CONDITIONS_PARAMETER else grammar.PARAMETER_PREFIX
        for key in [key for key in remaining if key == name or key.startswith(prefix)]:
            remaining.pop(key)
        if not any(
            key.startswith(grammar.PARAMETER_PREFIX) and key != "filters[junction]"
            for key in remaining
        ):
            remaining.pop("filters[junction]", None)
    elif value is None:
        remaining.pop(name, None)
    else:
        remaining.setlist(name, [v for v in remaining.getlist(name) if v != value])
    return list_url(remaining)


def list_url_with(query: QueryDict, **params: str | None) -> str:
    return list_url(changed_query(query, **params))


def active_chips(filterset: OrderFilter, query: QueryDict) -> list[Chip]:
    """A chip for every filter in force (valid ones only), each with its removal link."""
    return [
        Chip(phrase.text, list_url_without(query, phrase.parameter, phrase.value))
        for phrase in describe(filterset)
    ]


def quick_ranges(query: QueryDict) -> list[tuple[str, str]]:
    """Links for Today, Last 7 days, Last 30 days and This month (created; days of the
    current time zone, as the date filters read them)."""
    today = timezone.localdate()
    starts = [
        ("Today", today),
        ("Last 7 days", today - timedelta(days=6)),
        ("Last 30 days", today - timedelta(days=29)),
        ("This month", today.replace(day=1)),
    ]
    return [
        (label, list_url_with(query, created_after=start.isoformat(), created_before=None))
        for label, start in starts
    ]
