"""The operators' admin for async actions: read-only, written by the API and its worker."""

from django.contrib import admin
from django.http import HttpRequest

from .models import AsyncAction

FIELDS = (
    "id",
    "type",
    "status",
    "api_key",
    "actor_label",
    "request_id",
    "result",
    "attempts",
    "heartbeat_at",
    "created_at",
    "updated_at",
    "started_at",
    "finished_at",
)


@admin.register(AsyncAction)
class AsyncActionAdmin(admin.ModelAdmin):
    """Async actions, read-only (the stored orders are left out: up to 2,000 of them)."""

    list_display = ("id", "type", "status", "actor_label", "created_at", "finished_at")
    list_filter = ("type", "status", ("created_at", admin.DateFieldListFilter))
    search_fields = ("=id", "actor_label", "=request_id")
    list_select_related = ("api_key",)
    fields = FIELDS
    readonly_fields = FIELDS

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Actions are started by the API, which also enqueues the job.
        return False

    def has_change_permission(self, request: HttpRequest, obj: AsyncAction | None = None) -> bool:
        return False
