"""The catalogue: products and their SKUs, which order items point to."""

from django.db import models
from django.db.models import Q

from core.ids import new_product_id, new_sku_id


class Product(models.Model):
    """A catalogue product; order items point to a product or to one of its SKUs."""

    id = models.CharField(primary_key=True, max_length=29, default=new_product_id, editable=False)
    source_id = models.CharField(
        "source ID",
        max_length=255,
        unique=True,
        null=True,
        blank=True,
        error_messages={"unique": "Another product already uses this source ID."},
    )
    name = models.CharField(max_length=255)
    price = models.BigIntegerField(null=True, blank=True, help_text="Minor units (7700 = 77.00).")
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "orders_product"  # moved from orders; the table kept its name
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["name"], name="product_name_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(price__isnull=True) | Q(price__gte=0), name="product_price_not_negative"
            )
        ]

    def __str__(self) -> str:
        return self.name


class SKU(models.Model):
    """A variant of a product (size, colour...), with a price of its own."""

    id = models.CharField(primary_key=True, max_length=28, default=new_sku_id, editable=False)
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="skus")
    source_id = models.CharField(
        "source ID",
        max_length=255,
        unique=True,
        null=True,
        blank=True,
        error_messages={"unique": "Another SKU already uses this source ID."},
    )
    sku = models.CharField("SKU name", max_length=255)
    price = models.BigIntegerField(null=True, blank=True, help_text="Minor units (7700 = 77.00).")
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "orders_sku"  # moved from orders; the table kept its name
        verbose_name = "SKU"
        verbose_name_plural = "SKUs"
        ordering = ["sku", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(price__isnull=True) | Q(price__gte=0), name="sku_price_not_negative"
            )
        ]

    def __str__(self) -> str:
        return self.sku
