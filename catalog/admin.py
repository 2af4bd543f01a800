"""The catalogue in the operators' admin: products with their SKUs."""

from django.contrib import admin

from core.admin_columns import money_column

from .models import SKU, Product


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
