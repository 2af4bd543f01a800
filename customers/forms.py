"""Forms of the customers pages: they read input into domain values; services save."""

import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from core.money import MoneyField
from metadata.forms import as_initial, field_name, typed_field_for, typed_value
from metadata.validation import describe_properties

from .models import Customer
from .segments import CONDITION_KEYS, LIMITS, MAX_DAYS, TEMPLATES_BY_SLUG
from .services import PROFILE_FIELDS


class CustomerForm(forms.Form):
    """Profile fields, one typed input per live customer-schema property, and a JSON object
    of other (unknown) keys. ``cleaned_data["metadata"]`` is the mapping to validate."""

    name = forms.CharField(max_length=255, required=False)
    # Checked by the model (through the service) with source_id and metadata, so every
    # problem shows at once rather than the form's first and the service's later.
    email = forms.CharField(max_length=254, required=False, widget=forms.EmailInput)
    source_id = forms.CharField(label="Source ID", max_length=255, required=False)
    phone = forms.CharField(max_length=64, required=False)
    address_line_1 = forms.CharField(max_length=255, required=False)
    address_line_2 = forms.CharField(max_length=255, required=False)
    city = forms.CharField(max_length=128, required=False)
    state = forms.CharField(max_length=128, required=False)
    postal_code = forms.CharField(max_length=32, required=False)
    country = forms.CharField(max_length=128, required=False)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    other_metadata = forms.CharField(
        label="Other metadata (JSON object)",
        # Shown behind "Advanced": schema properties have typed inputs above.
        widget=forms.Textarea(attrs={"rows": 3, "class": "mono"}),
        required=False,
        help_text='Keys the schema does not define, e.g. {"newsletter_source": "fair"}.',
    )

    def __init__(self, *args: Any, instance: Customer | None = None, **kwargs: Any) -> None:
        self.properties = describe_properties("customer")
        self.instance = instance
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = self._initial(instance)
        super().__init__(*args, **kwargs)
        for prop in self.properties:
            self.fields[field_name(prop.name)] = typed_field_for(prop)

    def _initial(self, customer: Customer) -> dict[str, Any]:
        initial: dict[str, Any] = {field: getattr(customer, field) for field in PROFILE_FIELDS}
        initial["source_id"] = customer.source_id or ""
        metadata = dict(customer.metadata or {})
        for prop in self.properties:
            initial[field_name(prop.name)] = as_initial(prop, metadata.pop(prop.name, None))
        if metadata:
            initial["other_metadata"] = json.dumps(metadata, ensure_ascii=False, indent=1)
        return initial

    @property
    def property_fields(self) -> list[forms.BoundField]:
        return [self[field_name(prop.name)] for prop in self.properties]

    def clean_other_metadata(self) -> dict[str, Any]:
        text = self.cleaned_data.get("other_metadata", "").strip()
        if not text:
            return {}
        try:
            value = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValidationError(f"Enter a JSON object ({error.msg}).") from None
        if not isinstance(value, dict):
            raise ValidationError("Enter a JSON object of key/value pairs.")
        return value

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data  # what Form.clean() returns
        given = any((cleaned.get(name) or "").strip() for name in ("name", "email"))
        if self.instance is None and not given and "email" not in self.errors:
            # Only a new customer: one imported with just a source ID stays editable.
            self.add_error("name", "Give at least a name or an email to find the customer by.")
        metadata = dict(cleaned.get("other_metadata") or {})
        for prop in self.properties:
            value = typed_value(prop, cleaned.get(field_name(prop.name)))
            if value is not None:
                metadata[prop.name] = value
        cleaned["metadata"] = metadata
        return cleaned

    def apply_errors(self, error: ValidationError) -> None:
        """Put a service's ``ValidationError`` on the fields it names; metadata problems go
        on their property's input when it has one."""
        for field, messages in error.message_dict.items():
            if field != "metadata":
                self.add_error(field if field in self.fields else None, messages)
                continue
            for message in messages:
                target = field_name(message.split(":", 1)[0].split("[", 1)[0])
                self.add_error(target if target in self.fields else "other_metadata", message)

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        kwargs = {field: data.get(field, "") for field in PROFILE_FIELDS}
        return {**kwargs, "source_id": data.get("source_id") or None, "metadata": data["metadata"]}


class SegmentForm(forms.Form):
    """A segment's name and conditions; blank conditions are left out."""

    name = forms.CharField(max_length=100)
    min_total_spent = MoneyField(label="Total spent at least")
    min_orders = forms.IntegerField(
        label="Orders at least", min_value=0, max_value=LIMITS["min_orders"], required=False
    )
    last_order_within_days = forms.IntegerField(
        label="Last order within (days)", min_value=0, max_value=MAX_DAYS, required=False
    )
    last_order_more_than_days_ago = forms.IntegerField(
        label="Last order more than (days ago)", min_value=0, max_value=MAX_DAYS, required=False
    )
    metadata = forms.CharField(
        label="Metadata conditions",
        widget=forms.Textarea(attrs={"rows": 3, "class": "mono"}),
        required=False,
        help_text="One key:operator:value a line, as in the orders list, e.g. tier:eq:gold.",
    )

    @classmethod
    def initial_for(cls, conditions: dict[str, Any], name: str = "") -> dict[str, Any]:
        initial: dict[str, Any] = {key: conditions.get(key) for key in CONDITION_KEYS}
        initial["metadata"] = "\n".join(conditions.get("metadata") or [])
        initial["name"] = name
        return initial

    @classmethod
    def initial_from_template(cls, slug: str) -> dict[str, Any]:
        template = TEMPLATES_BY_SLUG.get(slug)
        return cls.initial_for(template.conditions, template.name) if template else {}

    def conditions(self) -> dict[str, Any]:
        data = self.cleaned_data
        conditions = {key: data.get(key) for key in CONDITION_KEYS if key != "metadata"}
        conditions = {key: value for key, value in conditions.items() if value is not None}
        lines = [line.strip() for line in data.get("metadata", "").splitlines() if line.strip()]
        if lines:
            conditions["metadata"] = lines
        return conditions

    def apply_errors(self, error: ValidationError) -> None:
        for field, messages in error.update_error_dict({}).items():
            self.add_error(field if field in self.fields else None, messages)
