"""Customers: the list with search, segment and range filters, sorts and pages."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.template.response import TemplateResponse
from django.urls import reverse

from core.htmx import HtmxHttpRequest
from core.lists import PAGE_SIZES, page_state, url_with
from core.views import DashboardView

from ..filters import DEFAULT_SORT, SORTS, CustomerFilter, describe_filters
from ..models import Segment
from ..selectors import LIST_FIELDS, customer_page, customers_visible_to

# The filters with a message area in the panel; a change in the form updates these areas.
ERROR_FIELDS = (
    "spent_min",
    "spent_max",
    "orders_min",
    "orders_max",
    "last_order_after",
    "last_order_before",
)
# The table's columns: (sort key, heading, CSS class).
COLUMNS = (
    ("name", "Name", ""),
    ("email", "Email", ""),
    ("source_id", "Source ID", ""),
    ("orders_total_count", "Orders", "num"),
    ("orders_total_amount", "Total spent", "num"),
    ("orders_last_order_date", "Last order", ""),
)


def page_params(query: QueryDict, request: HtmxHttpRequest | None = None) -> tuple[int, int]:
    """The page number and size asked for (``core.lists.page_state``), with a message when
    the page number could not be read and ``request`` is given."""
    state = page_state(query, noun="customer")
    # Not on an htmx fragment, which has no messages area: the message would wait in the
    # session and show on some later page.
    if state.page_problem and request is not None and not request.htmx:
        messages.warning(request, state.page_problem)
    return state.number, state.per_page


class CustomerListView(DashboardView):
    """Customers with their purchase summary; the results fragment for htmx."""

    permission_required = "customers.view_customer"
    template_name = "customers/customer_list.html"
    nav = "customers"
    title = "Customers"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        query = request.GET
        base = reverse("customers:list")
        filterset = CustomerFilter(query, queryset=customers_visible_to(request.user))
        number, per_page = page_params(query, self.request)
        page = customer_page(
            filterset.qs.only(*LIST_FIELDS),
            number=number,
            per_page=per_page,
            estimable=filterset.estimable,
        )
        sort = filterset.sort_in_force
        context = self.get_context_data(
            form=filterset.form,
            page=page,
            sort=sort,
            columns=[
                (field, label, css, *self._sort_link(base, query, sort, field))
                for field, label, css in COLUMNS
            ],
            segments=Segment.objects.only("pk", "name"),
            previous_url=url_with(base, query, page=str(number - 1)) if page.has_previous else None,
            next_url=url_with(base, query, page=str(number + 1)) if page.has_next else None,
            page_sizes=[(size, url_with(base, query, per_page=str(size))) for size in PAGE_SIZES],
            filtered=any(v for k, v in query.items() if k not in ("page", "per_page", "sort")),
            chips=[
                (phrase, url_with(base, query, **{name: None}))
                for phrase, name in describe_filters(filterset)
            ],
            error_fields=[filterset.form[name] for name in ERROR_FIELDS],
            clear_url=base,
            # Row links are built from this prefix: one reverse() per page, not per row.
            customers_url=base,
        )
        # htmx asks for the whole page when it restores one missing from its history cache.
        if self.request.htmx and not self.request.htmx.history_restore_request:
            # A change in the filter form (its target is #results) gets the results and the
            # panel's messages; a link gets the whole page, panel included.
            part = "update" if self.request.htmx.target == "results" else "page"
            return TemplateResponse(request, f"{self.template_name}#{part}", context)
        return self.render_to_response(context)

    def _sort_link(self, base: str, query: QueryDict, sort: str, field: str) -> tuple[str, str]:
        """The column heading's link (toggling direction) and the arrow in force."""
        assert field in SORTS
        if sort.lstrip("-") == field:
            target = field if sort.startswith("-") else f"-{field}"
            arrow = "↓" if sort.startswith("-") else "↑"
        else:
            target, arrow = f"-{field}", ""
        return url_with(base, query, sort=None if target == DEFAULT_SORT else target), arrow
