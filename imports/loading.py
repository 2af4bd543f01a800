"""Running an import: read, validate, stage (COPY), then upsert set-based, in one transaction.

Every file is read and validated in full, batch by batch, into temporary staging tables
before any real table is written; then a few set-based statements write the orders. The
whole import is one transaction: interrupted at any point (Ctrl-C, ``kill -9``, an error),
it leaves nothing behind, and running it again gives exactly what one clean run gives.
"""

import gc
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from orders.summaries import (
    MAX_REBUILD_CUSTOMERS,
    rebuild_all_purchase_summaries,
    rebuild_purchase_summaries,
)

from . import staging, upsert
from .parsing import RawOrder, read_orders
from .validation import InvalidOrder, OrderValidator

DEFAULT_BATCH_SIZE = 5_000
ON_ERROR = ("abort", "skip")
# The most orders one ``import_payloads`` call takes (``POST /v1/orders/import``).
MAX_PAYLOAD_ORDERS = 2_000
# What ``import_payloads`` calls the request in its problems' ``file``.
PAYLOAD = "request"
# Up to this many customers touched, their summaries are rebuilt set-based from their own
# orders (the cost follows the import, not the tables); beyond it, all summaries are.
SUMMARY_REBUILD_LIMIT = MAX_REBUILD_CUSTOMERS
# PostgreSQL's memory per sort or hash in the import's statements (the default is 4MB).
WORK_MEM = "64MB"


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

    def raw_orders() -> Iterator[RawOrder]:
        for path, file_format in files:
            yield from read_orders(path, file_format)

    return _import(
        raw_orders(),
        dry_run=dry_run,
        on_error=on_error,
        batch_size=batch_size,
        actor_label=actor_label,
        progress=progress,
        using=using,
    )


def import_payloads(
    orders: list[dict[str, Any]],
    *,
    on_error: str = "skip",
    actor_label: str,
    dry_run: bool = False,
    using: str = DEFAULT_DB_ALIAS,
) -> ImportResult:
    """Import orders given as data, for ``POST /v1/orders/import``: the same validation,
    staging and upsert as ``import_orders``, in one transaction.

    ``orders``: at most ``MAX_PAYLOAD_ORDERS`` (2,000) orders, each a dict in the reference's
    order payload shape (what one line of a JSON Lines import holds). ``on_error``:
    ``"skip"`` (default) writes the valid orders and reports the others; ``"abort"`` writes
    nothing if any order is invalid. ``actor_label`` names who imported (on each order's
    ``imported`` event, actor type ``importer``). ``dry_run``: validate and count, write
    nothing.

    Returns an ``ImportResult``: ``created``, ``updated``, ``unchanged``, ``failed`` and
    ``problems``, one ``Problem`` per reason, with ``file`` ``"request"``, ``line`` the
    order's 1-based position in ``orders``, its ``source_id`` (``""`` when it has none) and
    the ``reason`` (the sentences ``import_orders`` prints). Raises ``ValueError`` for more
    than 2,000 orders, an ``orders`` that is not a list, or an unknown ``on_error``.
    """
    if not isinstance(orders, list):
        raise ValueError("orders must be a list of order objects")
    if len(orders) > MAX_PAYLOAD_ORDERS:
        raise ValueError(
            f"an import request holds at most {MAX_PAYLOAD_ORDERS} orders "
            f"(actual count is {len(orders)})"
        )

    def raw_orders() -> Iterator[RawOrder]:
        for position, data in enumerate(orders, start=1):
            if isinstance(data, dict) and "_csv" in data:
                # Only the CSV reader may ask for cells to be read as JSON.
                data = {key: value for key, value in data.items() if key != "_csv"}
            yield RawOrder(PAYLOAD, position, data)

    return _import(
        raw_orders(),
        dry_run=dry_run,
        on_error=on_error,
        batch_size=DEFAULT_BATCH_SIZE,
        actor_label=actor_label,
        progress=None,
        using=using,
    )


def _import(
    raw_orders: Iterable[RawOrder],
    *,
    dry_run: bool,
    on_error: str,
    batch_size: int,
    actor_label: str,
    progress: Progress | None,
    using: str,
) -> ImportResult:
    if on_error not in ON_ERROR:
        raise ValueError(f"on_error must be one of {ON_ERROR}")
    connection = connections[using]
    started = time.monotonic()
    result = ImportResult()
    try:
        with transaction.atomic(using=using), connection.cursor() as cursor:
            # JIT compiling these few big statements costs seconds and saves nothing; their
            # sorts (by file order, by source ID) stay in memory with a larger work_mem.
            cursor.execute(f"SET LOCAL jit = off; SET LOCAL work_mem = '{WORK_MEM}'")
            cursor.execute(staging.CREATE_SQL)
            _stage(cursor, raw_orders, result, batch_size, progress)
            duplicates = upsert.find_duplicates(cursor)
            for file, line, source_id, first in duplicates:
                result.problems.append(
                    Problem(file, line, source_id, f"source_id repeats the order on line {first}")
                )
            if result.problems and on_error == "abort":
                raise ImportAborted
            if duplicates:  # else there is nothing to drop: only valid orders are staged
                upsert.drop_duplicates(cursor)
            counts = _upsert(cursor, actor_label, using)
            result.created, result.updated = counts.created, counts.updated
            result.unchanged = counts.unchanged
            if counts.created or counts.updated:
                customers = upsert.touched_customers(cursor, SUMMARY_REBUILD_LIMIT + 1)
                if len(customers) > SUMMARY_REBUILD_LIMIT:
                    rebuild_all_purchase_summaries(using=using)
                else:
                    rebuild_purchase_summaries(customers, using=using)
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


# How many times an import plans again when other writers keep creating its new source IDs.
UPSERT_ATTEMPTS = 3


def _upsert(cursor: Any, actor_label: str, using: str) -> upsert.UpsertCounts:
    """``upsert.upsert`` in a savepoint, planned again when a concurrent writer created one of
    its new source IDs first (its order is then updated, as if it had been there before)."""
    for attempt in range(1, UPSERT_ATTEMPTS + 1):
        try:
            with transaction.atomic(using=using):
                return upsert.upsert(cursor, actor_label)
        except upsert.SourceIdTaken:
            if attempt == UPSERT_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Python's cyclic garbage collector off for a while, then as it was.

    Staging makes millions of short-lived dicts, lists and tuples, none of them in a cycle:
    reference counting frees each as soon as it is done with. The cyclic collector, set off
    by the count of allocations, would meanwhile walk every live object of the process over
    and over (Django's included), about a third of the Python time of an import.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _stage(
    cursor: Any,
    raw_orders: Iterable[RawOrder],
    result: ImportResult,
    batch_size: int,
    progress: Progress | None,
) -> None:
    with _no_cyclic_gc():
        _stage_all(cursor, raw_orders, result, batch_size, progress)


def _stage_all(
    cursor: Any,
    raw_orders: Iterable[RawOrder],
    result: ImportResult,
    batch_size: int,
    progress: Progress | None,
) -> None:
    validator = OrderValidator()
    validate = validator.validate
    ids = staging.NewIds.start()
    batch = staging.StagedBatch(ids)
    characters = 0
    for raw in raw_orders:
        result.read += 1
        characters += raw.size
        try:
            order = validate(raw.data)
        except InvalidOrder as error:
            result.problems.extend(
                Problem(raw.file, raw.line, _source_id_of(raw.data), reason)
                for reason in error.reasons
            )
            continue
        batch.add(result.read, raw.file, raw.line, order)
        if len(batch) >= batch_size:
            stage_batch(cursor, batch)
            batch = staging.StagedBatch(ids)
            if progress:
                progress(result.read, characters)
    if len(batch):
        stage_batch(cursor, batch)
    if progress:
        progress(result.read, characters)


def stage_batch(cursor: object, batch: staging.StagedBatch) -> None:
    """COPY one batch into the staging tables; a module-level seam tests interrupt."""
    staging.copy_batch(cursor, batch)
