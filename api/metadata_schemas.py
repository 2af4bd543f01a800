"""v1 metadata schemas: the typed metadata of orders, customers and order items (read-only;
they are edited in Project settings › Metadata schemas)."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Router

from metadata.models import MetadataSchema

from .errors import ApiError
from .metadata_schema_format import MetadataSchemaListOut, MetadataSchemaOut, schema_body
from .order_schemas import ERRORS

router = Router()


@router.get(
    "/metadata-schemas",
    response={200: MetadataSchemaListOut, **ERRORS},
    summary="List Metadata Schemas",
)
def list_metadata_schemas(request: HttpRequest) -> HttpResponse:
    """Every stored schema. The list is in ``schemas`` (``data_ref``); the reference's
    schema also requires ``data``, which holds the same list."""
    schemas = [
        schema_body(schema)
        for schema in MetadataSchema.objects.prefetch_related("properties").order_by(
            "related_object"
        )
    ]
    body = {
        "object": "list",
        "data_ref": "schemas",
        "schemas": schemas,
        "data": schemas,
        "total": len(schemas),
    }
    return JsonResponse(body)


@router.get(
    "/metadata-schemas/{related_object}",
    response={200: MetadataSchemaOut, **ERRORS},
    summary="Get Metadata Schema",
)
def get_metadata_schema(request: HttpRequest, related_object: str) -> HttpResponse:
    """The schema of ``order``, ``customer`` or ``order_item``; 404 when none is defined."""
    schema = (
        MetadataSchema.objects.prefetch_related("properties")
        .filter(related_object=related_object)
        .first()
    )
    if schema is None:
        raise ApiError.not_found("metadata_schema", related_object)
    return JsonResponse(schema_body(schema))
