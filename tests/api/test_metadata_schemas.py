"""v1 metadata schemas: the list and one schema by related object, in the reference's shape."""

import pytest

from metadata.models import MetadataSchema
from metadata.services import (
    delete_property,
    save_property,
    schema_for,
    set_allow_defined_only,
)
from tests.api.contract import assert_error, validate

pytestmark = pytest.mark.django_db


@pytest.fixture
def order_schema() -> MetadataSchema:
    schema = schema_for(MetadataSchema.RelatedObject.ORDER)
    save_property(
        schema, {"name": "channel", "type": "string", "optional": False, "eq": ["web", "shop"]}
    )
    save_property(schema, {"name": "weight", "type": "number", "gte": 0, "lt": 1000})
    save_property(schema, {"name": "tags", "type": "string", "array": True, "max_length": 5})
    delete_property(save_property(schema, {"name": "old", "type": "boolean"}))
    set_allow_defined_only(MetadataSchema.RelatedObject.ORDER, True)
    return schema


def test_one_schema_by_related_object(api_client, order_schema):
    response = api_client.get("/v1/metadata-schemas/order")

    assert response.status_code == 200
    body = response.json()
    validate(body, "metadata-schemas.json", "MetadataSchemasGetResponseBody")
    assert body["id"] == order_schema.pk and body["id"].startswith("ms_")
    assert body["related_object"] == "order" and body["object"] == "metadata_schema"
    assert body["allow_defined_only"] is True
    assert body["properties"] == {
        "channel": {
            "type": "string",
            "array": False,
            "optional": False,
            "objectType": None,
            "eq": ["web", "shop"],
        },
        "old": {
            "type": "boolean",
            "array": False,
            "optional": True,
            "objectType": None,
            "deleted": True,
        },
        "tags": {
            "type": "string",
            "array": True,
            "optional": True,
            "objectType": None,
            "maxLength": 5,
        },
        "weight": {
            "type": "number",
            "array": False,
            "optional": True,
            "objectType": None,
            "lt": 1000,
            "gte": 0,
        },
    }
    assert body["created_at"].endswith("Z") and len(body["updated_at"]) == 24


def test_the_list_holds_every_schema(api_client, order_schema):
    save_property(
        schema_for(MetadataSchema.RelatedObject.CUSTOMER), {"name": "tier", "type": "number"}
    )

    response = api_client.get("/v1/metadata-schemas")

    assert response.status_code == 200
    body = response.json()
    # The reference's list schema requires ``data`` besides ``schemas`` (its data_ref):
    # both hold the list.
    validate(body, "metadata-schemas.json", "MetadataSchemasListResponseBody")
    assert body["object"] == "list" and body["data_ref"] == "schemas"
    assert [s["related_object"] for s in body["schemas"]] == ["customer", "order"]
    assert body["data"] == body["schemas"] and body["total"] == 2
    for schema in body["schemas"]:
        validate(schema, "metadata-schemas.json", "MetadataSchemaDeprecated")


def test_an_undefined_schema_is_a_404(api_client):
    response = api_client.get("/v1/metadata-schemas/campaign")

    body = assert_error(response, 404, "not_found", "metadata-schemas.json")
    assert (body["resource_type"], body["resource_id"]) == ("metadata_schema", "campaign")
