"""What a re-import changes: the update event's diffs (as ``update_order`` writes them),
the profiles of existing customers, products and SKUs, and item metadata."""

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from catalog.models import SKU, Product
from customers.models import Customer
from imports import loading
from imports.loading import import_payloads
from metadata.models import MetadataProperty, MetadataSchema
from orders.actors import Actor
from orders.models import Order
from orders.services import ItemData, update_order

pytestmark = pytest.mark.django_db


def imported(*orders: dict[str, Any], **options: Any) -> loading.ImportResult:
    result = import_payloads(list(orders), actor_label="test", **options)
    assert not result.problems, result.problems
    return result


def test_an_update_event_holds_what_update_orders_event_would():
    # Given two identical imported orders
    cart = [{"product_id": "prod-1", "quantity": 2, "price": 1000}]
    first = {"status": "PAID", "items": cart, "metadata": {"channel": "web", "note": "x"}}
    imported({"source_id": "a", **first}, {"source_id": "b", **first})
    new_product = Product.objects.create(source_id="prod-2", name="Mug")

    # When one is changed through the order service and the other by importing the same change
    # (the line's source_id given: the service's snapshot shows what its caller passed)
    update_order(
        Order.objects.get(source_id="a"),
        actor=Actor.importer(),
        status="CANCELED",
        metadata={"channel": "shop"},
        items=[
            ItemData(
                quantity=1,
                price=300,
                product=new_product,
                source_id="prod-2",
                metadata={"gift": True},
            )
        ],
    )
    line = {"product_id": "prod-2", "quantity": 1, "price": 300, "metadata": {"gift": True}}
    result = imported(
        {"source_id": "b", "status": "CANCELED", "items": [line], "metadata": {"channel": "shop"}}
    )

    # Then the import's event records the same changes as the service's
    assert result.updated == 1
    service = Order.objects.get(source_id="a").events.latest("id")
    event = Order.objects.get(source_id="b").events.latest("id")
    assert (event.type, event.version) == ("imported", 2)
    assert event.changes == service.changes
    assert event.changes["metadata.note"] == ["x", None]
    assert event.changes["items"][1] == [
        {
            "product_id": new_product.pk,
            "sku_id": None,
            "source_id": "prod-2",
            "quantity": 1,
            "price": 300,
            "discount_amount": 0,
            "metadata": {"gift": True},
        }
    ]
    assert list(Order.objects.get(source_id="b").items.values_list("metadata", flat=True)) == [
        {"gift": True}
    ]


def test_a_changed_created_at_is_recorded():
    imported({"source_id": "a", "amount": 100, "created_at": "2024-01-01T00:00:00Z"})
    imported({"source_id": "a", "amount": 100, "created_at": "2024-02-01T00:00:00Z"})

    changes = Order.objects.get(source_id="a").events.latest("id").changes
    assert changes == {"created_at": ["2024-01-01T00:00:00+00:00", "2024-02-01T00:00:00+00:00"]}


def test_existing_customers_products_and_skus_get_the_profile_the_file_gives():
    # Given a customer, a product and a SKU created by an import
    imported(
        {
            "source_id": "o-1",
            "customer": {"source_id": "c-1", "name": "Ann", "email": "ann@old.example"},
            "items": [
                {"product_id": "p-1", "product": {"name": "Mug"}, "sku_id": "s-1", "price": 5},
                {"product_id": "p-2", "price": 5},
            ],
        }
    )
    assert Product.objects.get(source_id="p-2").name == "p-2"  # unnamed: its source ID

    # When another order names them differently (the email left out, a phone added)
    second = {
        "source_id": "o-2",
        "customer": {"source_id": "c-1", "name": "Ann Bell", "phone": "555"},
        "items": [
            {
                "product_id": "p-1",
                "product": {"name": "Big mug"},
                "sku_id": "s-1",
                "sku": {"sku": "L"},
            },
            {"product_id": "p-2", "product_name": "Tee", "price": 5},
        ],
    }
    imported(second)

    # Then the given fields change and the others keep their values
    customer = Customer.objects.get(source_id="c-1")
    assert (customer.name, customer.email, customer.phone) == ("Ann Bell", "ann@old.example", "555")
    assert Product.objects.get(source_id="p-1").name == "Big mug"
    assert Product.objects.get(source_id="p-2").name == "Tee"
    assert SKU.objects.get(source_id="s-1").sku == "L"

    # and importing it again, or an order that names nothing, writes none of them
    stamps = [
        Customer.objects.get(source_id="c-1").updated_at,
        Product.objects.get(source_id="p-1").updated_at,
        SKU.objects.get(source_id="s-1").updated_at,
    ]
    imported(second)
    imported({"source_id": "o-3", "customer": "c-1", "items": [{"product_id": "p-1"}]})
    assert [
        Customer.objects.get(source_id="c-1").updated_at,
        Product.objects.get(source_id="p-1").updated_at,
        SKU.objects.get(source_id="s-1").updated_at,
    ] == stamps
    assert Product.objects.get(source_id="p-1").name == "Big mug"


@pytest.fixture
def item_schema(db) -> MetadataSchema:
    schema = MetadataSchema.objects.create(related_object=MetadataSchema.RelatedObject.ORDER_ITEM)
    MetadataProperty.objects.create(schema=schema, name="size", eq=["S", "M", "L"])
    MetadataProperty.objects.create(schema=schema, name="weight", type="number")
    return schema


def test_item_metadata_is_imported_from_json_lines_and_csv(tmp_path: Path, item_schema):
    from django.core.management import call_command

    jsonl = tmp_path / "o.jsonl"
    line = {"product_id": "p", "price": 10, "metadata": {"size": "M", "weight": 1.5}}
    jsonl.write_text(json.dumps({"source_id": "j", "items": [line]}) + "\n")
    csv_path = tmp_path / "o.csv"
    with csv_path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["source_id", "status", "item_product_source_id", "item_price"]
            + ["item_metadata.size", "item_metadata.weight"]
        )
        writer.writerow(["c", "PAID", "p", "10", "S", "2"])
        writer.writerow(["c", "PAID", "p", "20", "", ""])

    call_command("import_orders", str(jsonl), str(csv_path), stdout=None)

    assert list(Order.objects.get(source_id="j").items.values_list("metadata", flat=True)) == [
        {"size": "M", "weight": 1.5}
    ]
    assert list(Order.objects.get(source_id="c").items.values_list("metadata", flat=True)) == [
        {"size": "S", "weight": 2},
        {},
    ]


def test_item_metadata_is_checked_against_the_item_schema(item_schema):
    line = {"product_id": "p", "price": 10, "metadata": {"size": "XL"}}
    result = import_payloads(
        [{"source_id": "a", "items": [{"product_id": "p"}, line]}], actor_label="test"
    )

    assert [problem.reason for problem in result.problems] == [
        "item 2: metadata: size: must be equal to one of S,M,L (actual value is 'XL')"
    ]


def test_a_changed_item_metadata_updates_the_cart(item_schema):
    def order(size: str) -> dict[str, Any]:
        return {"source_id": "a", "items": [{"product_id": "p", "metadata": {"size": size}}]}

    imported(order("S"))
    assert imported(order("S")).unchanged == 1
    result = imported(order("M"))

    assert result.updated == 1
    stored = Order.objects.get(source_id="a")
    assert list(stored.items.values_list("metadata", flat=True)) == [{"size": "M"}]
    before, after = stored.events.latest("id").changes["items"]
    assert (before[0]["metadata"], after[0]["metadata"]) == ({"size": "S"}, {"size": "M"})


def test_an_import_rebuilds_the_summaries_of_its_own_customers_only():
    # Given a customer outside the import whose summary was changed behind the service's back
    imported({"source_id": "a", "status": "PAID", "customer": "other", "amount": 100})
    Customer.objects.filter(source_id="other").update(orders_total_count=99)

    # When orders of 150 other customers are imported (set-based, not one by one)
    imported(
        *(
            {"source_id": f"b-{n}", "status": "PAID", "customer": f"c-{n}", "amount": 250}
            for n in range(150)
        )
    )

    # Then theirs are right and the other customer's summary was left as it was
    assert Customer.objects.get(source_id="c-1").orders_total_amount == 250
    assert Customer.objects.get(source_id="other").orders_total_count == 99


@pytest.mark.parametrize("limit", [0, 100])
def test_summaries_are_right_whether_the_touched_or_all_are_rebuilt(monkeypatch, limit):
    # Up to the limit the touched customers' summaries are rebuilt, beyond it everyone's
    monkeypatch.setattr(loading, "SUMMARY_REBUILD_LIMIT", limit)
    imported(
        {"source_id": "a", "status": "PAID", "customer": "c-1", "amount": 100},
        {"source_id": "b", "status": "PAID", "customer": "c-1", "amount": 250},
        {"source_id": "c", "status": "PAID", "customer": "c-2", "amount": 40},
    )
    imported({"source_id": "a", "status": "PAID", "customer": "c-2", "amount": 100})

    one, two = Customer.objects.get(source_id="c-1"), Customer.objects.get(source_id="c-2")
    assert (one.orders_total_count, one.orders_total_amount) == (1, 250)
    assert (two.orders_total_count, two.orders_total_amount) == (2, 140)
