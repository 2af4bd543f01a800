"""How the export's COPY reaches the file (``exports.csv_writer``): in large blocks, every
row, the server's errors raised, progress while it streams, and a stop that cancels the COPY.
"""

import io
import time

import psycopg
import pytest
from django.db import connection

from exports import csv_writer
from exports.csv_writer import write_orders_csv
from orders.models import Order

# COPY runs on a connection of its own, which sees only committed rows.
pytestmark = pytest.mark.django_db(transaction=True)


class CountingFile(io.BytesIO):
    """A file that remembers how many times it was written to."""

    def __init__(self) -> None:
        super().__init__()
        self.writes = 0

    def write(self, data) -> int:
        self.writes += 1
        return super().write(data)


def stream(sql: str, out: io.BytesIO, progress=lambda rows: None) -> int:
    """Run ``sql`` (a ``COPY … TO STDOUT``) the way the export does, into ``out``."""
    own = connection.get_new_connection(connection.get_connection_params())
    try:
        own.autocommit = True
        with own.cursor() as cursor, cursor.copy(sql):
            return csv_writer._stream_copy_out(own.pgconn, out, progress)
    finally:
        own.close()


def test_every_row_arrives_in_order_in_a_few_large_writes(monkeypatch):
    # Given a COPY of 200,000 numbered rows and blocks of 64 KiB
    monkeypatch.setattr(csv_writer, "WRITE_BLOCK_BYTES", 64 * 1024)
    out = CountingFile()

    # When it is streamed into a file
    rows = stream("COPY (SELECT x, 'row ' || x FROM generate_series(1, 200000) x) TO STDOUT", out)

    # Then the file holds every row, in order, written in blocks rather than row by row
    expected = b"".join(b"%d\trow %d\n" % (x, x) for x in range(1, 200_001))
    assert rows == 200_000
    assert out.getvalue() == expected
    assert 1 < out.writes <= len(expected) // (64 * 1024) + 2


def test_an_error_part_way_through_is_raised_not_taken_for_the_end():
    # Given a COPY that fails after about 50,000 rows, long after the first ones arrived
    out = io.BytesIO()

    # When it is streamed, then the server's error comes out (the file is not complete)
    with pytest.raises(psycopg.errors.DivisionByZero):
        stream("COPY (SELECT 1 / (50000 - x) FROM generate_series(1, 100000) x) TO STDOUT", out)
    assert 0 < out.getvalue().count(b"\n") < 50_000


def test_progress_is_reported_while_the_rows_stream(monkeypatch):
    # Given progress wanted as often as possible
    monkeypatch.setattr(csv_writer, "PROGRESS_EVERY_SECONDS", 0.0)
    reported: list[int] = []

    # When a big COPY is streamed
    rows = stream(
        "COPY (SELECT repeat('x', 100) FROM generate_series(1, 100000)) TO STDOUT",
        io.BytesIO(),
        reported.append,
    )

    # Then progress came more than once, growing, and never past the rows written
    assert len(reported) > 1
    assert reported == sorted(reported)
    assert reported[-1] <= rows == 100_000


def test_a_stop_during_the_copy_cancels_it_on_the_server(monkeypatch):
    # Given an export whose COPY pauses for 5 s in the server after 20,000 rows, and progress
    # that stops the export when it is first reported (as Celery's soft time limit does,
    # from inside the loop)
    pausing = (
        "COPY (SELECT x, CASE WHEN x = 20000 THEN pg_sleep(5)::text END"
        " FROM generate_series(1, 40000) x) TO STDOUT"
    )
    monkeypatch.setattr(csv_writer, "copy_sql", lambda queryset, fields: (pausing, ()))
    monkeypatch.setattr(csv_writer, "PROGRESS_EVERY_SECONDS", 0.0)

    class Stop(Exception):
        pass

    def stop(rows: int) -> None:
        raise Stop

    # When the export is written
    start = time.monotonic()
    with pytest.raises(Stop):
        write_orders_csv(Order.objects.all(), ["id"], io.BytesIO(), stop)

    # Then it stopped without waiting for the pause, and no COPY is left running on the server
    assert time.monotonic() - start < 3
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE 'COPY%'"
            " AND datname = current_database()"
        )
        assert cursor.fetchone() == (0,)
