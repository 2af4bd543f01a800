"""The SQL functions that write export cells (migrations ``exports/0005_csv_functions_inlined``
and ``0006_csv_time_without_zone_lookup``) write the same bytes as the ones they replaced and
as the rules say, and are inlined.

The previous definitions (migration ``0003_csv_functions``) are repeated here as plain SQL
expressions, so the comparison does not depend on which migration the database is at.
"""

import csv
import io
import json
import random
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from exports.csv_format import NUMBER_FIELDS, STANDARD_FIELDS
from exports.csv_writer import copy_sql, write_orders_csv
from orders.models import Order
from orders.totals import MAX_AMOUNT
from tests.factories import make_order

OLD_TEXT = (
    "CASE WHEN left({0}, 1) IN ('=', '+', '-', '@', E'\\t', E'\\r') THEN '''' || {0} ELSE {0} END"
)
OLD_TIME = "to_char({0} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
OLD_META = (
    "CASE jsonb_typeof({0} -> {1}) WHEN 'string' THEN " + OLD_TEXT.format("({0} ->> {1})") + " "
    "WHEN 'object' THEN ch_json_compact({0} -> {1}) WHEN 'array' THEN ch_json_compact({0} -> {1}) "
    "ELSE {0} ->> {1} END"
)

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def text_cell(value: str | None) -> str | None:
    """OWASP's rule, in Python: a leading quote before = + - @ tab or carriage return."""
    if value is None:
        return None
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def time_cell(value: datetime | None) -> str | None:
    """UTC, ISO 8601, milliseconds cut (not rounded), Z."""
    if value is None:
        return None
    utc = value.astimezone(UTC)
    return (
        f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}T{utc.hour:02d}:{utc.minute:02d}:"
        f"{utc.second:02d}.{utc.microsecond // 1000:03d}Z"
    )


TEXTS = [
    None,
    "",
    "=",
    "=1+2",
    "+31 20 123",
    "-2",
    "-",
    "@SUM(A1)",
    "\t",
    "\tx",
    "\r",
    "\rx",
    "\n=1+2",
    " =1+2",
    "'=1+2",
    '"=1", "quoted"\nline 2\r\n',
    "a=b",
    "1-2",
    "＝1+2",  # a full-width equals sign is not one of the six
    "Müller – 東京",
    "😀=",
    "ord_0123456789abcdefghijklmnop",
    "CANCELED",
    "x" * 10_000,
    "\x01=",
]

ZONES = [
    UTC,
    timezone(timedelta(hours=14)),
    timezone(-timedelta(hours=12)),
    ZoneInfo("Asia/Kathmandu"),
]
TIMES = [
    None,
    datetime(1970, 1, 1, tzinfo=UTC),
    datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    datetime(1969, 12, 31, 23, 59, 59, 999000, tzinfo=UTC),
    datetime(1, 1, 1, tzinfo=UTC),
    datetime(1, 1, 1, 0, 0, 0, 999, tzinfo=UTC),
    datetime(1899, 12, 31, 12, 0, 0, 1000, tzinfo=UTC),
    datetime(1900, 2, 28, 23, 59, 59, 500, tzinfo=UTC),
    datetime(2000, 2, 29, 12, 30, 45, 123456, tzinfo=UTC),
    datetime(2022, 3, 9, 11, 16, 32, 521999, tzinfo=timezone(timedelta(hours=2))),
    datetime(2024, 3, 31, 2, 30, tzinfo=ZoneInfo("Europe/Amsterdam")),
    datetime(2026, 1, 1, 0, 0, 0, 999999, tzinfo=ZoneInfo("America/New_York")),
    datetime(2100, 1, 1, 0, 0, 0, 0, tzinfo=UTC),
    datetime(2100, 2, 28, 23, 59, 59, 999999, tzinfo=UTC),
    datetime(3000, 6, 15, 8, 0, 0, 1, tzinfo=ZoneInfo("Asia/Kathmandu")),
    datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
]

METADATA = {
    "formula": "=cmd|' /C calc'!A0",
    "plus": "+1",
    "minus": "-1",
    "at": "@x",
    "tab": "\tx",
    "cr": "\rx",
    "quotes": 'say "hi", then: go',
    "lines": "a\nb\r\nc",
    "plain": "plain",
    "empty": "",
    "negative": -5,
    "zero": 0,
    "float": -0.125,
    "huge": 123456789012345678901234567890,
    "true": True,
    "null": None,
    "list": ["=1", "a, b", {"k: v": -1}],
    "object": {"=x": "+y", "n": [1, 2.5, None]},
}


def random_times(count: int) -> list[datetime]:
    rng = random.Random(18)
    start, span = datetime(1, 1, 2, tzinfo=UTC), 9997 * 365 * 86400
    return [
        (
            start + timedelta(seconds=rng.randrange(span), microseconds=rng.randrange(1_000_000))
        ).astimezone(rng.choice(ZONES))
        for _ in range(count)
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("session_zone", ["UTC", "Pacific/Chatham"])
def test_text_and_time_cells_are_the_same_as_before_and_as_the_rules(session_zone):
    # Given awkward texts and moments, and a session in some time zone and date style
    times = TIMES + random_times(2000)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL TimeZone = %s", [session_zone])
        cursor.execute("SET LOCAL DateStyle = 'SQL, DMY'")

        # When PostgreSQL formats each with today's functions and with the previous ones
        cursor.execute(
            f"SELECT ch_csv_text(value), {OLD_TEXT.format('value')}"
            " FROM unnest(%s::text[]) WITH ORDINALITY AS cell(value, position) ORDER BY position",
            [TEXTS],
        )
        texts = cursor.fetchall()
        cursor.execute(
            f"SELECT ch_csv_time(value), {OLD_TIME.format('value')}"
            " FROM unnest(%s::timestamptz[]) WITH ORDINALITY AS cell(value, position)"
            " ORDER BY position",
            [times],
        )
        moments = cursor.fetchall()

    # Then the cells are the previous ones, byte for byte, and what the rules say
    assert [new for new, _ in texts] == [old for _, old in texts]
    assert [new for new, _ in texts] == [text_cell(text) for text in TEXTS]
    assert [new for new, _ in moments] == [old for _, old in moments]
    assert [new for new, _ in moments] == [time_cell(moment) for moment in times]


@pytest.mark.django_db
def test_metadata_cells_are_the_same_as_before():
    # Given metadata with every kind of JSON value, formula-led strings among them
    keys = [*METADATA, "missing"]
    with connection.cursor() as cursor:
        # When each key is formatted with today's function and with the previous one
        cursor.execute(
            f"SELECT ch_csv_meta(metadata, key), {OLD_META.format('metadata', 'key')}"
            " FROM (SELECT %s::jsonb AS metadata) AS stored,"
            " unnest(%s::text[]) WITH ORDINALITY AS cell(key, position) ORDER BY position",
            [json.dumps(METADATA), keys],
        )
        cells = cursor.fetchall()

    # Then the cells are the same, strings neutralized and numbers as stored
    assert [new for new, _ in cells] == [old for _, old in cells]
    by_key = dict(zip(keys, (new for new, _ in cells), strict=True))
    assert by_key["formula"] == "'=cmd|' /C calc'!A0"
    assert (by_key["tab"], by_key["cr"], by_key["lines"]) == ("'\tx", "'\rx", "a\nb\r\nc")
    assert (by_key["negative"], by_key["zero"], by_key["huge"]) == (
        "-5",
        "0",
        "123456789012345678901234567890",
    )
    assert (by_key["null"], by_key["missing"]) == (None, None)
    assert by_key["object"] == '{"n":[1,2.5,null],"=x":"+y"}'


@pytest.mark.django_db(transaction=True)
def test_an_export_of_edge_values_reads_back_as_the_python_rules_say():
    # Given orders at the edges: no source ID, formula-led source IDs, amounts of 0 and the
    # largest allowed, moments before 1970, at .000 and .999 ms and after 2100
    cases = [
        (None, 0, datetime(1969, 7, 20, 20, 17, 40, 999999, tzinfo=UTC)),
        ('=HYPERLINK("x")', MAX_AMOUNT, datetime(2100, 1, 1, tzinfo=UTC)),
        ("+31", 1, datetime(2026, 3, 29, 3, 0, 0, 500, tzinfo=ZoneInfo("Europe/Amsterdam"))),
        ("-1", 99, datetime(9999, 12, 31, 23, 59, 59, 999000, tzinfo=UTC)),
        ("@a", 100, datetime(1900, 1, 1, tzinfo=timezone(timedelta(hours=-5)))),
        ('a,"b"', 12345, datetime(2024, 2, 29, 12, 0, 0, 1000, tzinfo=UTC)),
    ]
    orders = [
        make_order(source_id=source_id, amount=amount, created_at=moment)
        for source_id, amount, moment in cases
    ]

    # When every standard field but the JSON is exported
    fields = [field for field in STANDARD_FIELDS if field != "metadata"]
    out = io.BytesIO()
    write_orders_csv(Order.objects.order_by("created_at", "id"), fields, out)
    header, *lines = csv.reader(io.StringIO(out.getvalue().decode(), newline=""))

    # Then each cell is what the Python rules write for the stored value
    assert header == fields
    expected = []
    for order in sorted(orders, key=lambda order: order.created_at):
        order.refresh_from_db()
        row = []
        for field in fields:
            value = getattr(order, field)
            if field in ("created_at", "updated_at"):
                row.append(time_cell(value))
            elif field in NUMBER_FIELDS:
                row.append(str(value))
            else:
                row.append(text_cell(value) or "")
        expected.append(row)
    assert lines == expected
    assert {"0", str(MAX_AMOUNT)} <= {line[fields.index("amount")] for line in lines}


@pytest.mark.django_db
def test_every_cell_function_is_inlined_into_the_exports_query():
    # Given the export's query over every standard field and a metadata key
    sql, params = copy_sql(Order.objects.order_by("-created_at"), [*STANDARD_FIELDS, "metadata.k"])
    select = sql.removeprefix("COPY (").removesuffix(") TO STDOUT (FORMAT csv)")

    # When PostgreSQL plans it
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN VERBOSE {select}", params)
        plan = "\n".join(line for (line,) in cursor.fetchall())

    # Then no ch_csv_*/ch_json_* function is called: their bodies are in the plan instead
    assert "ch_csv_" not in plan and "ch_json_" not in plan, plan
    assert "to_char" in plan and "ascii" in plan and "regexp_replace" in plan


def volatility_and_body(name: str) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT provolatile, prosrc FROM pg_proc WHERE proname = %s", [name])
        (row,) = cursor.fetchall()
    return row


@pytest.mark.django_db(transaction=True)
def test_the_migration_goes_back_to_the_previous_functions_and_forward_again():
    # Given the database at the latest migration
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes("exports")

    # When the exports app goes back to 0004, then forward again
    executor.migrate([("exports", "0004_csv_json_compact_without_recursion")])
    before = volatility_and_body("ch_csv_time"), volatility_and_body("ch_csv_text")
    executor = MigrationExecutor(connection)
    executor.migrate(latest)
    after = volatility_and_body("ch_csv_time"), volatility_and_body("ch_csv_text")

    # Then 0004 has 0003's IMMUTABLE to_char and left(), and the latest the inlinable ones
    (time_before, text_before), (time_after, text_after) = before, after
    assert time_before[0] == "i" and "left(value, 1)" in text_before[1]
    assert time_after[0] == "s" and "ascii(value)" in text_after[1]
    assert "AT TIME ZONE 'UTC'" in time_before[1]
    assert "AT TIME ZONE INTERVAL '0'" in time_after[1]  # the same to_char, no zone look-up
