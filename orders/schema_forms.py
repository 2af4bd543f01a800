"""The Metadata schemas page's property form: reads input, the schema service saves."""

from typing import Any

from django import forms

from .models import MetadataProperty
from .schema_services import PROPERTY_FIELDS


class MetadataPropertyForm(forms.ModelForm):
    """A property's name, type, flags and constraints; ``eq`` / ``ne`` as JSON lists."""

    required = forms.BooleanField(required=False, label="Required")
    confirm_type_change = forms.BooleanField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = MetadataProperty
        fields = [field for field in PROPERTY_FIELDS if field != "optional"]
        help_texts = {
            "eq": 'A JSON list, e.g. ["card", "cash"].',
            "ne": 'A JSON list, e.g. ["test"].',
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["required"].initial = not self.instance.optional
        for name in ("eq", "ne"):
            self.fields[name].required = False

    def validate_unique(self) -> None:
        # The service checks the (schema, name) constraint once the schema is known.
        pass

    def property_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        fields = {name: data.get(name) for name in PROPERTY_FIELDS if name != "optional"}
        fields["eq"] = fields["eq"] or []
        fields["ne"] = fields["ne"] or []
        fields["optional"] = not data.get("required")
        return fields
