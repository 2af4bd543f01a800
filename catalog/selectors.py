"""Reads of the catalogue."""

from dataclasses import dataclass

from django.db.models import Q

from .models import SKU, Product


@dataclass(frozen=True)
class CatalogueMatch:
    """A product or SKU offered by the Create order wizard's type-ahead."""

    id: str
    name: str
    source_id: str
    price: int | None
    kind: str  # "product" or "SKU"


def search_catalogue(text: str, *, limit: int = 10) -> list[CatalogueMatch]:
    """Up to ``limit`` products and SKUs whose name contains ``text`` or whose id or source ID
    starts with it; SKUs first (they are the more specific)."""
    text = text.strip()
    if not text:
        return []
    skus = SKU.objects.select_related("product").filter(
        Q(sku__icontains=text)
        | Q(product__name__icontains=text)
        | Q(pk__startswith=text)
        | Q(source_id__istartswith=text)
    )
    products = Product.objects.filter(
        Q(name__icontains=text) | Q(pk__startswith=text) | Q(source_id__istartswith=text)
    )
    matches = [
        CatalogueMatch(
            sku.pk,
            f"{sku.product.name} · {sku.sku}",
            sku.source_id or "",
            sku.price if sku.price is not None else sku.product.price,
            "SKU",
        )
        for sku in skus.order_by("sku", "id")[:limit]
    ]
    matches += [
        CatalogueMatch(product.pk, product.name, product.source_id or "", product.price, "product")
        for product in products.order_by("name", "id")[: limit - len(matches)]
    ]
    return matches[:limit]
