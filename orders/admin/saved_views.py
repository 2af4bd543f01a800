"""Saved views of the orders list, for operators who help people with theirs."""

from django.contrib import admin

from ..models import SavedView


@admin.register(SavedView)
class SavedViewAdmin(admin.ModelAdmin):
    """Everyone's saved views; the dashboard shows each person only theirs and shared ones."""

    list_display = ("name", "owner", "shared", "updated_at")
    list_select_related = ("owner",)
    list_filter = ("shared",)
    search_fields = ("name", "owner__username")
    autocomplete_fields = ("owner",)
    readonly_fields = ("created_at", "updated_at")
