"""Stream an orders queryset into a CSV file in constant memory.

The whole file is one ``COPY (SELECT …) TO STDOUT (FORMAT csv)``: the cells are formatted in
SQL (``exports.csv_format.sql_expression``) and psycopg hands the rows over as they come, so
Python never holds more than one row. The header is written by the ``csv`` module with the
same RFC 4180 quoting as PostgreSQL's and the same ``\\n`` line end, so the two agree.
"""

import csv
import io
import time
from collections.abc import Callable
from typing import IO

from django.db import connections
from django.db.models import QuerySet

from orders.models import Order

from .csv_format import sql_expression

# Progress (and the heartbeat the reaper watches) is written at most this often.
PROGRESS_EVERY_SECONDS = 2.0

Progress = Callable[[int], None]


def _header(fields: list[str]) -> bytes:
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerow(fields)
    return text.getvalue().encode()


def write_orders_csv(
    queryset: QuerySet[Order],
    fields: list[str],
    out: IO[bytes],
    progress: Progress | None = None,
) -> int:
    """Write the header and one row per order of ``queryset`` to ``out``; return the rows.

    ``progress(rows_so_far)`` is called every few seconds.
    """
    out.write(_header(fields))
    return _write_with_copy(queryset, fields, out, progress or (lambda rows: None))


def copy_sql(queryset: QuerySet[Order], fields: list[str]) -> tuple[str, tuple]:
    """The ``COPY … TO STDOUT`` statement (and its parameters) that writes the rows."""
    aliases = {f"export_cell_{index}": sql_expression(f) for index, f in enumerate(fields)}
    cells = queryset.annotate(**aliases).values_list(*aliases)
    sql, params = cells.query.sql_with_params()
    return f"COPY ({sql}) TO STDOUT (FORMAT csv)", params


def _write_with_copy(
    queryset: QuerySet[Order], fields: list[str], out: IO[bytes], progress: Progress
) -> int:
    sql, params = copy_sql(queryset, fields)
    django_connection = connections[queryset.db]
    # A connection of its own: the job's Django connection stays free to write progress
    # while the COPY streams. One statement, so the rows are one consistent snapshot.
    connection = django_connection.get_new_connection(django_connection.get_connection_params())
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            rows, last = 0, time.monotonic()
            with cursor.copy(sql, list(params)) as copy:
                for block in copy:  # libpq hands COPY data over one row at a time
                    out.write(block)
                    rows += 1
                    if rows % 1000 == 0 and time.monotonic() - last >= PROGRESS_EVERY_SECONDS:
                        progress(rows)
                        last = time.monotonic()
            return cursor.rowcount if cursor.rowcount >= 0 else rows
    finally:
        connection.close()
