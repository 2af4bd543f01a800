"""Products, SKUs and metadata schemas."""

from django.contrib import admin
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest

from ..models import (
    SKU,
    MetadataProperty,
    MetadataSchema,
    Product,
)
from .common import money_column


class SKUInline(admin.TabularInline):
    model = SKU
    fields = ("sku", "source_id", "price", "metadata")
    extra = 0
    show_change_link = True


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("name", "id", "source_id", "price_column", "created_at")
    list_filter = (("created_at", admin.DateFieldListFilter),)
    search_fields = ("=id", "=source_id", "name")
    readonly_fields = ("id", "created_at", "updated_at")
    fields = ("id", "source_id", "name", "price", "metadata", "created_at", "updated_at")
    inlines = (SKUInline,)

    price_column = money_column("price", "price")


@admin.register(SKU)
class SKUAdmin(admin.ModelAdmin):
    list_display = ("sku", "product", "id", "source_id", "price_column", "created_at")
    list_select_related = ("product",)
    list_filter = (("created_at", admin.DateFieldListFilter),)
    search_fields = ("=id", "=source_id", "sku", "product__name")
    readonly_fields = ("id", "created_at", "updated_at")
    fields = ("id", "product", "source_id", "sku", "price", "metadata", "created_at", "updated_at")
    autocomplete_fields = ("product",)

    price_column = money_column("price", "price")


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
        return obj.properties_total  # type: ignore[attr-defined]
