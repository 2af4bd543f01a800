"""The operators' admin for export jobs and notifications."""

from functools import partial

from django.contrib import admin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from .models import Export, Notification
from .selectors import exports_visible_to

# Everything about a job is written by the export service and its worker.
EXPORT_FIELDS = (
    "id",
    "exported_object",
    "status",
    "channel",
    "user",
    "parameters",
    "file",
    "rows_total",
    "rows_done",
    "error",
    "token",
    "created_at",
    "started_at",
    "finished_at",
)


def _delete_stored_file(export: Export) -> None:
    if export.file:
        # After the commit: a rolled-back delete must not lose the file of a live export.
        transaction.on_commit(partial(export.file.delete, save=False))


@admin.register(Export)
class ExportAdmin(admin.ModelAdmin):
    """Export jobs, read-only; operators may delete one (its file goes with it)."""

    list_display = (
        "id",
        "exported_object",
        "status",
        "channel",
        "user",
        "rows_done",
        "rows_total",
        "created_at",
        "finished_at",
    )
    list_select_related = ("user",)
    list_filter = (
        "status",
        "channel",
        "exported_object",
        ("created_at", admin.DateFieldListFilter),
    )
    search_fields = ("=id", "user__username", "user__email")
    fields = EXPORT_FIELDS
    readonly_fields = EXPORT_FIELDS
    autocomplete_fields = ("user",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Export]:
        # The app's one rule for who sees which exports, here as everywhere else.
        return exports_visible_to(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Exports are created by the dashboard and the API, which also enqueue the job; a row
        # added here would stay SCHEDULED forever.
        return False

    def has_change_permission(self, request: HttpRequest, obj: Export | None = None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: Export) -> None:
        _delete_stored_file(obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Export]) -> None:
        for export in queryset.exclude(file=""):
            _delete_stored_file(export)
        super().delete_queryset(request, queryset)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Messages in users' Notifications Center."""

    list_display = ("title", "user", "kind", "export", "read_at", "created_at")
    list_select_related = ("user", "export")
    list_filter = ("kind", ("read_at", admin.EmptyFieldListFilter), "created_at")
    search_fields = ("title", "user__username", "user__email")
    readonly_fields = ("created_at",)
    fields = ("user", "kind", "title", "body", "export", "link", "read_at", "created_at")
    autocomplete_fields = ("user", "export")
