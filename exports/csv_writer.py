"""Stream an orders queryset into a CSV file in constant memory.

On PostgreSQL the whole file is one ``COPY (SELECT …) TO STDOUT (FORMAT csv)``: the cells are
formatted in SQL (``exports.csv_format.sql_expression``) and psycopg hands the rows over as
they come, so Python never holds more than one row. Elsewhere (the embedded SQLite default)
rows come in batches from ``.iterator(chunk_size=…)`` and are formatted in Python with the
same rules. Both write UTF-8, RFC 4180 quoting (the ``csv`` module's and PostgreSQL's), and
``\\n`` line ends so the header and the rows agree.
"""

import csv
import io
import time
from collections.abc import Callable
from typing import IO

from django.db import connections
from django.db.models import QuerySet

from orders.models import Order

from .csv_format import format_row, source_columns, sql_expression

# Progress (and the heartbeat the reaper watches) is written at most this often.
PROGRESS_EVERY_SECONDS = 2.0
CHUNK_SIZE = 2000

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
    *,
    use_copy: bool | None = None,
) -> int:
    """Write the header and one row per order of ``queryset`` to ``out``; return the rows.

    ``progress(rows_so_far)`` is called every few seconds. ``use_copy`` defaults to whether
    the database is PostgreSQL.
    """
    if use_copy is None:
        use_copy = connections[queryset.db].vendor == "postgresql"
    out.write(_header(fields))
    writer = _write_with_copy if use_copy else _write_with_iterator
    return writer(queryset, fields, out, progress or (lambda rows: None))


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


def _write_with_iterator(
    queryset: QuerySet[Order], fields: list[str], out: IO[bytes], progress: Progress
) -> int:
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")
    writer = csv.writer(text, lineterminator="\n")
    rows, last = 0, time.monotonic()
    try:
        for row in queryset.values(*source_columns(fields)).iterator(chunk_size=CHUNK_SIZE):
            writer.writerow(format_row(fields, row))
            rows += 1
            if rows % 1000 == 0 and time.monotonic() - last >= PROGRESS_EVERY_SECONDS:
                progress(rows)
                last = time.monotonic()
    finally:
        text.flush()
        text.detach()  # the caller owns ``out``
    return rows
