"""Every writer of metadata meets the same limits through the one validator: the order
service (order and item metadata), the customers service, the importer (by line) and the
dashboard's forms. Nothing beyond a limit is written."""

import csv
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from customers.models import Customer
from customers.services import create_customer, update_customer
from orders import services
from orders.actors import Actor
from orders.models import Order
from orders.services import ItemData
from tests.factories import CustomerFactory, ProductFactory, make_order

pytestmark = pytest.mark.django_db

DEEP = {"deep": [[[[[[[[[[1]]]]]]]]]]}  # the mapping and ten arrays: eleven levels
NESTING = (
    "deep[0][0][0][0][0][0][0][0][0]: must not nest objects and arrays deeper than 10 levels,"
    " the nesting limit"
)
BAD_KEY = 'a__b: a key must not contain "__", which filters and exports read as a path'


def test_the_order_service_refuses_metadata_beyond_a_limit_and_writes_nothing():
    # Given an order
    order = make_order(amount=5, metadata={"kept": 1})

    # When an order is created, and that one edited, with metadata nested too deep
    with pytest.raises(ValidationError) as created:
        services.create_order(actor=Actor.system(), amount=1, metadata=DEEP)
    with pytest.raises(ValidationError) as edited:
        services.update_order(order, actor=Actor.system(), metadata={"a__b": 1})

    # Then each names the limit, and nothing was written
    assert created.value.message_dict == {"metadata": [NESTING]}
    assert edited.value.message_dict == {"metadata": [BAD_KEY]}
    order.refresh_from_db()
    assert list(Order.objects.all()) == [order]
    assert order.metadata == {"kept": 1} and order.events.count() == 1


def test_the_order_service_refuses_item_metadata_beyond_a_limit_naming_the_line():
    # Given a cart whose second line's metadata holds a number jsonb cannot store
    product = ProductFactory()
    items = [
        ItemData(quantity=1, price=100, product=product, metadata={"n": 1}),
        ItemData(quantity=1, price=100, product=product, metadata={"n": float("inf")}),
    ]

    # When an order is created with it
    with pytest.raises(ValidationError) as raised:
        services.create_order(actor=Actor.system(), items=items)

    # Then the second line's metadata is named with the limit, and nothing was written
    (field, messages), *_ = raised.value.message_dict.items()
    assert field == "items.2.metadata.n"
    assert messages[0].startswith("n: must be a finite number from -1.7976931348623157e+308")
    assert not Order.objects.exists()


def test_the_customers_service_refuses_metadata_beyond_a_limit():
    # Given a customer
    customer = CustomerFactory(metadata={"kept": 1})

    # When a customer is created, and that one edited, beyond a limit
    with pytest.raises(ValidationError) as created:
        create_customer(name="Ann", metadata=DEEP)
    with pytest.raises(ValidationError) as edited:
        update_customer(customer, metadata={"a__b": 1})

    # Then each names the limit, and nothing was written
    assert created.value.message_dict["metadata"] == [NESTING]
    assert edited.value.message_dict["metadata"] == [BAD_KEY]
    customer.refresh_from_db()
    assert list(Customer.objects.all()) == [customer] and customer.metadata == {"kept": 1}


def test_the_importer_reports_the_line_beyond_a_limit_and_writes_nothing(tmp_path: Path):
    # Given a file whose second order's metadata is nested too deep, third's has a bad key
    lines = [
        {"source_id": "ok", "amount": 100, "metadata": {"deep": [[[[[[[[[1]]]]]]]]]}},
        {"source_id": "deep", "amount": 100, "metadata": DEEP},
        {
            "source_id": "key",
            "items": [{"product_id": "p-1", "quantity": 1, "price": 5, "metadata": {"a__b": 1}}],
        },
    ]
    path = tmp_path / "orders.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    report = tmp_path / "errors.csv"

    # When it is imported
    with pytest.raises(CommandError, match="2 invalid order"):
        call_command("import_orders", str(path), "--report", str(report), stdout=StringIO())

    # Then lines 2 and 3 are reported with the limit each breaks, and nothing was written
    rows = list(csv.DictReader(report.open(encoding="utf-8")))
    assert [(row["line"], row["source_id"]) for row in rows] == [("2", "deep"), ("3", "key")]
    assert rows[0]["reason"] == f"metadata: {NESTING}"
    assert rows[1]["reason"] == f"item 1: metadata: {BAD_KEY}"
    assert not Order.objects.exists()


def test_the_in_place_editor_shows_the_limit_and_keeps_the_metadata(marketing_client):
    # Given an order
    order = make_order(metadata={"kept": 1})
    url = f"/orders/{order.pk}/metadata/"

    # When a key the filters cannot name, then a value nested too deep, are saved in place
    bad_key = marketing_client.post(
        url, {"key": "a__b", "value": "1", "version": order.version}, follow=True
    )
    deep = marketing_client.post(
        url,
        {"key": "deep", "kind": "json", "value": json.dumps(DEEP["deep"]), "version": 1},
        follow=True,
    )

    # Then each page says which limit, and the metadata is as it was
    assert "a__b: a key must not contain &quot;__&quot;" in bad_key.content.decode()
    assert "must not nest objects and arrays deeper than 10 levels" in deep.content.decode()
    order.refresh_from_db()
    assert order.metadata == {"kept": 1} and order.events.count() == 1


def test_the_customer_form_shows_the_limit_as_a_field_error(marketing_client):
    # When a customer is created with other metadata nested too deep
    response = marketing_client.post(
        "/customers/create/", {"name": "Zed", "other_metadata": json.dumps(DEEP)}
    )

    # Then the form comes back with the limit, and no customer was made
    assert response.status_code == 400
    assert "must not nest objects and arrays deeper than 10 levels" in response.content.decode()
    assert not Customer.objects.exists()


@pytest.mark.parametrize("name", ["payment method", "a__b", "", "k" * 101, "größe"])
def test_a_schema_property_is_named_only_as_a_key_the_validator_accepts(name):
    # Given the order schema
    from metadata.models import MetadataProperty
    from metadata.services import save_property, schema_for

    # When a property is given a name no metadata key could have
    with pytest.raises(ValidationError) as raised:
        save_property(schema_for("order"), {"name": name, "type": "string"})

    # Then the name is refused (a required property of that name could never be given)
    assert list(raised.value.message_dict) == ["name"]
    assert not MetadataProperty.objects.exists()
    assert save_property(schema_for("order"), {"name": "payment_method", "type": "string"})


def test_the_customer_admin_refuses_metadata_beyond_a_limit(operator_client):
    # Given a customer
    from django.contrib.admin.utils import quote
    from django.urls import reverse

    customer = CustomerFactory(source_id="c-1", name="Ann", metadata={"kept": 1})
    url = reverse("admin:customers_customer_change", args=[quote(customer.pk)])

    # When the operator saves metadata nested too deep
    response = operator_client.post(
        url, {"source_id": "c-1", "name": "Ann", "metadata": json.dumps(DEEP)}
    )

    # Then the form comes back naming the limit, and the metadata is as it was
    assert response.status_code == 200
    assert "must not nest objects and arrays deeper than 10 levels" in response.content.decode()
    customer.refresh_from_db()
    assert customer.metadata == {"kept": 1}


def test_the_customer_admin_import_reports_a_row_beyond_a_limit(operator_client):
    # Given a file whose second row's metadata has a key no filter can name
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    content = 'source_id,name,metadata\nc-1,Ann,"{""ok"": 1}"\nc-2,Bob,"{""a__b"": 1}"\n'
    upload = SimpleUploadedFile("customers.csv", content.encode(), content_type="text/csv")

    # When the operator uploads it
    response = operator_client.post(
        reverse("admin:customers_customer_import"),
        {"format": "0", "resource": "0", "import_file": upload},
    )

    # Then the preview names row 2's problem and nothing is saved
    result = response.context["result"]
    assert [row.number for row in result.invalid_rows] == [2]
    assert result.invalid_rows[0].field_specific_errors["metadata"] == [BAD_KEY]
    assert "confirm_form" not in response.context
    assert not Customer.objects.exists()
