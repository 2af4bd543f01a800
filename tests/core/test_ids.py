import pytest

from core import ids
from customers.models import Customer
from exports.models import Export
from orders.models import SKU, MetadataSchema, Product
from tests.factories import CustomerFactory, SKUFactory, make_order


@pytest.mark.parametrize(
    ("prefix", "maker"),
    [
        (ids.ORDER, ids.new_order_id),
        (ids.CUSTOMER, ids.new_customer_id),
        (ids.EXPORT, ids.new_export_id),
        (ids.METADATA_SCHEMA, ids.new_metadata_schema_id),
        (ids.PRODUCT, ids.new_product_id),
        (ids.SKU, ids.new_sku_id),
    ],
)
def test_ids_have_the_reference_shape_and_do_not_repeat(prefix, maker):
    made = [maker() for _ in range(2000)]
    assert all(ids.is_id(value, prefix) for value in made)
    assert all(len(value) == len(prefix) + 24 for value in made)
    assert len(set(made)) == len(made)


def test_is_id_rejects_other_shapes():
    assert not ids.is_id("ord_short", ids.ORDER)
    assert not ids.is_id("cust_" + "a" * 24, ids.ORDER)
    assert not ids.is_id("ord_" + "a" * 23 + "-", ids.ORDER)


@pytest.mark.django_db
def test_saved_objects_get_prefixed_ids():
    # Given one object of each kind, saved
    order = make_order()
    customer = CustomerFactory()
    sku = SKUFactory()
    schema = MetadataSchema.objects.create(related_object="order")
    export = Export.objects.create()

    # Then each carries its prefix and is found by it
    assert ids.is_id(order.pk, "ord_")
    assert ids.is_id(customer.pk, "cust_") and Customer.objects.get(pk=customer.pk)
    assert ids.is_id(sku.pk, "sku_") and SKU.objects.get(pk=sku.pk)
    assert ids.is_id(sku.product.pk, "prod_") and Product.objects.get(pk=sku.product.pk)
    assert ids.is_id(schema.pk, "ms_")
    assert ids.is_id(export.pk, "exp_")
    assert order.get_absolute_url() == f"/orders/{order.pk}/"


def test_every_letter_and_digit_is_drawn_about_equally_often():
    # 10,000 ids give 240,000 characters: about 3,871 of each of the 62 (σ ≈ 62). Mapping
    # random bytes with byte % 62 and no redraw would give the first eight about 4,690.
    from collections import Counter

    counts = Counter("".join(ids.new_id("") for _ in range(10_000)))
    assert set(counts) == set(ids.ALPHABET)
    assert min(counts.values()) > 3_450 and max(counts.values()) < 4_300
