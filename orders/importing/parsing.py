"""Reading import files into raw order records, one at a time, in bounded memory.

A record is a dict in the reference's order payload shape (what a JSON Lines line holds),
with the file name and the line (row) number it started on. CSV rows, one per item, are
grouped back into orders here, so validation sees one shape whatever the format.
"""

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FORMATS = ("jsonl", "json", "csv")

# CSV columns holding an order's own fields, the customer's and the referrer's, and items'.
ORDER_COLUMNS = ("source_id", "status", "amount", "discount_amount", "created_at")
PERSON_FIELDS = (
    "source_id",
    "name",
    "email",
    "phone",
    "address_line_1",
    "address_line_2",
    "city",
    "state",
    "postal_code",
    "country",
)
ITEM_COLUMNS = {
    "item_source_id": "source_id",
    "item_product_source_id": "product_id",
    "item_product_name": "product_name",
    "item_sku_source_id": "sku_id",
    "item_sku_name": "sku_name",
    "item_quantity": "quantity",
    "item_price": "price",
    "item_discount_amount": "discount_amount",
}
REQUIRED_CSV_COLUMNS = ("source_id", "status")


class MalformedFile(Exception):
    """The file cannot be read at all; the message names the file and the place."""


@dataclass
class RawOrder:
    """One order as found in a file, before validation."""

    file: str
    line: int
    data: Any  # a dict when the file is well-formed; anything else is a validation error
    size: int = 0  # characters read for it, roughly its bytes: for the progress ETA


def detect_format(path: Path, given: str | None) -> str:
    """The format named by ``--format``, else guessed from the file's extension."""
    if given:
        return given
    suffix = path.suffix.lower().lstrip(".")
    if suffix == "ndjson":
        return "jsonl"
    if suffix in FORMATS:
        return suffix
    raise MalformedFile(f"{path}: cannot tell the format from the name; pass --format")


def read_orders(path: Path, file_format: str) -> Iterator[RawOrder]:
    """Yield the file's orders in file order; raise ``MalformedFile`` for an unreadable one."""
    try:
        if file_format == "jsonl":
            yield from _read_jsonl(path)
        elif file_format == "json":
            yield from _read_json(path)
        else:
            yield from _read_csv(path)
    except UnicodeDecodeError as error:
        raise MalformedFile(
            f"{path}: not UTF-8 text (byte {error.start} of a chunk: {error.reason})"
        ) from error


def _read_jsonl(path: Path) -> Iterator[RawOrder]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as error:
                raise MalformedFile(
                    f"{path}, line {number}: broken JSON ({error.msg} at column {error.colno})"
                ) from error
            yield RawOrder(str(path), number, data, len(line))


def _read_json(path: Path) -> Iterator[RawOrder]:
    # A JSON array has to be parsed whole; JSON Lines is the format for big files.
    with path.open(encoding="utf-8") as handle:
        try:
            data = json.load(handle)
        except json.JSONDecodeError as error:
            raise MalformedFile(
                f"{path}, line {error.lineno}: broken JSON ({error.msg} at column {error.colno})"
            ) from error
    if not isinstance(data, list):
        raise MalformedFile(f"{path}: a JSON file must hold an array of orders")
    for index, element in enumerate(data, start=1):
        yield RawOrder(str(path), index, element)


def _read_csv(path: Path) -> Iterator[RawOrder]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        try:
            header = next(reader)
        except StopIteration:
            return
        header = [name.strip() for name in header]
        missing = [name for name in REQUIRED_CSV_COLUMNS if name not in header]
        if missing:
            raise MalformedFile(f"{path}, line 1: missing required column(s) {', '.join(missing)}")
        current: dict[str, Any] | None = None
        current_line = current_size = 0
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise MalformedFile(
                    f"{path}, line {line}: {len(row)} cells where the header has {len(header)}"
                )
            cells = dict(zip(header, row, strict=True))
            size = sum(len(cell) + 1 for cell in row)
            source_id = cells.get("source_id", "").strip()
            # Consecutive rows with the same non-empty source_id are one order's items.
            if current is not None and source_id and source_id == current.get("source_id"):
                _add_item(current, cells)
                current_size += size
                continue
            if current is not None:
                yield RawOrder(str(path), current_line, current, current_size)
            current, current_line, current_size = _order_from_cells(cells), line, size
        if current is not None:
            yield RawOrder(str(path), current_line, current, current_size)


def _order_from_cells(cells: dict[str, str]) -> dict[str, Any]:
    order: dict[str, Any] = {"items": [], "_csv": True}
    for name in ORDER_COLUMNS:
        value = cells.get(name, "").strip()
        if value:
            order[name] = value
    for role in ("customer", "referrer"):
        person = {
            name: cells[f"{role}_{name}"].strip()
            for name in PERSON_FIELDS
            if cells.get(f"{role}_{name}", "").strip()
        }
        if person:
            order[role] = person
    metadata = {
        name.removeprefix("metadata."): value
        for name, value in cells.items()
        if name.startswith("metadata.") and value != ""
    }
    if metadata:
        order["metadata"] = metadata
    _add_item(order, cells)
    return order


def _add_item(order: dict[str, Any], cells: dict[str, str]) -> None:
    item = {key: cells[column].strip() for column, key in ITEM_COLUMNS.items() if column in cells}
    if any(item.values()):
        order["items"].append({key: value for key, value in item.items() if value})
