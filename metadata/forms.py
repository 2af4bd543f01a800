"""Typed metadata inputs: what the order wizard, Edit order, the order's Metadata tab and the
customer form show for metadata, so nobody types JSON for a property the schema types.

Each live schema property gets the input of its type: a select for allowed values (checkboxes
when it holds several), a yes/no choice for booleans, a decimal text input for numbers,
date and date-time pickers, "latitude, longitude" for geopoints, and plain text for strings,
so a Text property takes ``12`` as the text "12". Only objects (and keys the schema does not
define, when their value is an object or a list) are written as JSON, behind an "Advanced"
disclosure.

Numbers are typed into text inputs with ``inputmode="decimal"``, not ``type="number"``: a
browser empties a number input holding what it cannot read (``1e400``), and the value would
vanish instead of being refused by name.

Inputs are read as their property's type ("12.5" → 12.5, "yes" → True, "a, b" → ["a", "b"]);
``metadata.validation.validate_metadata`` then decides, and every message names its
property.
"""

import json
import math
import sys
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict

from .conditions import KEY_PATTERN, KEY_RULE
from .models import MetadataProperty, MetadataSchema
from .validation import (
    MetadataValidationError,
    PropertyInfo,
    describe_properties,
    load_schema,
    validate_metadata,
)

Type = MetadataProperty.Type
FIELD_PREFIX = "prop__"
YES_NO = [("", "—"), ("true", "Yes"), ("false", "No")]
# How a value for a key the schema does not define is read: the person says which.
UNKNOWN_KINDS = [
    ("text", "Text"),
    ("number", "Number"),
    ("boolean", "Yes / no"),
    ("json", "JSON (advanced)"),
]
# A typed number larger than a float is not read as a number: JSON readers (and PostgreSQL's
# jsonb, past a point) cannot take it back, and "1e999999999" would take minutes to expand.
_LARGEST_NUMBER = Decimal(sys.float_info.max)


def _finite(text: str) -> float:
    number = float(text)
    if math.isinf(number):
        raise ValueError(f"{text} is too large a number to store")
    return number


def _whole(text: str) -> int:
    try:
        return int(text)
    except ValueError:  # longer than Python reads (sys.get_int_max_str_digits())
        raise ValueError(f"a whole number of {len(text):,} digits is too long to store") from None


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number that can be stored")


def load_json(text: str) -> Any:
    """``json.loads`` refusing what a JSON column cannot store: Python reads ``NaN``,
    ``Infinity`` and ``1e400`` (as infinity), PostgreSQL refuses them; an integer too long
    for Python to read is refused too. Raises ``ValueError`` (``json.JSONDecodeError`` for
    text that is not JSON)."""
    return json.loads(text, parse_float=_finite, parse_int=_whole, parse_constant=_no_constant)


def field_name(prop_name: str) -> str:
    return f"{FIELD_PREFIX}{prop_name}"


def _choice(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def typed_field_for(prop: PropertyInfo, *, toggle: bool = False) -> forms.Field:
    """The input for one property; never ``required``: the validator says "<name>: is
    required" itself, so the message names the property like every other.

    A boolean is a checkbox when it is ``required`` or with ``toggle`` (a single property
    saved on its own, where unticked means No); an optional one in a whole form is a
    Yes / No / — choice, so leaving it alone does not store No.
    """
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
        if toggle or prop.required:
            field = forms.BooleanField(required=False, widget=forms.CheckboxInput)
        else:
            field = forms.ChoiceField(choices=YES_NO, required=False)
    elif prop.type == Type.OBJECT:
        help_text = 'A JSON object, e.g. {"city": "Warsaw"}.'
        field = forms.CharField(
            required=False, widget=forms.Textarea(attrs={"rows": 3, "class": "mono"})
        )
        field.advanced = True  # type: ignore[attr-defined]  # read by the template
    else:
        attrs: dict[str, Any] = {}
        if prop.array:
            help_text = "Several values: separate them with commas."
        else:
            by_type: dict[str, dict[str, Any]] = {
                Type.NUMBER: {"inputmode": "decimal", "autocomplete": "off"},
                Type.DATE: {"type": "date"},
                Type.DATETIME: {"type": "datetime-local", "step": "1"},
                Type.IMAGE_URL: {"type": "url"},
            }
            attrs = by_type.get(prop.type, {})
            if prop.type == Type.NUMBER:
                help_text = "A number, e.g. 12.5."
            elif prop.type == Type.DATETIME:
                help_text = "In UTC."
        if prop.type == Type.GEOPOINT:
            help_text = "Latitude, longitude, e.g. 52.23, 21.01."
        field = forms.CharField(required=False, widget=forms.TextInput(attrs=attrs))
    field.label = prop.name
    field.help_text = help_text
    field.widget.attrs["aria-required"] = "true" if prop.required else "false"
    # The template marks required ones and shows the type.
    field.schema_property = prop  # type: ignore[attr-defined]  # read by the template
    field.type_label = type_label(prop)  # type: ignore[attr-defined]  # read by the template
    return field


def type_label(prop: PropertyInfo) -> str:
    """The type as the schema form names it: "Yes / no", "Date", "Text list"."""
    label = str(Type(prop.type).label) if prop.type in Type.values else prop.type
    return f"{label} list" if prop.array else label


def _number(text: str) -> Any:
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text
    if not number.is_finite() or number.copy_abs() > _LARGEST_NUMBER:
        return text
    return int(number) if number == number.to_integral_value() else float(number)


def _typed(prop: PropertyInfo, text: str) -> Any:
    """One typed value from its text; text that is not of the type is passed on as it is,
    for the validator to name ("<name>: must be a number (actual value is 'abc')")."""
    text = text.strip()
    if prop.type == Type.NUMBER:
        return _number(text)
    if prop.type == Type.BOOLEAN:
        return {"true": True, "yes": True, "false": False, "no": False}.get(text.lower(), text)
    if prop.type == Type.GEOPOINT:
        if text.startswith("{"):
            return read_json(text)
        lat, comma, lng = text.partition(",")
        point = {"lat": _number(lat.strip()), "lng": _number(lng.strip())}
        if comma and all(not isinstance(v, str) for v in point.values()):
            return point
        return text
    if prop.type == Type.OBJECT:
        return read_json(text)
    return text


def read_json(text: str) -> Any:
    """JSON when it parses into something storable, else the text for the validator."""
    try:
        return load_json(text)
    except (ValueError, TypeError):
        return text


def typed_value(prop: PropertyInfo, raw: Any) -> Any:
    """The metadata value of one input, or ``None`` when it was left empty."""
    if isinstance(raw, bool):
        return raw
    if prop.allowed:
        if prop.array:
            return [json.loads(choice) for choice in raw or ()] or None
        return json.loads(raw) if raw else None
    text = (raw or "").strip()
    if not text:
        return None
    if prop.array:
        return [_typed(prop, part) for part in text.split(",") if part.strip()]
    return _typed(prop, text)


def _one_as_text(prop: PropertyInfo, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if prop.type == Type.GEOPOINT and isinstance(value, dict) and set(value) == {"lat", "lng"}:
        return f"{value['lat']}, {value['lng']}"
    if prop.type == Type.DATETIME and isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
        if moment.tzinfo:
            moment = moment.astimezone(UTC)
        # Milliseconds only when there are some: a picker shows them as a field of their own.
        precision = "milliseconds" if moment.microsecond else "seconds"
        return moment.replace(tzinfo=None).isoformat(timespec=precision)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def as_initial(prop: PropertyInfo, value: Any, *, toggle: bool = False) -> Any:
    """A stored value as its input shows it: the reverse of ``typed_value``."""
    if value is None:
        return ""
    if isinstance(value, bool) and (toggle or prop.required) and not prop.allowed:
        return value
    if prop.allowed:
        if prop.array:
            return [_choice(v) for v in value] if isinstance(value, list) else []
        return _choice(value)
    if prop.array and isinstance(value, list):
        return ", ".join(_one_as_text(prop, v) for v in value)
    return _one_as_text(prop, value)


# --- keys the schema does not define ----------------------------------------------------------


def unknown_kind(value: Any) -> str:
    """How a stored value of an undefined key is shown and read back."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "text"
    return "json"


def unknown_text(value: Any) -> str:
    kind = unknown_kind(value)
    if kind == "boolean":
        return "yes" if value else "no"
    if kind == "json":
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def read_unknown(text: str, kind: str) -> Any:
    """A value for an undefined key, read as the kind the person chose.

    Raises ``ValidationError`` with a sentence when the text is not of that kind.
    """
    if kind == "number":
        number = _number(text.strip())
        if isinstance(number, str):
            raise ValidationError(
                f"Enter a number like 12.5, within ±1.8e308 (actual value is '{text}')."
            )
        return number
    if kind == "boolean":
        words = {"true": True, "yes": True, "on": True, "false": False, "no": False, "": False}
        answer = words.get(text.strip().lower())
        if answer is None:
            raise ValidationError(f"Enter yes or no (actual value is '{text}').")
        return answer
    if kind == "json":
        try:
            return load_json(text)
        except json.JSONDecodeError as error:
            raise ValidationError(f"Not valid JSON: {error.msg} (line {error.lineno}).") from None
        except ValueError as error:
            raise ValidationError(f"Not valid JSON: {error}.") from None
    return text


def key_problem(key: str) -> str | None:
    """What keeps ``key`` from being a metadata key, stating the allowed shape; or ``None``."""
    if KEY_PATTERN.match(key):
        return None
    if not key:
        return f"Give the property a name. {KEY_RULE}"
    return f"'{key}' cannot be a property name. {KEY_RULE}"


# --- the forms ---------------------------------------------------------------------------------


class TypedMetadataForm(forms.Form):
    """One typed input per live property of a schema, and rows for keys the schema does not
    define (repeated ``unknown_key`` / ``unknown_kind`` / ``unknown_value``).

    ``cleaned_data["metadata"]`` is the whole mapping, validated against ``schema``; each
    problem is on its property's input, or on its unknown row.
    """

    related_object = "order"

    def __init__(
        self,
        *args: Any,
        properties: list[PropertyInfo] | None = None,
        schema: MetadataSchema | None = None,
        metadata: dict[str, Any] | None = None,
        empty_row: bool = False,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("label_suffix", "")
        self.initial_unknown: list[tuple[str, str, str]] = []
        self.schema = schema or load_schema(self.related_object)
        self.properties = (
            properties
            if properties is not None
            else describe_properties(self.related_object, schema=self.schema)
        )
        if metadata is not None and "initial" not in kwargs:
            kwargs["initial"] = self._initial(metadata)
        super().__init__(*args, **kwargs)
        for prop in self.properties:
            self.fields[field_name(prop.name)] = typed_field_for(prop)
        self.unknown_errors: dict[int, list[str]] = {}
        if empty_row:
            self.initial_unknown.append(("", "text", ""))

    def _initial(self, metadata: dict[str, Any]) -> dict[str, Any]:
        metadata = dict(metadata)
        initial = {
            field_name(prop.name): as_initial(prop, metadata.pop(prop.name, None))
            for prop in self.properties
        }
        self.initial_unknown = [
            (key, unknown_kind(value), unknown_text(value)) for key, value in metadata.items()
        ]
        return initial

    @property
    def property_fields(self) -> list[forms.BoundField]:
        return [self[field_name(prop.name)] for prop in self.properties]

    def unknown_rows(self) -> list[dict[str, Any]]:
        """The undefined keys as typed (or as stored), each with its kind and errors."""
        if self.is_bound:
            data = cast(QueryDict, self.data)  # bound to a request's POST
            keys = data.getlist(self.add_prefix("unknown_key"))
            kinds = data.getlist(self.add_prefix("unknown_kind"))
            values = data.getlist(self.add_prefix("unknown_value"))
            kinds += ["text"] * (len(keys) - len(kinds))
            values += [""] * (len(keys) - len(values))
            rows = list(zip(keys, kinds, values, strict=False))
        else:
            rows = list(self.initial_unknown)
        return [
            {
                "key": key,
                "kind": kind if kind in dict(UNKNOWN_KINDS) else "text",
                "value": value,
                "errors": self.unknown_errors.get(index, []),
                "number": index + 1,
            }
            for index, (key, kind, value) in enumerate(rows)
        ]

    @property
    def unknown_kinds(self) -> list[tuple[str, str]]:
        return UNKNOWN_KINDS

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data  # what Form.clean() returns
        metadata: dict[str, Any] = {}
        for prop in self.properties:
            value = typed_value(prop, cleaned.get(field_name(prop.name)))
            if value is not None:
                metadata[prop.name] = value
        defined = {prop.name for prop in self.properties}
        rows_by_key: dict[str, int] = {}
        for index, row in enumerate(self.unknown_rows()):
            key, text = row["key"].strip(), row["value"]
            if not key and not text.strip():
                continue
            wrong = key_problem(key)
            if wrong is None and key in defined:
                wrong = f"{key}: is a schema property; fill in its input above instead."
            elif wrong is None and key in rows_by_key:
                wrong = f"{key}: given twice."
            if wrong is None:
                try:
                    metadata[key] = read_unknown(text, row["kind"])
                    rows_by_key[key] = index
                except ValidationError as error:
                    wrong = error.messages[0]
            if wrong:
                self.unknown_errors.setdefault(index, []).append(wrong)
        try:
            metadata = validate_metadata(metadata, self.related_object, schema=self.schema)
        except MetadataValidationError as error:
            for prop_name, message in error.problems:
                target = field_name(prop_name.split("[", 1)[0])
                if target in self.fields:
                    self.add_error(target, message)
                elif prop_name in rows_by_key:
                    self.unknown_errors.setdefault(rows_by_key[prop_name], []).append(message)
                else:
                    self.add_error(None, message)
        if self.unknown_errors:
            self.add_error(None, "Check the properties marked below.")
        cleaned["metadata"] = metadata
        cleaned["unknown_keys"] = sorted(set(metadata) - defined)
        return cleaned


def describe_order_properties() -> dict[str, PropertyInfo]:
    """The order schema's live properties by name, as the typed inputs need them."""
    return {prop.name: prop for prop in describe_properties("order")}


def value_input(
    key: str, prop: PropertyInfo | None, value: Any, *, data: Any = None
) -> dict[str, Any]:
    """The Metadata tab's control for one key: its schema type's input (a checkbox for a
    boolean: the row is saved on its own), or, for a key the schema does not define, the
    kind its stored value has (text, number, yes/no, or JSON behind "Advanced").

    With ``data`` (a refused edit of this key), the input shows what was typed instead.
    """
    form = forms.Form(data, auto_id=f"meta-{key}-%s")
    if prop is not None:
        field = typed_field_for(prop, toggle=True)
        form.initial = {"value": as_initial(prop, value, toggle=True)}
        kind = ""
    else:
        field = forms.CharField(required=False)
        kind = unknown_kind(value) if value is not None else "text"
        if data is not None and data.get("kind") in dict(UNKNOWN_KINDS):
            kind = data["kind"]
        form.initial = {"value": unknown_text(value) if value is not None else ""}
        if kind == "boolean":
            field = forms.BooleanField(required=False, widget=forms.CheckboxInput)
            form.initial = {"value": bool(value)}
        elif kind == "json":
            field.widget.attrs["class"] = "mono"
            field.advanced = True  # type: ignore[attr-defined]  # read by the template
    if not isinstance(field.widget, forms.CheckboxSelectMultiple):
        # Each of several checkboxes is named by its own choice.
        field.widget.attrs["aria-label"] = f"Value of {key}"
    if data is not None:
        field.widget.attrs.update({"aria-invalid": "true", "aria-describedby": f"meta-{key}-error"})
    form.fields["value"] = field
    return {"field": form["value"], "kind": kind, "advanced": getattr(field, "advanced", False)}
