"""The Create order wizard's Metadata step: one typed input per live property of the order
metadata schema (plus the properties waiting to be added to it), keys the schema does not
define, and the "Add to schema" fields; the inputs are those of ``metadata.forms``."""

from typing import Any

from django import forms

from metadata.forms import TypedMetadataForm
from metadata.models import MetadataProperty, MetadataSchema
from metadata.validation import PropertyInfo

from .order_entry import ADDABLE_TYPES

Type = MetadataProperty.Type


class MetadataStepForm(TypedMetadataForm):
    """Step 5. ``properties`` and ``schema`` describe the order schema as it will be after
    Save (``orders.order_entry.schema_after_save``)."""

    add_name = forms.CharField(label="New property name", required=False, max_length=100)
    add_type = forms.ChoiceField(
        label="Type",
        required=False,
        choices=[(value, label) for value, label in Type.choices if value in ADDABLE_TYPES],
    )
    add_required = forms.BooleanField(label="Required", required=False)
    add_array = forms.BooleanField(label="Several values (array)", required=False)

    ADD_FIELDS = ("add_name", "add_type", "add_required", "add_array")

    def __init__(
        self,
        *args: Any,
        properties: list[PropertyInfo],
        schema: MetadataSchema,
        pending: tuple[str, ...] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, properties=properties, schema=schema, **kwargs)
        self.pending = pending

    @property
    def add_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.ADD_FIELDS]
