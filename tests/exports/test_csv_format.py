"""How cells are written: the Python writer's rules, and PostgreSQL's COPY writing the same."""

import csv
import io
from datetime import UTC, datetime

import pytest

from exports.csv_format import STANDARD_FIELDS, format_meta_value, format_time, neutralize
from exports.csv_writer import write_orders_csv
from orders.models import Order
from tests.factories import make_order


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+2", "'=1+2"),
        ("+31 20 123", "'+31 20 123"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_text_cells_that_a_spreadsheet_would_run_are_neutralized(text, expected):
    assert neutralize(text) == expected


def test_timestamps_are_utc_iso_with_milliseconds_and_z():
    moment = datetime(2022, 3, 9, 9, 16, 32, 521999, tzinfo=UTC)

    assert format_time(moment) == "2022-03-09T09:16:32.521Z"


def test_metadata_values_keep_their_json_shape():
    assert format_meta_value([1, {"a": "b"}]) == '[1,{"a":"b"}]'
    assert format_meta_value(True) == "true"
    assert format_meta_value(-5) == "-5"  # a number: never neutralized
    assert format_meta_value("-5") == "'-5"  # text that looks like a formula
    assert format_meta_value(None) == ""


def _rows(use_copy: bool) -> list[list[str]]:
    out = io.BytesIO()
    fields = [*STANDARD_FIELDS, "metadata.tags", "metadata.flag", "metadata.note", "metadata.x"]
    write_orders_csv(Order.objects.order_by("created_at", "id"), fields, out, use_copy=use_copy)
    return list(csv.reader(io.StringIO(out.getvalue().decode("utf-8"), newline="")))


@pytest.mark.django_db(transaction=True)  # COPY runs on a connection of its own
def test_copy_and_the_python_writer_write_the_same_file():
    # Given orders with awkward values: quotes, commas, newlines, formulas, nested metadata
    make_order(
        amount=7700,
        source_id='=HYPERLINK("x"), "quoted"\nline 2',
        metadata={"tags": ["a", {"b": 1}], "flag": False, "note": "@evil", "ü": "é"},
        created_at=datetime(2022, 3, 9, 9, 16, 32, 521999, tzinfo=UTC),
    )
    make_order(amount=100, metadata={})

    # When both writers write every field
    copied, python = _rows(use_copy=True), _rows(use_copy=False)

    # Then the files read back identically, with the rules applied
    assert copied == python
    header, first, second = copied
    assert header[-4:] == ["metadata.tags", "metadata.flag", "metadata.note", "metadata.x"]
    row = dict(zip(header, first, strict=True))
    assert row["source_id"] == '\'=HYPERLINK("x"), "quoted"\nline 2'
    assert row["created_at"] == "2022-03-09T09:16:32.521Z"
    assert row["amount"] == "7700"
    assert row["metadata"] == '{"ü":"é","flag":false,"note":"@evil","tags":["a",{"b":1}]}'
    assert (row["metadata.tags"], row["metadata.flag"]) == ('["a",{"b":1}]', "false")
    assert (row["metadata.note"], row["metadata.x"]) == ("'@evil", "")
    assert dict(zip(header, second, strict=True))["referrer_id"] == ""
