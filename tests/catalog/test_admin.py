"""The catalogue in the operators' admin."""

import pytest
from django.urls import reverse

from catalog.models import SKU, Product
from tests.factories import ProductFactory, SKUFactory
from tests.orders.test_admin import BIGINT, FormFields, admin_url

pytestmark = pytest.mark.django_db


def test_a_product_page_lists_its_skus(operator_client):
    # Given a product with a SKU
    sku = SKUFactory(sku="Mug, blue")

    # When the operator opens the product
    response = operator_client.get(admin_url(Product, "change", sku.product.pk))

    # Then the SKU is on its page, and the page is under the catalogue's admin
    assert response.status_code == 200
    assert "Mug, blue" in response.content.decode()
    assert reverse("admin:catalog_product_changelist") == "/admin/catalog/product/"


@pytest.mark.parametrize("model", [Product, SKU])
def test_a_catalogue_price_is_bounded_by_its_column(operator_client, model):
    # Given a product or SKU
    obj = SKUFactory() if model is SKU else ProductFactory()
    url = admin_url(model, "change", obj.pk)
    parser = FormFields()
    parser.feed(operator_client.get(url).content.decode())

    # When its price is set beyond the column, then to the largest it holds
    refused = operator_client.post(url, parser.data | {"price": str(BIGINT + 1)})
    accepted = operator_client.post(url, parser.data | {"price": str(BIGINT)})

    # Then the first is a field error, the second saved
    assert refused.status_code == 200
    errors = refused.context["adminform"].form.errors["price"]
    assert f"less than or equal to {BIGINT}" in " ".join(errors)
    assert accepted.status_code == 302
    obj.refresh_from_db()
    assert obj.price == BIGINT
