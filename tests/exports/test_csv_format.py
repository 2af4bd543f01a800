"""How cells are written: the export's COPY, read back as a spreadsheet would read the file.

Every cell is formatted in SQL (``exports.csv_format.sql_expression`` and the functions of
migrations ``exports/0003_csv_functions`` and ``0004_csv_json_compact_without_recursion``);
these tests run the real export and look at the cells, so the OWASP and timestamp rules are
checked where they are applied, and stored values past today's metadata limits still export.
"""

import csv
import io
import json
import random
from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.db import connection

from exports.csv_format import STANDARD_FIELDS
from exports.csv_writer import write_orders_csv
from orders.models import Order
from tests.factories import CustomerFactory, make_order

# COPY runs on a connection of its own, which sees only committed rows.
pytestmark = pytest.mark.django_db(transaction=True)


def export(fields: list[str]) -> list[dict[str, str]]:
    """The orders (oldest first) as the export writes them, one dict per row."""
    out = io.BytesIO()
    rows = write_orders_csv(Order.objects.order_by("created_at", "id"), fields, out)
    header, *lines = csv.reader(io.StringIO(out.getvalue().decode("utf-8"), newline=""))
    assert header == fields
    assert len(lines) == rows
    return [dict(zip(header, line, strict=True)) for line in lines]


# (text as stored, the cell a spreadsheet is given)
TEXTS = [
    ("=1+2", "'=1+2"),
    ("+31 20 123", "'+31 20 123"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"),
    ("\rx", "'\rx"),
    ('=HYPERLINK("x"), "quoted"\nline 2', '\'=HYPERLINK("x"), "quoted"\nline 2'),
    ("plain", "plain"),
    ("a=b", "a=b"),
    ("Müller – 東京", "Müller – 東京"),
    ("", ""),
]


def test_text_cells_that_a_spreadsheet_would_run_get_a_leading_quote():
    # Given one order per awkward text, as its source ID and as a metadata string
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for index, (text, _) in enumerate(TEXTS):
        make_order(
            amount=100,
            # Source IDs are stripped (and an empty one is none), so the blank-led cases
            # are only checked through metadata.
            source_id=text if text == text.strip() else f"{index}",
            metadata={"note": text},
            created_at=start + timedelta(minutes=index),
        )

    # When they are exported
    rows = export(["source_id", "metadata.note"])

    # Then each text reads back neutralized where it starts with = + - @ tab or CR, else as is
    assert [row["metadata.note"] for row in rows] == [cell for _, cell in TEXTS]
    expected_ids = [
        cell if text == text.strip() else f"{index}" for index, (text, cell) in enumerate(TEXTS)
    ]
    assert [row["source_id"] for row in rows] == expected_ids


def test_timestamps_are_utc_iso_with_milliseconds_and_z():
    # Given an order created at 11:16:32.521999 in UTC+2
    make_order(
        amount=100,
        created_at=datetime(2022, 3, 9, 11, 16, 32, 521999, tzinfo=timezone(timedelta(hours=2))),
    )

    # When it is exported
    [row] = export(["created_at", "updated_at"])

    # Then the moment is written in UTC, cut (not rounded) to milliseconds, with a Z
    assert row["created_at"] == "2022-03-09T09:16:32.521Z"
    assert row["updated_at"].endswith("Z") and len(row["updated_at"]) == 24


def test_metadata_keeps_its_json_shape_and_numbers_are_never_altered():
    # Given an order with nested, boolean, numeric and non-ASCII metadata, and one without any
    customer = CustomerFactory()
    make_order(
        amount=7700,
        customer=customer,
        metadata={"tags": ["a", {"b": 1}], "flag": False, "n": -5, "s": "-5", "u": "é"},
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    make_order(amount=0, metadata={}, created_at=datetime(2026, 1, 2, tzinfo=UTC))

    # When every standard field and some keys are exported
    keys = ["metadata.tags", "metadata.flag", "metadata.n", "metadata.s", "metadata.missing"]
    first, second = export([*STANDARD_FIELDS, *keys])

    # Then metadata is compact JSON, keys hold their JSON values, a number stays a number
    # (even a negative one) while text that looks like one is neutralized, and missing
    # values are empty cells
    assert first["metadata"] == '{"n":-5,"s":"-5","u":"é","flag":false,"tags":["a",{"b":1}]}'
    assert first["metadata.tags"] == '["a",{"b":1}]'
    assert (first["metadata.flag"], first["metadata.n"], first["metadata.s"]) == (
        "false",
        "-5",
        "'-5",
    )
    assert first["metadata.missing"] == ""
    assert (first["amount"], first["total_amount"], first["discount_amount"]) == (
        "7700",
        "7700",
        "0",
    )
    assert first["customer_id"] == customer.pk
    assert (first["referrer_id"], second["customer_id"]) == ("", "")
    assert (second["metadata"], second["metadata.tags"]) == ("{}", "")


def test_json_cells_are_compact_outside_strings_and_untouched_inside_them():
    # Given metadata whose strings hold what the compact form removes between tokens
    tricky = ["a, b", "k: v", '", "', "\\", '\\", "x": "', "tab\there\nnew", ", :"]
    make_order(
        amount=100,
        metadata={"list": tricky, "obj": {"x, y": {"z: w": [1, 2.5, None, True]}}},
    )

    # When the whole metadata and each key are exported
    (row,) = export(["metadata", "metadata.list", "metadata.obj"])

    # Then only the blanks between tokens are gone; every string reads as stored
    assert row["metadata.list"] == (
        r'["a, b","k: v","\", \"","\\","\\\", \"x\": \"","tab\there\nnew",", :"]'
    )
    assert row["metadata.obj"] == '{"x, y":{"z: w":[1,2.5,null,true]}}'
    assert row["metadata"] == f'{{"obj":{row["metadata.obj"]},"list":{row["metadata.list"]}}}'


def test_a_value_nested_a_thousand_levels_deep_is_exported_not_an_error():
    # Given an order whose metadata was stored before the nesting limit existed (raw SQL,
    # past the validator): a thousand levels of arrays under one key, and a large string
    order = make_order(amount=100, metadata={})
    deep = "[" * 1000 + "]" * 1000
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Order._meta.db_table} SET metadata = jsonb_build_object("
            "'deep', %s::jsonb, 'big', repeat('x, ', 30000), 'n', 1) WHERE id = %s",
            [deep, order.pk],
        )

    # When an export holds the whole metadata and the deep key
    (row,) = export(["id", "metadata", "metadata.deep", "metadata.n"])

    # Then the export finishes with the value in compact JSON, like any other
    assert row["id"] == order.pk
    assert row["metadata.deep"] == deep
    assert row["metadata.n"] == "1"
    big = '"' + "x, " * 30000 + '"'
    assert row["metadata"] == f'{{"n":1,"big":{big},"deep":{deep}}}'


def test_an_export_job_over_a_deeply_nested_stored_value_ends_done(export_media, monkeypatch):
    # Given an order whose stored metadata is nested far past the limit (raw SQL), and no
    # broker message (the job is run here, as a worker would run it)
    from exports.models import Export
    from exports.services import run_export, schedule_export

    monkeypatch.setattr("exports.services.send_export", lambda export_id: None)
    order = make_order(amount=100, metadata={})
    deep = '{"a":' * 2000 + "1" + "}" * 2000
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Order._meta.db_table} SET metadata = jsonb_build_object('deep', %s::jsonb)"
            " WHERE id = %s",
            [deep, order.pk],
        )

    # When an export of the whole metadata and of that key runs
    export = schedule_export(None, Export.Channel.API, fields=["id", "metadata", "metadata.deep"])
    run_export(export.pk)

    # Then it is DONE, its row holding the value as compact JSON
    export.refresh_from_db()
    assert (export.status, export.error, export.rows_done) == (Export.Status.DONE, "", 1)
    with export.file.open("rb") as handle:
        header, row = csv.reader(io.StringIO(handle.read().decode(), newline=""))
    assert header == ["id", "metadata", "metadata.deep"]
    assert row == [order.pk, f'{{"deep":{deep}}}', deep]


def test_compact_json_is_jsons_own_compact_form_for_random_values():
    # Given random values full of what the compact form must leave alone inside strings
    rng = random.Random(15)
    pieces = ["a", " ", ", ", ": ", '"', "\\", "\n", "\t", "é", "😀", "{", "]", '\\"', "\x01"]

    def text() -> str:
        return "".join(rng.choice(pieces) for _ in range(rng.randint(0, 6)))

    def value(depth: int = 0) -> object:
        roll = rng.random()
        if roll < 0.25 and depth < 5:
            return [value(depth + 1) for _ in range(rng.randint(0, 3))]
        if roll < 0.5 and depth < 5:
            return {text(): value(depth + 1) for _ in range(rng.randint(0, 3))}
        return rng.choice([text(), rng.randint(-(10**20), 10**20), 2.5, -0.125, True, None])

    values = [json.dumps(value()) for _ in range(300)]

    # When PostgreSQL stores each and writes it as a cell
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT value::jsonb::text, ch_json_compact(value::jsonb)"
            " FROM unnest(%s::text[]) AS value",
            [values],
        )
        rows = cursor.fetchall()

    # Then each cell is exactly json.dumps' compact form of the stored value (in jsonb's key
    # order): blanks between tokens gone, every string as stored
    for stored, cell in rows:
        parsed = json.loads(stored)
        assert cell == json.dumps(parsed, separators=(",", ":"), ensure_ascii=False)
