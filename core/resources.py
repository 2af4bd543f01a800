"""Shared pieces of the django-import-export resources (orders and customers).

Files are read by people and written by spreadsheets, so every widget here turns a bad cell
into a ``ValueError`` naming the value: django-import-export reports those as row errors in
the import preview, next to the column, instead of failing the whole import.
"""

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import tablib
from django.db.models import Model
from import_export import widgets
from import_export.formats import base_formats


def cell_text(value: Any) -> str:
    """A cell as stripped text; an empty cell (``None``) is ``""``."""
    return "" if value is None else str(value).strip()


class WholeNumberWidget(widgets.Widget):
    """An integer cell: money in minor units (``7700`` = 77.00) or a count."""

    def clean(self, value: Any, row: Mapping[str, Any] | None = None, **kwargs: Any) -> int | None:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            # Spreadsheet formats (xlsx, ods) hand numbers over as floats.
            return int(value)
        text = cell_text(value)
        if not text:
            return None
        try:
            return int(text)
        except ValueError:
            raise ValueError(
                f"must be a whole number in minor units, such as 7700 for 77.00 "
                f"(actual value is '{text}')"
            ) from None

    def render(self, value: Any, obj: Model | None = None, **kwargs: Any) -> Any:
        if kwargs.get("force_native_type"):
            return value
        return "" if value is None else str(value)


class JsonObjectWidget(widgets.Widget):
    """A metadata cell: a JSON object such as ``{"channel": "web"}``; blank is ``{}``."""

    def clean(self, value: Any, row: Mapping[str, Any] | None = None, **kwargs: Any) -> dict:
        if isinstance(value, dict):  # JSON and YAML files carry objects, not text
            return value
        text = cell_text(value)
        if not text:
            return {}
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValueError(f"is not valid JSON: {error.msg} (actual value is '{text}')") from None
        if not isinstance(parsed, dict):
            raise ValueError(
                f'must be a JSON object such as {{"channel": "web"}} (actual value is \'{text}\')'
            )
        return parsed

    def render(self, value: Any, obj: Model | None = None, **kwargs: Any) -> Any:
        if kwargs.get("force_native_type"):
            return value or {}
        return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""


class OptionalTextWidget(widgets.Widget):
    """A text cell where blank means "no value" (``None``), as for unique source IDs."""

    def clean(self, value: Any, row: Mapping[str, Any] | None = None, **kwargs: Any) -> str | None:
        return cell_text(value) or None

    def render(self, value: Any, obj: Model | None = None, **kwargs: Any) -> str:
        return value or ""


class UtcTimestampWidget(widgets.Widget):
    """An export-only timestamp in the reference's form: UTC, milliseconds, ``Z``."""

    def render(self, value: Any, obj: Model | None = None, **kwargs: Any) -> str:
        if not isinstance(value, datetime):
            return ""
        return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class UpsertResourceMixin:
    """Upsert rows: find a row's object by its ``id`` column, else by its ``source_id`` column.

    A file exported from Campaign Hub carries both, and an object without a source ID can
    only be found by its id; a file from another system carries only source IDs. A row
    matching neither creates a new object (with a new id: ids are never taken from files).
    Blank values never match, so objects without a source ID are not mistaken for each other.
    """

    def get_instance(self, instance_loader: Any, row: dict[str, Any]) -> Model | None:
        manager = self._meta.model._default_manager  # type: ignore[attr-defined]  # a Resource's mixin
        object_id = cell_text(row.get("id"))
        if object_id:
            found = manager.filter(pk=object_id).first()
            if found is not None:
                return found
        source_id = cell_text(row.get("source_id"))
        if source_id:
            return manager.filter(source_id=source_id).first()
        return None

    def skip_row(
        self,
        instance: Model,
        original: Model | None,
        row: dict[str, Any],
        import_validation_errors: dict[str, Any] | None = None,
    ) -> bool:
        # skip_unchanged compares the row with the object before the import; a new object
        # whose cells all equal the model defaults would look "unchanged" and be dropped.
        if instance._state.adding:
            return False
        return super().skip_row(  # type: ignore[misc]  # a mixin: the Resource is next in the MRO
            instance, original, row, import_validation_errors=import_validation_errors
        )


# A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV injection").
# Any run of quotes before them is escaped too, so that importing can undo exactly one quote.
_FORMULA_START = re.compile(r"'*[=+\-@\t\r]")
_ESCAPED_FORMULA_START = re.compile(r"'+[=+\-@\t\r]")
# A number such as -5 or -1.5 is not a formula, and numeric cells are never altered.
_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def escape_formula(cell: Any) -> Any:
    """A cell a spreadsheet shows as text: ``=SUM(A1)`` becomes ``'=SUM(A1)``.

    The same rule as the Celery export (a leading ``'`` before ``= + - @``, tab or carriage
    return), so a file from the admin and one from the Exports page open alike.
    """
    if not isinstance(cell, str) or _PLAIN_NUMBER.fullmatch(cell):
        return cell
    return f"'{cell}" if _FORMULA_START.match(cell) else cell


def unescape_formula(cell: Any) -> Any:
    """Undo :func:`escape_formula`, so an exported file imports back unchanged."""
    if isinstance(cell, str) and _ESCAPED_FORMULA_START.match(cell):
        return cell[1:]
    return cell


def _map_cells(dataset: tablib.Dataset, convert: Any) -> tablib.Dataset:
    escaped = tablib.Dataset(headers=dataset.headers, title=dataset.title)
    for row in dataset:
        escaped.append([convert(cell) for cell in row])
    return escaped


class FormulaSafeFormatMixin:
    """A spreadsheet format whose exported cells never run as formulas.

    django-import-export's own ``IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT`` only drops a
    leading ``=`` (the value changes, and ``+ - @`` still run), hence this.
    """

    def export_data(self, dataset: tablib.Dataset, **kwargs: Any) -> Any:
        return super().export_data(_map_cells(dataset, escape_formula), **kwargs)  # type: ignore[misc]  # a Format's mixin

    def create_dataset(self, in_stream: Any, **kwargs: Any) -> tablib.Dataset:
        dataset = super().create_dataset(in_stream, **kwargs)  # type: ignore[misc]  # a Format's mixin
        return _map_cells(dataset, unescape_formula)


class SafeCSV(FormulaSafeFormatMixin, base_formats.CSV):
    """CSV whose cells never run as formulas (see :class:`FormulaSafeFormatMixin`)."""


class SafeTSV(FormulaSafeFormatMixin, base_formats.TSV):
    """TSV whose cells never run as formulas (see :class:`FormulaSafeFormatMixin`)."""


# The admin's import and export files: CSV and TSV for spreadsheets, JSON for scripts
# (JSON is not opened by spreadsheets, so its values are left as they are).
FILE_FORMATS: list[type[base_formats.Format]] = [SafeCSV, SafeTSV, base_formats.JSON]
