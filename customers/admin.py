"""The operators' admin for customers, with import and export."""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from import_export.admin import ImportExportModelAdmin

from core.admin_large_tables import LargeTableAdminMixin
from core.money import format_money
from core.resources import FILE_FORMATS
from metadata.models import MetadataSchema
from metadata.validation import MetadataValidationError, validate_metadata

from .models import Customer
from .resources import CustomerResource

# The purchase summary is kept by the order service; here it is only shown.
SUMMARY_FIELDS = (
    "orders_total_count",
    "orders_total_amount",
    "orders_average_column",
    "orders_last_order_amount",
    "orders_last_order_date",
)


class HasOrdersFilter(admin.SimpleListFilter):
    """Customers with at least one PAID or FULFILLED order (the purchase summary's rule)."""

    title = "paid orders"
    parameter_name = "has_paid_orders"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "With paid orders"), ("no", "Without paid orders")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Customer]) -> QuerySet[Customer]:
        if self.value() == "yes":
            return queryset.filter(orders_total_count__gt=0)
        if self.value() == "no":
            return queryset.filter(orders_total_count=0)
        return queryset


class CustomerAdminForm(forms.ModelForm):
    """Metadata checked as the customers service checks it: its schema and the limits."""

    def clean_metadata(self) -> dict[str, Any]:
        metadata = self.cleaned_data.get("metadata")
        try:
            return validate_metadata(metadata, MetadataSchema.RelatedObject.CUSTOMER)
        except MetadataValidationError as error:
            raise ValidationError(error.messages) from None


@admin.register(Customer)
class CustomerAdmin(LargeTableAdminMixin, ImportExportModelAdmin):  # type: ignore[misc]  # import-export's stubs clash with django-stubs'
    """Customers: profiles are edited here; purchase summaries are read-only."""

    form = CustomerAdminForm
    resource_classes = [CustomerResource]
    formats = FILE_FORMATS

    list_display = (
        "__str__",
        "email",
        "source_id",
        "orders_total_count",
        "spent_column",
        "orders_last_order_date",
        "created_at",
    )
    list_filter = (
        HasOrdersFilter,
        ("orders_last_order_date", admin.DateFieldListFilter),
        ("created_at", admin.DateFieldListFilter),
    )
    search_fields = ("=id", "=source_id", "name", "email")
    search_help_text = "An exact id or source ID, or part of a name or email."
    ordering = ("-created_at", "id")
    readonly_fields = ("id", *SUMMARY_FIELDS, "orders_link", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("id", "source_id", "name", "email", "phone", "description")}),
        (
            "Address",
            {
                "fields": (
                    "address_line_1",
                    "address_line_2",
                    "city",
                    "state",
                    "postal_code",
                    "country",
                )
            },
        ),
        ("Metadata", {"fields": ("metadata",)}),
        (
            "Purchase summary (PAID and FULFILLED orders; minor units: 7700 = 77.00)",
            {"fields": (*SUMMARY_FIELDS, "orders_link")},
        ),
        ("History", {"fields": ("created_at", "updated_at")}),
    )

    @admin.display(description="spent", ordering="orders_total_amount")
    def spent_column(self, obj: Customer) -> str:
        return format_money(obj.orders_total_amount)

    @admin.display(description="average order amount")
    def orders_average_column(self, obj: Customer) -> int:
        return obj.orders_average_amount

    @admin.display(description="orders")
    def orders_link(self, obj: Customer) -> SafeString | str:
        if obj._state.adding:
            return "—"
        # Filtering by the customer column reads the (customer, created_at) index.
        url = reverse("admin:orders_order_changelist") + f"?customer={obj.pk}"
        return format_html('<a href="{}">All orders of this customer</a>', url)

    def has_import_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perms(["customers.add_customer", "customers.change_customer"])

    def has_export_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("customers.view_customer")
