"""The Metadata schemas page's property form: reads input, the schema service saves.

Allowed and forbidden values are typed one per line and read as the property's type
(``12`` is the number 12 for a Number property, the text "12" for a Text one); number limits
are named as people say them ("at least", "less than"), not ``gte`` / ``lt``.
"""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from .conditions import KEY_RULE
from .forms import key_problem, read_unknown
from .models import MetadataProperty
from .services import PROPERTY_FIELDS

Type = MetadataProperty.Type
LIST_HELP = "One value per line; leave empty for none."


def _lines(values: list[Any]) -> str:
    return "\n".join(
        ("yes" if value else "no") if isinstance(value, bool) else str(value) for value in values
    )


def read_values(text: str, kind: str, label: str) -> list[Any]:
    """The values of a one-per-line list as ``kind`` reads them; a ``ValidationError`` names
    every line that is not of the type."""
    readers: dict[str, str] = {Type.NUMBER: "number", Type.BOOLEAN: "boolean"}
    reader = readers.get(kind, "text")
    values, wrong = [], []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            value = read_unknown(line, reader)
        except ValidationError:
            wrong.append(line)
            continue
        if value not in values:
            values.append(value)
    if wrong:
        noun = {"number": "a number", "boolean": "yes or no"}[reader]
        shown = ", ".join(f"'{line}'" for line in wrong[:5])
        raise ValidationError(f"{label}: each line must be {noun}; {shown} is not.")
    return values


class MetadataPropertyForm(forms.ModelForm):
    """A property's name, type, flags and constraints."""

    required = forms.BooleanField(required=False, label="Required")
    confirm_type_change = forms.BooleanField(required=False, widget=forms.HiddenInput)
    eq = forms.CharField(
        label="Allowed values",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=f"{LIST_HELP} Only these values are accepted, e.g. card, then cash below it.",
    )
    ne = forms.CharField(
        label="Forbidden values",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=f"{LIST_HELP} These values are refused, e.g. test.",
    )

    class Meta:
        model = MetadataProperty
        fields = [field for field in PROPERTY_FIELDS if field != "optional"]
        labels = {
            "array": "Several values (list)",
            "gt": "More than",
            "gte": "At least",
            "lt": "Less than",
            "lte": "At most",
            "min_length": "Shortest length",
            "max_length": "Longest length",
            "exact_length": "Exact length",
        }
        help_texts = {
            "name": KEY_RULE,
            "gt": "Numbers only. The value must be more than this.",
            "gte": "Numbers only. The value must be this or more.",
            "lt": "Numbers only. The value must be less than this.",
            "lte": "Numbers only. The value must be this or less.",
            "min_length": "Characters of a text, or values of a list.",
            "max_length": "Characters of a text, or values of a list.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["required"].initial = not self.instance.optional
            self.initial["eq"] = _lines(self.instance.eq or [])
            self.initial["ne"] = _lines(self.instance.ne or [])
        self.fields["name"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})

    def clean_name(self) -> str:
        name = (self.cleaned_data.get("name") or "").strip()
        if wrong := key_problem(name):
            raise ValidationError(wrong)
        return name

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data  # what Form.clean() returns
        kind = cleaned.get("type") or Type.STRING
        for name in ("eq", "ne"):
            try:
                cleaned[name] = read_values(
                    cleaned.get(name) or "", kind, str(self.fields[name].label)
                )
            except ValidationError as error:
                self.add_error(name, error)
        return cleaned

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
