"""Project settings › Metadata schemas: adding, editing, deleting properties, the
defined-only switch, the type-change warning, and who may do what."""

import pytest
from django.test import Client

from metadata.models import MetadataProperty, MetadataSchema
from tests.factories import CustomerFactory, make_order

pytestmark = pytest.mark.django_db


def test_add_edit_delete_and_toggle(operator_client: Client):
    # When an operator adds a customer property
    response = operator_client.post(
        "/settings/metadata-schemas/customer/properties/add/",
        {"name": "tier", "type": "string", "eq": "gold\nsilver", "required": "on"},
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


ADD_ORDER_PROPERTY = "/settings/metadata-schemas/order/properties/add/"


def test_the_form_names_limits_in_words_and_takes_values_one_per_line(operator_client: Client):
    # Given the Add property page, it says "at least", not "Gte", and asks for no JSON
    html = operator_client.get(ADD_ORDER_PROPERTY).content.decode()
    assert "Add an order property" in html
    for words in ("More than", "At least", "Less than", "At most", "One value per line"):
        assert words in html
    assert "Gte" not in html and "JSON" not in html

    # When a Number property gets allowed values one per line, and a Text one too
    operator_client.post(
        ADD_ORDER_PROPERTY, {"name": "size", "type": "number", "eq": "1\n2.5\n\n10", "gte": "0"}
    )
    operator_client.post(ADD_ORDER_PROPERTY, {"name": "code", "type": "string", "eq": "12\nA7"})

    # Then each line is a value of the property's type: 12 is the text "12" for Text
    assert MetadataProperty.objects.get(name="size").eq == [1, 2.5, 10]
    assert MetadataProperty.objects.get(name="code").eq == ["12", "A7"]
    listed = operator_client.get("/settings/metadata-schemas/").content.decode()
    assert "at least 0;" in listed


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"type": "number", "gte": "0", "lt": "-5"}, "lt",
         "No number is at least 0 and less than -5"),
        ({"type": "number", "gt": "3", "lte": "3"}, "lte",
         "No number is more than 3 and at most 3"),
        ({"type": "string", "min_length": "5", "max_length": "2"}, "max_length",
         "The longest length (2) is below the shortest (5)"),
        ({"type": "string", "exact_length": "9", "max_length": "4"}, "exact_length",
         "The exact length (9) is outside"),
        ({"type": "string", "gt": "1"}, "gt", "Only a Number property can have number limits"),
        ({"type": "string", "eq": "a\nb", "ne": "b\na"}, "ne", "Every allowed value is also"),
        ({"type": "number", "eq": "1\nmany"}, "eq", "each line must be a number; 'many' is not"),
        ({"name": "payment method"}, "name", "cannot be a property name. Use 1 to 100 letters"),
        ({"name": "<b>x</b>"}, "name", 'letters A-Z a-z, digits, "_", "." or "-"'),
    ],
)  # fmt: skip
def test_constraints_no_value_could_meet_and_bad_names_are_refused_on_their_field(
    operator_client: Client, data: dict, field: str, message: str
):
    # When a property is added whose constraints cross, or whose name is no metadata key
    response = operator_client.post(ADD_ORDER_PROPERTY, {"name": "score", "type": "string", **data})

    # Then the page comes back with the message on that field, and nothing is saved
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert any(message in text for text in errors.get(field, [])), errors
    assert not MetadataProperty.objects.exists()


def test_limits_that_meet_at_one_value_are_accepted(operator_client: Client):
    response = operator_client.post(
        ADD_ORDER_PROPERTY, {"name": "five", "type": "number", "gte": "5", "lte": "5"}
    )
    assert response.status_code == 302
    assert MetadataProperty.objects.get(name="five").gte == 5
