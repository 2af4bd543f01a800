"""Running an import: read, validate, stage (COPY), then upsert set-based, in one transaction.

Every file is read and validated in full, batch by batch, into temporary staging tables
before any real table is written; then a few set-based statements write the orders. The
whole import is one transaction: interrupted at any point (Ctrl-C, ``kill -9``, an error),
it leaves nothing behind, and running it again gives exactly what one clean run gives.
"""

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from customers.services import rebuild_all_purchase_summaries

from . import staging, upsert
from .parsing import read_orders
from .validation import InvalidOrder, OrderValidator

DEFAULT_BATCH_SIZE = 5_000
ON_ERROR = ("abort", "skip")


@dataclass(frozen=True)
class Problem:
    """One order that cannot be imported, located so a person can find and fix it."""

    file: str
    line: int
    source_id: str
    reason: str


@dataclass
class ImportResult:
    """What an import did (or, on a dry run or an abort, would have done)."""

    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    written: bool = False
    seconds: float = 0.0

    @property
    def failed(self) -> int:
        return len({(problem.file, problem.line) for problem in self.problems})


# Called after each staged batch with (orders read so far, characters read so far).
Progress = Callable[[int, int], None]


class ImportAborted(Exception):
    """Raised inside the transaction to roll it back when invalid orders abort the import."""


def _source_id_of(data: object) -> str:
    if isinstance(data, dict):
        return str(data.get("source_id") or data.get("id") or "")
    return ""


def import_files(
    files: Iterable[tuple[Path, str]],
    *,
    dry_run: bool = False,
    on_error: str = "abort",
    batch_size: int = DEFAULT_BATCH_SIZE,
    actor_label: str = "importer",
    progress: Progress | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> ImportResult:
    """Import ``files`` (path, format) and return the counts and problems.

    ``on_error="abort"``: any invalid order means nothing is written. ``"skip"``: valid
    orders are written, invalid ones reported. ``dry_run``: everything is computed, then
    rolled back. Raises ``parsing.MalformedFile`` for a file that cannot be read at all.
    """
    if on_error not in ON_ERROR:
        raise ValueError(f"on_error must be one of {ON_ERROR}")
    connection = connections[using]
    if connection.vendor != "postgresql":
        raise RuntimeError("import_orders needs PostgreSQL (it loads through COPY)")
    started = time.monotonic()
    result = ImportResult()
    try:
        with transaction.atomic(using=using), connection.cursor() as cursor:
            cursor.execute(staging.CREATE_SQL)
            _stage(cursor, files, result, batch_size, progress)
            for file, line, source_id, first in upsert.find_duplicates(cursor):
                result.problems.append(
                    Problem(file, line, source_id, f"source_id repeats the order on line {first}")
                )
            if result.problems and on_error == "abort":
                raise ImportAborted
            upsert.drop_duplicates(cursor)
            counts = upsert.upsert(cursor, actor_label)
            result.created, result.updated = counts.created, counts.updated
            result.unchanged = counts.unchanged
            if counts.created or counts.updated:
                rebuild_all_purchase_summaries(using=using)
            cursor.execute(staging.DROP_SQL)
            if dry_run:
                transaction.set_rollback(True, using=using)
            else:
                result.written = bool(counts.created or counts.updated)
    except ImportAborted:
        pass
    result.problems.sort(key=lambda problem: (problem.file, problem.line))
    result.seconds = time.monotonic() - started
    return result


def _stage(
    cursor: object,
    files: Iterable[tuple[Path, str]],
    result: ImportResult,
    batch_size: int,
    progress: Progress | None,
) -> None:
    validator = OrderValidator()
    batch = staging.StagedBatch()
    characters = 0
    for path, file_format in files:
        for raw in read_orders(path, file_format):
            result.read += 1
            characters += raw.size
            try:
                order = validator.validate(raw.data)
            except InvalidOrder as error:
                result.problems.extend(
                    Problem(raw.file, raw.line, _source_id_of(raw.data), reason)
                    for reason in error.reasons
                )
                continue
            batch.add(result.read, raw.file, raw.line, order)
            if len(batch) >= batch_size:
                stage_batch(cursor, batch)
                batch = staging.StagedBatch()
                if progress:
                    progress(result.read, characters)
    if len(batch):
        stage_batch(cursor, batch)
    if progress:
        progress(result.read, characters)


def stage_batch(cursor: object, batch: staging.StagedBatch) -> None:
    """COPY one batch into the staging tables; a module-level seam tests interrupt."""
    staging.copy_batch(cursor, batch)
