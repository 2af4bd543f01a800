"""Customers in and out of CSV/JSON files (django-import-export), for the admin."""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model
from import_export import fields, resources, widgets

from core.resources import JsonObjectWidget, OptionalTextWidget, UpsertResourceMixin, cell_text
from metadata.models import MetadataSchema
from metadata.validation import MetadataValidationError, validate_metadata

from .models import Customer
from .services import PROFILE_FIELDS


class CustomerWidget(widgets.Widget):
    """A cell naming a customer: its source ID, or its id (``cust_...``) when it has none.

    Exports write the source ID when there is one, else the id, so a file can always be
    imported back. An unknown customer is a row error, not a new, empty customer.
    """

    def clean(
        self, value: Any, row: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> Customer | None:
        text = cell_text(value)
        if not text:
            return None
        customer = (
            Customer.objects.filter(source_id=text).first()
            or Customer.objects.filter(pk=text).first()
        )
        if customer is None:
            raise ValueError(f"no customer has the source ID or id '{text}'")
        return customer

    def render(self, value: Any, obj: Model | None = None, **kwargs: Any) -> str:
        if value is None:
            return ""
        return value.source_id or value.pk


class CustomerResource(UpsertResourceMixin, resources.ModelResource):
    """Customer profiles; importing upserts by ``id`` or ``source_id``.

    The purchase summary is not imported: the order service keeps it from the orders.
    """

    id = fields.Field(attribute="id", column_name="id", readonly=True)
    # Blank must be NULL, not "": source IDs are unique and many customers have none. A blank
    # cell never clears an existing source ID.
    source_id = fields.Field(
        attribute="source_id",
        column_name="source_id",
        widget=OptionalTextWidget(),
        saves_null_values=False,
    )
    metadata = fields.Field(attribute="metadata", column_name="metadata", widget=JsonObjectWidget())

    class Meta:
        model = Customer
        fields = ("id", "source_id", *PROFILE_FIELDS, "metadata")
        export_order = fields
        # Model validation catches malformed emails and over-long values per row.
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def validate_instance(
        self,
        instance: Customer,
        import_validation_errors: dict[str, Any] | None = None,
        validate_unique: bool = True,
    ) -> None:
        """The model's checks, and the metadata's as the customers service makes them (the
        schema and the limits), so a bad row is reported instead of stored."""
        errors = dict(import_validation_errors or {})
        if "metadata" not in errors:
            try:
                instance.metadata = validate_metadata(
                    instance.metadata, MetadataSchema.RelatedObject.CUSTOMER
                )
            except MetadataValidationError as error:
                errors["metadata"] = ValidationError(error.messages)
        super().validate_instance(instance, errors, validate_unique)
