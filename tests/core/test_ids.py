import random

import pytest

from catalog.models import SKU, Product
from core import ids
from customers.models import Customer
from exports.models import Export
from metadata.models import MetadataSchema
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


def test_batched_and_streamed_ids_have_the_shape_and_do_not_repeat():
    # Given ids minted in one batch, and a stream crossing several of its batches
    batch = ids.new_ids(ids.ORDER, 10_000)
    stream = ids.id_stream(ids.CUSTOMER)
    streamed = [next(stream) for _ in range(2 * ids.STREAM_BATCH + 1)]

    # Then each has its prefix and shape, none repeats, and the whole alphabet turns up
    assert len(batch) == 10_000
    assert all(ids.is_id(value, ids.ORDER) for value in batch)
    assert all(ids.is_id(value, ids.CUSTOMER) for value in streamed)
    assert len(set(batch)) == len(batch) and len(set(streamed)) == len(streamed)
    assert set("".join(value.removeprefix(ids.ORDER) for value in batch)) == set(ids.ALPHABET)


def test_a_seeded_random_source_gives_the_same_ids_again():
    # Given two random sources with the same seed and one with another
    first, again, other = random.Random(7), random.Random(7), random.Random(8)

    # When each mints ids, one at a time and in a batch
    made = [ids.new_id(ids.ORDER, first) for _ in range(3)] + ids.new_ids(ids.SKU, 5, first)
    repeated = [ids.new_id(ids.ORDER, again) for _ in range(3)] + ids.new_ids(ids.SKU, 5, again)
    different = [ids.new_id(ids.ORDER, other) for _ in range(3)]

    # Then the same seed gives the same ids, in the reference's shape, and another seed not
    assert made == repeated
    assert all(ids.is_id(value, ids.ORDER) for value in made[:3])
    assert all(ids.is_id(value, ids.SKU) for value in made[3:])
    assert set(different).isdisjoint(made)
