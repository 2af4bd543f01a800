"""Exports in the dashboard: the Export dialog, Audit log › Exports, downloads, and the
Notifications Center (with the header's bell)."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.auth import signed_in
from core.jobs import QueueUnavailable
from core.views import DashboardView
from orders.condition_rows import without_condition_row
from orders.filters import OrderFilter
from orders.list_links import active_chips, fold_meta_rows
from orders.reference_filters import list_filters
from orders.saved_views import canonical_query
from orders.selectors import order_page, orders_visible_to

from .csv_format import DEFAULT_FIELDS
from .downloads import MISSING_FILE, ExportFileMissing, export_file_response
from .models import Export
from .selectors import export_field_choices, exports_visible_to, notifications_of
from .services import DEFAULT_ORDER, EXPORT_ORDERS, mark_read, schedule_export

EXPORT_LIST_LIMIT = 50
NOTIFICATION_LIST_LIMIT = 100
# The bell's panel shows the newest few; the Notifications Center shows the rest.
NOTIFICATION_PANEL_LIMIT = 8
ORDER_LABELS = {
    "-created_at": "Created, newest first",
    "created_at": "Created, oldest first",
    "-updated_at": "Updated, most recent first",
    "updated_at": "Updated, least recent first",
    "-status": "Status, Z to A",
    "status": "Status, A to Z",
}


class ExportCreateView(DashboardView):
    """The Export dialog: the list's filters and sort carried over, fields to choose and
    order; POST schedules the export and goes back to the list."""

    permission_required = "orders.export_order"
    template_name = "exports/export_form.html"
    nav = "orders"
    title = "Export orders"

    def _list_query(self, request: HttpRequest) -> QueryDict:
        text = request.POST.get("query", "") if request.method == "POST" else ""
        query = QueryDict(text) if request.method == "POST" else request.GET
        # The panel's conditions builder is sent along (hx-include) but, like the list, the
        # export takes a condition once it is added, not while it is being typed.
        return without_condition_row(fold_meta_rows(query)[0])

    def _context(self, request: HttpRequest, query: QueryDict, **extra: Any) -> dict[str, Any]:
        filterset = OrderFilter(query, queryset=orders_visible_to(request.user))
        page = order_page(filterset.qs, number=1, per_page=1, estimable=filterset.estimable)
        list_sort = filterset.sort_in_force
        chosen = extra.pop("chosen", None) or list(DEFAULT_FIELDS)
        choices = export_field_choices()
        fields = [(name, True) for name in chosen if name in choices] + [
            (name, False) for name in choices if name not in chosen
        ]
        return self.get_context_data(
            count_label=page.count_label,
            chips=active_chips(filterset, query),
            fields=fields,
            orders=list(ORDER_LABELS.items()),
            order=extra.pop("order", None)
            or (list_sort if list_sort in EXPORT_ORDERS else DEFAULT_ORDER),
            list_sort=list_sort,
            query=canonical_query(query),
            **extra,
        )

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        context = self._context(request, self._list_query(request))
        if self.request.htmx:
            return TemplateResponse(request, f"{self.template_name}#dialog", context)
        return self.render_to_response(context)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        query = self._list_query(request)
        fields = request.POST.getlist("fields")
        order = request.POST.get("order") or DEFAULT_ORDER
        try:
            export = schedule_export(
                signed_in(request),
                Export.Channel.WEBSITE,
                fields=fields,
                filters=list_filters(query),
                order=order,
                time_zone=timezone.get_current_timezone_name(),
            )
        except ValidationError as error:
            context = self._context(
                request, query, chosen=fields, order=order, errors=error.messages
            )
            return self.render_to_response(context, status=400)
        except QueueUnavailable as error:
            messages.warning(
                request,
                f"{error} The file will arrive in the Notifications Center.",
            )
        else:
            messages.success(
                request,
                f"Export {export.pk} is scheduled. "
                "The file will arrive in the Notifications Center.",
            )
        list_query = canonical_query(query)
        return redirect("/orders/" + (f"?{list_query}" if list_query else ""))


class ExportListView(DashboardView):
    """Audit log › Exports: the exports the user may see, newest first."""

    permission_required = "orders.export_order"
    template_name = "exports/export_list.html"
    nav = "exports"
    title = "Exports"

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        exports = exports_visible_to(self.request.user).select_related("user")
        return super().get_context_data(exports=exports[:EXPORT_LIST_LIMIT], **kwargs)


class ExportDetailView(DashboardView):
    """One export job: who, when, parameters, state and progress, and its file."""

    permission_required = "orders.export_order"
    template_name = "exports/export_detail.html"
    nav = "exports"

    def get_export(self) -> Export:
        return get_object_or_404(
            exports_visible_to(self.request.user).select_related("user"),
            pk=self.kwargs["export_id"],
        )

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        export = self.get_export()
        return super().get_context_data(export=export, title=export.id, **kwargs)


def download_export(request: HttpRequest, export_id: str) -> HttpResponseBase:
    """The export's CSV as ``orders-<id>.csv``: for its owner and holders of
    ``exports.view_all_exports`` only; 404 for everyone else, so ids reveal nothing. A file
    gone from the storage sends them back to the export's page, which says so."""
    export = get_object_or_404(exports_visible_to(request.user), pk=export_id)
    if not export.downloadable:
        raise Http404("This export has no file to download.")
    try:
        return export_file_response(
            export, as_attachment=True, content_type="text/csv; charset=utf-8"
        )
    except ExportFileMissing:
        messages.error(request, MISSING_FILE.format(export_id=export.pk))
        return redirect("exports:detail", export_id=export.pk)


class NotificationListView(DashboardView):
    """The user's Notifications Center, newest first, with live export progress."""

    # Every signed-in user has a Notifications Center of their own.
    permission_required = ()
    template_name = "exports/notification_list.html"
    nav = "notifications"
    title = "Notifications"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        panel = request.GET.get("panel") == "1"
        context = self.get_context_data(panel=panel, **kwargs)
        if self.request.htmx or panel:
            return TemplateResponse(request, f"{self.template_name}#list", context)
        return self.render_to_response(context)

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        limit = NOTIFICATION_PANEL_LIMIT if kwargs.get("panel") else NOTIFICATION_LIST_LIMIT
        notifications = list(notifications_of(self.request.user).select_related("export")[:limit])
        running = any(
            n.export and n.export.status in (Export.Status.SCHEDULED, Export.Status.IN_PROGRESS)
            for n in notifications
        )
        return super().get_context_data(notifications=notifications, running=running, **kwargs)


def notification_bell(request: HttpRequest) -> HttpResponse:
    """The header's bell alone, polled by every page so its count updates by itself."""
    return TemplateResponse(request, "exports/_bell.html", {})


@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    mark_read(notifications_of(request.user).filter(pk=notification_id))
    return redirect("notifications")


@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    mark_read(notifications_of(request.user))
    return redirect("notifications")
