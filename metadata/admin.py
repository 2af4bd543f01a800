"""Metadata schemas and their properties in the operators' admin."""

from django.contrib import admin
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest

from .models import MetadataProperty, MetadataSchema


class MetadataPropertyInline(admin.TabularInline):
    model = MetadataProperty
    extra = 0


@admin.register(MetadataSchema)
class MetadataSchemaAdmin(admin.ModelAdmin):
    list_display = ("related_object", "allow_defined_only", "properties_column", "updated_at")
    list_filter = ("related_object", "allow_defined_only")
    search_fields = ("related_object", "properties__name")
    readonly_fields = ("id", "created_at", "updated_at")
    fields = ("id", "related_object", "allow_defined_only", "created_at", "updated_at")
    inlines = (MetadataPropertyInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[MetadataSchema]:
        return (
            super()
            .get_queryset(request)
            .annotate(properties_total=Count("properties", filter=Q(properties__deleted=False)))
        )

    @admin.display(description="properties", ordering="properties_total")
    def properties_column(self, obj: MetadataSchema) -> int:
        return obj.properties_total  # type: ignore[attr-defined]  # the queryset's annotation
