from django.shortcuts import get_object_or_404

from core.views import DashboardView

from .models import Export
from .selectors import exports_visible_to, notifications_of

EXPORT_LIST_LIMIT = 50
NOTIFICATION_LIST_LIMIT = 100


class ExportListView(DashboardView):
    """Audit log › Exports: the exports the user may see, newest first."""

    permission_required = "orders.export_order"
    template_name = "exports/export_list.html"
    nav = "exports"
    section = "Audit log"
    title = "Exports"

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        exports = exports_visible_to(self.request.user).select_related("user")
        return super().get_context_data(exports=exports[:EXPORT_LIST_LIMIT], **kwargs)


class ExportDetailView(DashboardView):
    """One export job: its state and progress."""

    permission_required = "orders.export_order"
    template_name = "exports/export_detail.html"
    nav = "exports"
    section = "Audit log"

    def get_export(self) -> Export:
        return get_object_or_404(
            exports_visible_to(self.request.user).select_related("user"),
            pk=self.kwargs["export_id"],
        )

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        export = self.get_export()
        return super().get_context_data(export=export, title=export.id, **kwargs)


class NotificationListView(DashboardView):
    """The user's Notifications Center, newest first."""

    # Every signed-in user has a Notifications Center of their own.
    permission_required = ()
    template_name = "exports/notification_list.html"
    nav = "notifications"
    title = "Notifications"

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        notifications = notifications_of(self.request.user).select_related("export")
        return super().get_context_data(
            notifications=notifications[:NOTIFICATION_LIST_LIMIT], **kwargs
        )
