"""Admin helpers for tables that grow to millions of rows (orders, their items and events).

Django's changelist runs ``SELECT COUNT(*)`` on every page to size its paginator; on a
PostgreSQL table of a million orders that is a sequential scan each time someone opens the
list. ``EstimatedCountPaginator`` asks the planner how many rows there are instead, and
``LargeTableAdminMixin`` switches off the changelist's other counting features.
"""

from django.contrib import admin
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.functional import cached_property

from core.counts import planner_row_estimate
from core.lists import EXACT_COUNT_LIMIT


class EstimatedCountPaginator(Paginator):
    """A paginator that trusts the planner's estimate instead of ``COUNT(*)`` on big tables.

    Above ``estimate_threshold`` rows the count (and so the number of pages) is approximate:
    the last page links may be off by a little, which nobody paging through a million orders
    notices. Below it the count is exact. The threshold is the list framework's
    ``EXACT_COUNT_LIMIT``; Django's changelist needs a number of pages, so this is a
    ``Paginator`` rather than ``core.lists.paginate``'s count-or-bound page.
    """

    estimate_threshold: int = EXACT_COUNT_LIMIT

    @cached_property
    def count(self) -> int:
        if isinstance(self.object_list, QuerySet):
            estimate = planner_row_estimate(self.object_list)
            if estimate > self.estimate_threshold:
                return estimate
        return super().count


class LargeTableAdminMixin:
    """ModelAdmin settings for a table with millions of rows: no exact counts, no facets.

    Put it before ``admin.ModelAdmin`` in the bases.
    """

    paginator: type[Paginator] = EstimatedCountPaginator
    # The "(N total)" link next to the search box is a second, unfiltered COUNT(*).
    show_full_result_count = False
    # Facets count every filter choice with one more query over the whole table.
    show_facets = admin.ShowFacets.NEVER


class ExactSearchMixin:
    """Search by whole, indexed values (ids, source IDs) instead of ``icontains``.

    Django's search runs ``UPPER(column) LIKE '%term%'``, which no B-tree index serves; on a
    big table every search would scan it. Operators search these tables by identifiers they
    copy from elsewhere, so an exact match on the fields in ``exact_search_fields`` is both
    what they want and answered from an index.
    """

    exact_search_fields: tuple[str, ...] = ("pk",)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        term = search_term.strip()
        if not term:
            return queryset, False
        return queryset.filter(self.exact_search_q(term)), False

    def exact_search_q(self, term: str) -> Q:
        """The filter for one search term; extend it to add lookups (see ``OrderAdmin``)."""
        match = Q()
        for name in self.exact_search_fields:
            match |= Q(**{name: term})
        return match
