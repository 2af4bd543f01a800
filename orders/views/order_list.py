"""Campaign hub › Orders: the list page, its filters, sorts, chips and pages.

The URL holds the whole state. With htmx the page asks for just the results fragment as
filters change, and pushes the canonical URL so the view can be bookmarked and reloaded.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.template.response import TemplateResponse
from django.urls import reverse
from django_htmx.http import push_url

from core.lists import PAGE_SIZES, page_state
from core.views import DashboardView
from metadata.conditions import OPERATORS, OPERATORS_BY_TYPE, order_schema_keys

from ..condition_rows import (
    CONDITION_OPTIONS,
    JUNCTION,
    condition_lines,
    field_options,
    fold_condition_rows,
)
from ..filters import DEFAULT_SORT, SORT_CHOICES, SORTS, OrderFilter
from ..list_links import (
    Chip,
    active_chips,
    fold_meta_rows,
    list_path,
    list_url,
    list_url_with,
    list_url_without,
    quick_ranges,
)
from ..models import OrderStatus
from ..saved_views import canonical_query, saved_views_for
from ..selectors import order_list_page, orders_visible_to

DATE_PARAMS = ("created_after", "created_before", "updated_after", "updated_before")
MONEY_RANGES = (
    ("Amount", "amount_min", "amount_max"),
    ("Discounted amount", "total_min", "total_max"),
    ("Discount", "discount_min", "discount_max"),
)
MONEY_PARAMS = tuple(name for _, low, high in MONEY_RANGES for name in (low, high))
PRESENCE = (("has_customer", "customer"), ("has_referrer", "referrer"))
# The filters with a message area in the panel; a change in the form updates these areas.
ERROR_FIELDS = (
    "status",
    *DATE_PARAMS,
    *MONEY_PARAMS,
    "has_customer",
    "has_referrer",
    "meta",
    "conditions",
)
# The table's columns: (sort key or "", heading, CSS class).
COLUMNS = (
    ("status", "Status", ""),
    ("", "ID", ""),
    ("", "Customer", ""),
    ("", "Items", "num"),
    ("amount", "Amount", "num"),
    ("total_amount", "Discounted amount", "num"),
    ("created_at", "Created", ""),
)


class OrderListView(DashboardView):
    """Campaign hub › Orders: filters, sorts, pages; the results fragment for htmx."""

    permission_required = "orders.view_order"
    template_name = "orders/order_list.html"
    nav = "orders"
    title = "Orders"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        query, meta_folded = fold_meta_rows(request.GET)
        query, conditions_folded = fold_condition_rows(query)
        folded = meta_folded or conditions_folded
        # htmx asks for the whole page when it restores one missing from its history cache.
        fragment = self.request.htmx and not self.request.htmx.history_restore_request
        if folded and not fragment:
            return HttpResponseRedirect(list_url(query))
        filterset = OrderFilter(query, queryset=orders_visible_to(request.user))
        state = page_state(query, noun="order")
        number, per_page = state.number, state.per_page
        page = order_list_page(
            filterset.qs,
            number=number,
            per_page=per_page,
            estimable=filterset.estimable,
            text_search=filterset.searches_text,
            source_id_pattern=filterset.matches_source_id_pattern,
        )
        sort = filterset.sort_in_force
        schema_keys = self._schema_keys(filterset)
        context = self.get_context_data(
            filterset=filterset,
            form=filterset.form,
            page=page,
            sort=sort,
            chips=active_chips(filterset, query),
            page_problems=state.problems,
            quick_ranges=quick_ranges(query),
            page_sizes=[(size, list_url_with(query, per_page=str(size))) for size in PAGE_SIZES],
            previous_url=list_url_with(query, page=str(number - 1)) if page.has_previous else None,
            next_url=list_url_with(query, page=str(number + 1)) if page.has_next else None,
            first_url=list_url_with(query, page=None),
            clear_url=list_path(),
            current_query=canonical_query(query),
            saved_views=saved_views_for(request.user),
            meta_properties=self._meta_properties(schema_keys),
            meta_rows=self._meta_rows(filterset, query),
            operators=OPERATORS,
            # The panel's choices, worked out here: through the template engine (BoundFields,
            # filters, nested look-ups) the panel cost more than the table.
            status_boxes=self._status_boxes(filterset),
            money_ranges=self._money_ranges(filterset),
            date_boxes={name: self._date_box(filterset, name) for name in DATE_PARAMS},
            error_fields=[filterset.form[name] for name in ERROR_FIELDS],
            meta_added=meta_folded and any(key.strip() for key in request.GET.getlist("meta_key")),
            condition_lines=condition_lines(filterset, query),
            field_options=field_options(schema_keys),
            condition_options=CONDITION_OPTIONS,
            junction=query.get(JUNCTION, "and").strip().lower(),
            condition_added=conditions_folded
            and any(field.strip() for field in request.GET.getlist("cond_field")),
            presence=[(name, what, query.get(name, "")) for name, what in PRESENCE],
            headers=self._headers(query, sort),
            sort_options=[(value, label, value == sort) for value, label in SORT_CHOICES],
            # Row links are built from these prefixes: one reverse() per page, not per row.
            orders_url=list_path(),
            customers_url=reverse("customers:list"),
        )
        if fragment:
            # A change in the filter form (its target is #results) gets the results and the
            # panel's messages; a link gets the whole page, panel included.
            part = "update" if self.request.htmx.target == "results" else "page"
            response = TemplateResponse(request, f"{self.template_name}#{part}", context)
            return push_url(response, list_url(query))
        return self.render_to_response(context)

    def _headers(self, query: QueryDict, sort: str) -> list[dict[str, str]]:
        """The table's column headings; sortable ones link to their sort (see _sort_links)."""
        links = self._sort_links(query, sort)
        headers = []
        for field, label, css in COLUMNS:
            link = links.get(field) if field else None
            header = {"label": label, "css": css, "url": "", "arrow": "", "aria_sort": ""}
            if link:
                arrow = link["arrow"]
                aria = {"↑": "ascending", "↓": "descending"}.get(arrow, "none")
                header.update(url=link["url"], arrow=arrow, aria_sort=aria)
            headers.append(header)
        return headers

    @staticmethod
    def _status_boxes(filterset: OrderFilter) -> list[tuple[str, str, bool]]:
        chosen = filterset.form["status"].value() or []
        return [(value, label, value in chosen) for value, label in OrderStatus.choices]

    @staticmethod
    def _money_ranges(filterset: OrderFilter) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
        def box(name: str) -> dict[str, Any]:
            field = filterset.form[name]
            value = field.value() or ""  # as ``|default:''`` gave
            return {"name": name, "label": field.label, "value": value, "field": field}

        return [(label, box(low), box(high)) for label, low, high in MONEY_RANGES]

    @staticmethod
    def _date_box(filterset: OrderFilter, name: str) -> dict[str, Any]:
        field = filterset.form[name]
        value = field.value() or ""
        return {"name": name, "label": field.label, "value": value, "field": field}

    def _sort_links(self, query: QueryDict, sort: str) -> dict[str, dict[str, str]]:
        """For each sortable column: its URL (toggling direction) and the arrow in force."""
        links = {}
        for field in SORTS:
            if sort.lstrip("-") == field:
                target = field if sort.startswith("-") else f"-{field}"
                arrow = "↓" if sort.startswith("-") else "↑"
            else:
                target, arrow = f"-{field}", ""
            value = None if target == DEFAULT_SORT else target
            links[field] = {"url": list_url_with(query, sort=value), "arrow": arrow}
        return links

    def _meta_rows(self, filterset: OrderFilter, query: QueryDict) -> list[tuple[str, Chip]]:
        """The metadata conditions of the URL, each with its readable label and removal link
        (an unreadable one is listed too, so it can be removed)."""
        labels = {c.url_value: c.label for c in filterset.form.cleaned_data.get("meta") or []}
        return [
            (text, Chip(labels.get(text, text), list_url_without(query, "meta", text)))
            for text in query.getlist("meta")
            if text.strip()
        ]

    @staticmethod
    def _schema_keys(filterset: OrderFilter) -> list[tuple[str, str, bool]]:
        """``(name, type, array)`` of the metadata keys the panel offers: the schema this
        request read to parse its conditions, else the remembered keys (``order_schema_keys``)."""
        if "schema_properties" in filterset.__dict__:  # read already (cached_property)
            properties = sorted(filterset.schema_properties.items())
            return [(name, p.type, p.array) for name, p in properties]
        return order_schema_keys()

    @staticmethod
    def _meta_properties(keys: list[tuple[str, str, bool]]) -> list[dict[str, Any]]:
        """The metadata keys the Metadata fieldset suggests, with the operators they take."""
        return [
            {"name": name, "type": kind, "operators": OPERATORS_BY_TYPE[kind]}
            for name, kind, _ in keys
        ]
