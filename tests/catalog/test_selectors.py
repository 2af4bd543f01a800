"""The catalogue search behind the Create order wizard's type-ahead."""

import pytest

from catalog.selectors import CatalogueMatch, search_catalogue
from tests.factories import ProductFactory, SKUFactory

pytestmark = pytest.mark.django_db


def test_skus_come_first_with_their_product_s_price_when_they_have_none():
    # Given a product and one of its SKUs without a price of its own
    mug = ProductFactory(name="Mug", source_id="P-MUG", price=1200)
    blue = SKUFactory(product=mug, sku="Blue", source_id="S-BLUE", price=None)

    # When someone types part of the name
    matches = search_catalogue("mug")

    # Then the SKU comes first, named with its product and priced as it
    assert matches == [
        CatalogueMatch(blue.pk, "Mug · Blue", "S-BLUE", 1200, "SKU"),
        CatalogueMatch(mug.pk, "Mug", "P-MUG", 1200, "product"),
    ]


def test_an_id_or_source_id_prefix_finds_the_record_and_blank_text_finds_nothing():
    # Given two products
    mug = ProductFactory(name="Mug", source_id="shop-77")
    ProductFactory(name="Cup", source_id="shop-88")

    # When searched by the start of an id or a source ID, or by nothing
    by_id = search_catalogue(mug.pk[:12])
    by_source = search_catalogue("SHOP-7")

    # Then only the mug is found, and blank text finds nothing
    assert [match.id for match in by_id] == [mug.pk]
    assert [match.id for match in by_source] == [mug.pk]
    assert search_catalogue("  ") == []


def test_the_limit_counts_skus_and_products_together():
    # Given three SKUs and a product that all match
    product = ProductFactory(name="Tee")
    SKUFactory.create_batch(3, product=product, sku="Tee size")

    # When asked for two
    matches = search_catalogue("tee", limit=2)

    # Then two SKUs are returned
    assert [match.kind for match in matches] == ["SKU", "SKU"]
