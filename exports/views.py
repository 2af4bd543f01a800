from django.shortcuts import get_object_or_404

from core.views import DashboardView

from .selectors import exports_visible_to


class ExportListView(DashboardView):
    permission_required = "orders.export_order"
    template_name = "exports/export_list.html"
    nav = "exports"
    title = "Audit log › Exports"


class ExportDetailView(DashboardView):
    permission_required = "orders.export_order"
    template_name = "exports/export_detail.html"
    nav = "exports"

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        export = get_object_or_404(
            exports_visible_to(self.request.user), pk=self.kwargs["export_id"]
        )
        return super().get_context_data(export=export, title=export.id, **kwargs)


class NotificationListView(DashboardView):
    # Every signed-in user has a Notifications Center of their own.
    permission_required = ()
    template_name = "exports/notification_list.html"
    nav = "notifications"
    title = "Notifications"
