"""Project settings › Metadata schemas: adding, editing, deleting properties, the
defined-only switch, the type-change warning, and who may do what."""

import pytest
from django.test import Client

from orders.models import MetadataProperty, MetadataSchema
from tests.factories import CustomerFactory, make_order

pytestmark = pytest.mark.django_db


def test_add_edit_delete_and_toggle(operator_client: Client):
    # When an operator adds a customer property
    response = operator_client.post(
        "/settings/metadata-schemas/customer/properties/add/",
        {"name": "tier", "type": "string", "eq": '["gold", "silver"]', "required": "on"},
    )
    prop = MetadataProperty.objects.get(name="tier")
    assert response.status_code == 302
    assert prop.schema.related_object == "customer" and not prop.optional
    assert prop.eq == ["gold", "silver"]

    # And edits it, switches defined-only on and soft-deletes it
    operator_client.post(
        f"/settings/metadata-schemas/properties/{prop.pk}/edit/",
        {"name": "tier", "type": "string", "max_length": "10"},
    )
    operator_client.post("/settings/metadata-schemas/customer/defined-only/", {"value": "on"})
    operator_client.post(f"/settings/metadata-schemas/properties/{prop.pk}/delete/")

    # Then the changes are stored; the deleted property is still listed
    prop.refresh_from_db()
    assert prop.max_length == 10 and prop.optional and prop.deleted
    assert MetadataSchema.objects.get(related_object="customer").allow_defined_only
    html = operator_client.get("/settings/metadata-schemas/").content.decode()
    assert "tier" in html and "deleted" in html


def test_changing_a_type_with_stored_values_warns_with_the_count(operator_client: Client):
    # Given a number property that two orders (and no customer) hold
    schema = MetadataSchema.objects.create(related_object="order")
    prop = MetadataProperty.objects.create(schema=schema, name="score", type="number")
    make_order(metadata={"score": 1})
    make_order(metadata={"score": 2})
    make_order(metadata={"other": 3})
    CustomerFactory(metadata={"score": 5})
    url = f"/settings/metadata-schemas/properties/{prop.pk}/edit/"

    # When its type is changed to text
    response = operator_client.post(url, {"name": "score", "type": "string"})

    # Then nothing is saved and the warning counts the two orders
    assert response.status_code == 400
    assert "2 orders hold a value for score" in response.content.decode()
    prop.refresh_from_db()
    assert prop.type == "number"

    # When the change is confirmed, it is saved
    response = operator_client.post(
        url, {"name": "score", "type": "string", "confirm_type_change": "True"}
    )
    prop.refresh_from_db()
    assert response.status_code == 302 and prop.type == "string"


def test_permissions(operator_client, marketing_client, outsider_client):
    schema = MetadataSchema.objects.create(related_object="order")
    prop = MetadataProperty.objects.create(schema=schema, name="x")
    add = "/settings/metadata-schemas/order/properties/add/"
    # Operators change, Marketing only views, the outsider sees nothing
    assert operator_client.get(add).status_code == 200
    assert marketing_client.get("/settings/metadata-schemas/").status_code == 200
    assert marketing_client.get(add).status_code == 403
    assert (
        marketing_client.post(
            f"/settings/metadata-schemas/properties/{prop.pk}/delete/"
        ).status_code
        == 403
    )
    assert outsider_client.get("/settings/metadata-schemas/").status_code == 403
    prop.refresh_from_db()
    assert not prop.deleted
