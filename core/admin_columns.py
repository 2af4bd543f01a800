"""Changelist columns every app's admin shares."""

from typing import Any

from django.contrib import admin

from core.money import format_money


def money_column(field: str, description: str) -> Any:
    """A changelist column (a ModelAdmin method) showing minor units as money, sortable."""

    @admin.display(description=description, ordering=field)
    def column(model_admin: admin.ModelAdmin, obj: Any) -> str:
        return format_money(getattr(obj, field))

    return column
