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

from customers.services import PROFILE_FIELDS

FORMATS = ("jsonl", "json", "csv")

# CSV columns holding an order's own fields, the customer's and the referrer's, and items'.
ORDER_COLUMNS = ("source_id", "status", "amount", "discount_amount", "created_at")
# A customer's or referrer's columns: its source ID and the profile fields, but the
# description (an operator's note, not shop data).
PERSON_FIELDS = ("source_id", *(name for name in PROFILE_FIELDS if name != "description"))
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


class _CsvLayout:
    """Where each field sits in a row, worked out once from the header (when a name repeats,
    its last column counts)."""

    def __init__(self, header: list[str]) -> None:
        at = {name: index for index, name in enumerate(header)}
        self.width = len(header)
        self.source_id = at["source_id"]
        self.order = [(name, at[name]) for name in ORDER_COLUMNS if name in at]
        self.people = [
            (
                role,
                [(name, at[f"{role}_{name}"]) for name in PERSON_FIELDS if f"{role}_{name}" in at],
            )
            for role in ("customer", "referrer")
        ]
        self.metadata = [
            (name.removeprefix("metadata."), index)
            for name, index in at.items()
            if name.startswith("metadata.")
        ]
        self.items = [(key, at[column]) for column, key in ITEM_COLUMNS.items() if column in at]
        self.item_metadata = [
            (name.removeprefix(ITEM_METADATA_PREFIX), index)
            for name, index in at.items()
            if name.startswith(ITEM_METADATA_PREFIX)
        ]

    def order_from(self, row: list[str]) -> dict[str, Any]:
        order: dict[str, Any] = {"items": [], "_csv": True}
        for name, index in self.order:
            value = row[index].strip()
            if value:
                order[name] = value
        for role, fields in self.people:
            person = {}
            for name, index in fields:
                value = row[index].strip()
                if value:
                    person[name] = value
            if person:
                order[role] = person
        metadata = {key: row[index] for key, index in self.metadata if row[index] != ""}
        if metadata:
            order["metadata"] = metadata
        self.add_item(order, row)
        return order

    def add_item(self, order: dict[str, Any], row: list[str]) -> None:
        item: dict[str, Any] = {}
        for key, index in self.items:
            value = row[index].strip()
            if value:
                item[key] = value
        metadata = {key: row[index] for key, index in self.item_metadata if row[index] != ""}
        if metadata:
            item["metadata"] = metadata
        if item:
            order["items"].append(item)


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
        layout = _CsvLayout(header)
        width, source_column, name = layout.width, layout.source_id, str(path)
        current: dict[str, Any] | None = None
        current_line = current_size = 0
        for row in reader:
            line = reader.line_num
            if not "".join(row).strip():
                continue
            if len(row) != width:
                raise MalformedFile(
                    f"{path}, line {line}: {len(row)} cells where the header has {width}"
                )
            size = sum(map(len, row)) + len(row)
            source_id = row[source_column].strip()
            # Consecutive rows with the same non-empty source_id are one order's items.
            if current is not None and source_id and source_id == current.get("source_id"):
                layout.add_item(current, row)
                current_size += size
                continue
            if current is not None:
                yield RawOrder(name, current_line, current, current_size)
            current, current_line, current_size = layout.order_from(row), line, size
        if current is not None:
            yield RawOrder(name, current_line, current, current_size)


ITEM_METADATA_PREFIX = "item_metadata."
