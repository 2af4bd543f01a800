"""The Create order wizard's Metadata step: one typed input per live property of the order
metadata schema (plus the properties waiting to be added to it), unknown key/value pairs, and
the "Add to schema" fields.

Inputs are read as their property's type ("12.5" → 12.5, "yes" → True, "a, b" → ["a", "b"]);
``orders.metadata_validation.validate_metadata`` then decides, against the schema as it will
be after Save, and every message names its property.
"""

import json
import sys
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms

from .forms import load_json
from .metadata_validation import MetadataValidationError, PropertyInfo, validate_metadata
from .models import MetadataProperty, MetadataSchema
from .order_entry import ADDABLE_TYPES

Type = MetadataProperty.Type
FIELD_PREFIX = "prop__"
YES_NO = [("", "—"), ("true", "Yes"), ("false", "No")]
# A typed number larger than a float is not read as a number: JSON readers (and PostgreSQL's
# jsonb, past a point) cannot take it back, and "1e999999999" would take minutes to expand.
_LARGEST_NUMBER = Decimal(sys.float_info.max)


def field_name(prop_name: str) -> str:
    return f"{FIELD_PREFIX}{prop_name}"


def _choice(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def typed_field_for(prop: PropertyInfo) -> forms.Field:
    """The input for one property; never ``required``: the validator says "<name>: is
    required" itself, so the message names the property like every other."""
    help_text = ""
    if prop.allowed:
        choices = [(_choice(value), str(value)) for value in prop.allowed]
        if prop.array:
            field: forms.Field = forms.MultipleChoiceField(
                choices=choices, required=False, widget=forms.CheckboxSelectMultiple
            )
        else:
            field = forms.ChoiceField(choices=[("", "—"), *choices], required=False)
    elif prop.type == Type.BOOLEAN and not prop.array:
        field = forms.ChoiceField(choices=YES_NO, required=False)
    else:
        attrs: dict[str, Any] = {}
        if not prop.array:
            attrs = {
                Type.NUMBER: {"type": "number", "step": "any"},
                Type.DATE: {"type": "date"},
                Type.DATETIME: {"type": "datetime-local"},
            }.get(prop.type, {})
        else:
            help_text = "Several values: separate them with commas."
        if prop.type in (Type.OBJECT, Type.GEOPOINT):
            help_text = 'JSON, e.g. {"lat": 52.23, "lng": 21.01}.'
        field = forms.CharField(required=False, widget=forms.TextInput(attrs=attrs))
    field.label = prop.name
    field.help_text = help_text
    field.widget.attrs["aria-required"] = "true" if prop.required else "false"
    field.schema_property = prop  # the template marks required ones and shows the type
    return field


def _typed(prop: PropertyInfo, text: str) -> Any:
    """One typed value from its text; text that is not of the type is passed on as it is,
    for the validator to name ("<name>: must be a number (actual value is 'abc')")."""
    text = text.strip()
    if prop.type == Type.NUMBER:
        try:
            number = Decimal(text)
        except InvalidOperation:
            return text
        if not number.is_finite() or number.copy_abs() > _LARGEST_NUMBER:
            return text
        return int(number) if number == number.to_integral_value() else float(number)
    if prop.type == Type.BOOLEAN:
        return {"true": True, "yes": True, "false": False, "no": False}.get(text.lower(), text)
    if prop.type in (Type.OBJECT, Type.GEOPOINT):
        try:
            return load_json(text)
        except ValueError:
            return text
    return text


def typed_value(prop: PropertyInfo, raw: Any) -> Any:
    """The metadata value of one input, or ``None`` when it was left empty."""
    if prop.allowed:
        if prop.array:
            return [json.loads(choice) for choice in raw] or None
        return json.loads(raw) if raw else None
    text = (raw or "").strip()
    if not text:
        return None
    if prop.array:
        return [_typed(prop, part) for part in text.split(",") if part.strip()]
    return _typed(prop, text)


def read_unknown_value(text: str) -> Any:
    """Like the order page's metadata editor: JSON when it parses (12, true, ["a"]) into
    something storable, else text."""
    try:
        return load_json(text)
    except (ValueError, TypeError):
        return text


class MetadataStepForm(forms.Form):
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
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.schema = schema
        self.properties = properties
        self.pending = pending
        for prop in properties:
            self.fields[field_name(prop.name)] = typed_field_for(prop)
        self.unknown_errors: list[str] = []

    @property
    def property_fields(self) -> list[forms.BoundField]:
        return [self[field_name(prop.name)] for prop in self.properties]

    @property
    def add_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.ADD_FIELDS]

    def unknown_rows(self) -> list[tuple[str, str]]:
        """The unknown key/value pairs as typed (repeated ``unknown_key``/``unknown_value``)."""
        if not self.is_bound:
            return []
        keys = self.data.getlist(self.add_prefix("unknown_key"))
        values = self.data.getlist(self.add_prefix("unknown_value"))
        values += [""] * (len(keys) - len(values))
        return list(zip(keys, values, strict=False))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        metadata: dict[str, Any] = {}
        for prop in self.properties:
            value = typed_value(prop, cleaned.get(field_name(prop.name)))
            if value is not None:
                metadata[prop.name] = value
        defined = {prop.name for prop in self.properties}
        for key, text in self.unknown_rows():
            key = key.strip()
            if not key:
                continue
            if key in defined:
                self.unknown_errors.append(
                    f"{key}: is a schema property; fill in its input above instead."
                )
            elif key in metadata:
                self.unknown_errors.append(f"{key}: given twice.")
            else:
                metadata[key] = read_unknown_value(text)
        try:
            metadata = validate_metadata(metadata, "order", schema=self.schema)
        except MetadataValidationError as error:
            for prop_name, message in error.problems:
                target = field_name(prop_name.split("[", 1)[0])
                if target in self.fields:
                    self.add_error(target, message)
                else:
                    self.unknown_errors.append(message)
        if self.unknown_errors:
            self.add_error(None, self.unknown_errors)
        cleaned["metadata"] = metadata
        cleaned["unknown_keys"] = sorted(set(metadata) - defined)
        return cleaned
