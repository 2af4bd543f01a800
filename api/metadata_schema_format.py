"""Metadata schemas on the wire: the reference's ``metadata_schema`` object."""

from decimal import Decimal
from typing import Any, Literal

from ninja import Schema

from metadata.models import MetadataProperty, MetadataSchema

from .format import timestamp

# Model field → the reference's property key, for the constraints a property may carry.
_BOUNDS = ("lt", "lte", "gt", "gte")
_LENGTHS = {"min_length": "minLength", "max_length": "maxLength", "exact_length": "exactLength"}


class MetadataSchemaOut(Schema):
    id: str
    related_object: str
    properties: dict[str, dict[str, Any]]
    allow_defined_only: bool
    created_at: str
    updated_at: str
    object: Literal["metadata_schema"] = "metadata_schema"


class MetadataSchemaListOut(Schema):
    object: Literal["list"] = "list"
    data_ref: Literal["schemas"] = "schemas"
    schemas: list[MetadataSchemaOut]
    data: list[MetadataSchemaOut]
    total: int


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def property_body(prop: MetadataProperty) -> dict[str, Any]:
    """One property: ``type``, ``array``, ``optional``, ``objectType`` and the constraints
    that are set (``deleted`` only on a deleted property)."""
    body: dict[str, Any] = {
        "type": prop.type,
        "array": prop.array,
        "optional": prop.optional,
        "objectType": None,
    }
    if prop.eq:
        body["eq"] = list(prop.eq)
    if prop.ne:
        body["ne"] = list(prop.ne)
    for bound in _BOUNDS:
        value = getattr(prop, bound)
        if value is not None:
            body[bound] = _number(value)
    for field, key in _LENGTHS.items():
        value = getattr(prop, field)
        if value is not None:
            body[key] = value
    if prop.deleted:
        body["deleted"] = True
    return body


def schema_body(schema: MetadataSchema) -> dict[str, Any]:
    """The reference's metadata schema; ``schema.properties`` should be prefetched."""
    return {
        "id": schema.pk,
        "related_object": schema.related_object,
        "properties": {
            prop.name: property_body(prop)
            for prop in sorted(schema.properties.all(), key=lambda prop: prop.name)
        },
        "allow_defined_only": schema.allow_defined_only,
        "created_at": timestamp(schema.created_at),
        "updated_at": timestamp(schema.updated_at),
        "object": "metadata_schema",
    }
