"""Writes of exports: schedule an orders export, run it, reap stuck ones, purge old files.

The ``Export`` row is the source of truth: SCHEDULED → IN_PROGRESS → DONE or ERROR. A worker
writes the CSV to a file of its own (``<name>.partial`` beside where it goes, or a temporary
file for a remote storage) and only at the very end moves or saves it through the default
storage and marks the export DONE, so a worker killed mid-export (``kill -9``) leaves an
export IN_PROGRESS — which the reaper retries or fails — never a DONE one with missing rows.
Finishing (DONE or ERROR) and telling the requester are one transaction: a poll never sees a
DONE export whose notification still says "in progress".

The job's message is sent once the row is committed; when the broker can't be reached the
export stays SCHEDULED, ``QueueUnavailable`` tells the caller, and the reaper sends it again.
"""

import logging
import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, timedelta
from typing import IO, Any
from zoneinfo import ZoneInfo

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connections, transaction
from django.db.models import QuerySet
from django.utils import timezone

from core.jobs import QueueUnavailable, finish, reap_stuck, run_job, send_job
from orders.filters import OrderFilter
from orders.models import Order
from orders.reference_filters import filters_query
from orders.selectors import orders_visible_to

from .csv_format import DEFAULT_FIELDS, is_valid_field
from .csv_writer import write_orders_csv
from .models import Export, Notification, export_upload_to

logger = logging.getLogger(__name__)

EXPORT_ORDERS = ("-created_at", "created_at", "-updated_at", "updated_at", "-status", "status")
DEFAULT_ORDER = "-created_at"


def clean_parameters(
    fields: list[str] | None,
    filters: dict[str, Any] | None,
    order: str | None,
    time_zone: str | None = None,
) -> dict[str, Any]:
    """Checked export parameters ``{fields, filters, order}``; defaults as the reference says.

    ``time_zone`` is the zone the filters' dates were picked in (the dashboard user's), kept
    so the file holds the rows the list showed; without it dates are UTC days, as the API's
    are. The file's timestamps are UTC either way.

    Raises ``ValidationError`` naming every unknown field, a bad sort or unreadable filters.
    """
    chosen = list(dict.fromkeys(f.strip() for f in (fields or []) if f and f.strip()))
    chosen = chosen or list(DEFAULT_FIELDS)
    unknown = [field for field in chosen if not is_valid_field(field)]
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(unknown)}.", code="unknown_fields")
    order = order or DEFAULT_ORDER
    if order not in EXPORT_ORDERS:
        raise ValidationError(
            f"Sort by one of {', '.join(EXPORT_ORDERS)} (actual value is '{order}').",
            code="invalid_order",
        )
    parameters = {"fields": chosen, "order": order, "filters": filters or {}}
    if time_zone and time_zone != "UTC":
        parameters["time_zone"] = time_zone
    _filterset(parameters, Order.objects.none())  # raises on filters the list cannot read
    return parameters


def _filterset(parameters: dict[str, Any], queryset: QuerySet[Order]) -> OrderFilter:
    """The list's ``OrderFilter`` for stored parameters; unreadable filters raise."""
    zone = ZoneInfo(parameters["time_zone"]) if parameters.get("time_zone") else UTC
    filterset = OrderFilter(
        filters_query(parameters.get("filters"), parameters["order"]),
        queryset=queryset,
        zone=zone,
        hint_empty_ranges=False,
    )
    if not filterset.form.is_valid():
        problems = [f"{name}: {' '.join(errors)}" for name, errors in filterset.form.errors.items()]  # type: ignore[arg-type]  # an ErrorList yields its messages
        raise ValidationError(f"The filters could not be read ({'; '.join(problems)}).")
    return filterset


def export_queryset(export: Export) -> QuerySet[Order]:
    """The orders an export writes, in its order: the list's FilterSet over what the
    requester may see (an API export, with no user, sees every order)."""
    visible = orders_visible_to(export.user) if export.user_id else Order.objects.all()  # type: ignore[arg-type]  # user_id is set
    return _filterset(export.parameters, visible).qs


def schedule_export(
    user: User | None,
    channel: str,
    *,
    fields: list[str] | None = None,
    filters: dict[str, Any] | None = None,
    order: str | None = None,
    time_zone: str | None = None,
) -> Export:
    """Record a SCHEDULED orders export and enqueue its job once the row is committed.

    Raises ``QueueUnavailable`` when the broker can't be reached: the export is saved and
    still SCHEDULED, and the reaper sends it when the broker is back. Inside a caller's
    transaction the error comes out of that transaction's commit (after the row is saved).
    """
    parameters = clean_parameters(fields, filters, order, time_zone)
    export = Export.objects.create(
        user=user, channel=channel, parameters=parameters, heartbeat_at=timezone.now()
    )
    transaction.on_commit(lambda: send_export(export.pk))
    return export


def send_export(export_id: str) -> None:
    """Send the export's job to a worker; ``QueueUnavailable`` when the broker is down."""
    try:
        send_job(Export, export_id, "export")
    except QueueUnavailable:
        Export.objects.filter(pk=export_id, status=Export.Status.SCHEDULED).update(
            error="Waiting for the job queue, which could not be reached; retried by itself."
        )
        raise


def _notify(export: Export, kind: str, title: str, link: str = "") -> None:
    """The export's one notification, created or brought back up as unread."""
    if export.user_id is None:
        return  # API exports have nobody to tell
    Notification.objects.update_or_create(
        user_id=export.user_id,
        export=export,
        defaults={"kind": kind, "title": title, "link": link, "read_at": None},
    )
    Notification.objects.filter(export=export).update(created_at=timezone.now())


def run_export(export_id: str) -> None:
    """Write the export's CSV and mark it DONE, or ERROR with a message a user understands.

    Idempotent: running it again rewrites the same file and row count. Claiming, attempts and
    the heartbeat are ``core.jobs.run_job``'s.
    """
    run_job(
        Export,
        export_id,
        _run,
        too_many_attempts=lambda export: fail_export(
            export, "The export was started too many times without finishing."
        ),
        related=("user",),
        rows_done=0,
        error="",
    )


def _run(export: Export) -> None:
    _notify(export, Notification.Kind.EXPORT_STARTED, f"Export {export.pk} is in progress")
    _write_and_finish(export)


def _write_and_finish(export: Export) -> None:
    try:
        # Checked again: the schema or the filters' rules may have changed since scheduling.
        stored = export.parameters
        export.parameters = clean_parameters(
            stored.get("fields"), stored.get("filters"), stored.get("order")
        )
        queryset = export_queryset(export)
        with _counting(export, queryset) as total:

            def progress(rows: int) -> None:
                done = min(rows, total[0]) if total else rows
                Export.objects.filter(pk=export.pk, status=Export.Status.IN_PROGRESS).update(
                    rows_done=done, heartbeat_at=timezone.now()
                )

            name, rows = _write_file(
                export,
                lambda out: write_orders_csv(queryset, export.parameters["fields"], out, progress),
            )
    except SoftTimeLimitExceeded:
        fail_export(export, "The export took too long and was stopped. Try fewer orders.")
        return
    except ValidationError as error:
        fail_export(export, " ".join(error.messages))
        return
    except Exception:
        logger.exception("export %s failed", export.pk)
        fail_export(export, "The file could not be written because of an internal error.")
        return
    with transaction.atomic():  # DONE and "ready" are seen together, or neither
        finished = finish(
            Export,
            export.pk,
            Export.Status.DONE,
            if_running=True,
            file=name,
            rows_total=rows,
            rows_done=rows,
        )
        if finished:
            orders = f"{rows:,} order{'' if rows == 1 else 's'}"
            _notify(
                export,
                Notification.Kind.EXPORT_READY,
                f"Export {export.pk} is ready: {orders}",
                export.get_download_url(),
            )


@contextmanager
def _counting(export: Export, queryset: QuerySet[Order]) -> Iterator[list[int]]:
    """Count the export's rows into ``rows_total`` while the block writes them.

    The total is only for the progress a user watches ("120,000 of 1,000,000 rows"); the
    file's own count comes from its COPY. Counting first would keep the COPY waiting (a
    quarter of a second at a million orders), so a thread counts on a connection of its own
    while the COPY runs on another. The block gets a list that holds the total once known.
    """
    total: list[int] = []

    def count() -> None:
        try:
            total.append(queryset.count())
            Export.objects.filter(pk=export.pk, status=Export.Status.IN_PROGRESS).update(
                rows_total=total[0]
            )
        except Exception:
            logger.warning("export %s: the rows could not be counted", export.pk, exc_info=True)
        finally:
            connections[queryset.db].close()  # this thread's own connection

    queryset = queryset.all()  # a copy of its own for the thread
    thread = threading.Thread(target=count, name=f"count-{export.pk}", daemon=True)
    thread.start()
    try:
        yield total
    finally:
        thread.join()  # before the export is finished: its total must not land after


def _write_file(export: Export, write: Callable[[IO[bytes]], int]) -> tuple[str, int]:
    """Write the export's CSV with ``write`` and save it under the export's one name,
    replacing an earlier run's file; the name and the rows ``write`` wrote.

    On the local disk (``FileSystemStorage``) the file is written next to where it goes, as
    ``<name>.partial``, and moved into place: a rename, as Django does with large uploads,
    not a second copy of a file of a hundred megabytes. A worker killed mid-way leaves that
    ``.partial`` for the retry to overwrite (or ``fail_export`` to delete), never a file under
    the export's name. Other storages (S3, …) are sent a finished temporary file.
    """
    name = export_upload_to(export, "")
    partial = _partial_name(export)
    if partial is None:
        with tempfile.TemporaryFile(suffix=".csv") as temporary:
            rows = write(temporary)
            temporary.seek(0)
            return _save_file(name, File(temporary, name=name)), rows
    # Saved through the storage first (empty), so its folders get the storage's permissions.
    default_storage.delete(partial)
    path = default_storage.path(default_storage.save(partial, ContentFile(b"")))
    try:
        with open(path, "wb") as out:
            rows = write(out)
        with _FinishedFile(open(path, "rb")) as content:
            return _save_file(name, content), rows
    finally:
        with suppress(FileNotFoundError):
            os.remove(path)  # moved into place already, unless something failed


def _partial_name(export: Export) -> str | None:
    """Where the file is written before it is moved into place; ``None`` unless the storage
    keeps files on this machine's disk (``FileSystemStorage`` and its subclasses)."""
    if not isinstance(default_storage, FileSystemStorage):
        return None
    return f"{export_upload_to(export, '')}.partial"


class _FinishedFile(File):
    """A finished file on the storage's own disk: ``FileSystemStorage.save`` moves a file
    with a ``temporary_file_path`` instead of copying it."""

    def temporary_file_path(self) -> str:
        assert self.file is not None  # made from an open file (_write_file)
        return self.file.name


def _save_file(name: str, content: File) -> str:
    """Save the finished CSV as ``name``, replacing an earlier run's file."""
    if default_storage.exists(name):
        default_storage.delete(name)
    return default_storage.save(name, content)


def fail_export(export: Export, message: str) -> None:
    """Mark the export ERROR with ``message`` and tell its requester (one transaction)."""
    with transaction.atomic():
        finish(Export, export.pk, Export.Status.ERROR, error=message)
        _notify(export, Notification.Kind.EXPORT_FAILED, f"Export {export.pk} failed: {message}")
    if partial := _partial_name(export):
        default_storage.delete(partial)  # what a killed worker left half-written


def reap_stuck_exports() -> dict[str, int]:
    """Send again, retry or fail the exports that show no sign of life for
    ``JOB_STUCK_AFTER_SECONDS`` (``core.jobs.reap_stuck``): a SCHEDULED export whose message
    never reached a worker is sent again, an IN_PROGRESS one whose worker died is run again,
    or past ``JOB_MAX_ATTEMPTS`` runs failed with a message. Returns the counts."""
    return reap_stuck(
        Export,
        send=_send_again,
        give_up=lambda export: fail_export(
            export, "The export stopped responding and was given up. Export again."
        ),
    )


def _send_again(export_id: str) -> None:
    send_export(export_id)
    # The note a failed send left (``schedule_export``) no longer holds.
    Export.objects.filter(pk=export_id, status=Export.Status.SCHEDULED).update(error="")


def purge_old_exports() -> int:
    """Delete files of exports finished more than ``EXPORT_RETENTION_DAYS`` ago and mark the
    exports expired (the rows stay for the audit log). Returns how many were purged."""
    cutoff = timezone.now() - timedelta(days=settings.EXPORT_RETENTION_DAYS)
    purged = 0
    for export in Export.objects.filter(finished_at__lt=cutoff, expired_at__isnull=True):
        if export.file:
            export.file.delete(save=False)
        Export.objects.filter(pk=export.pk).update(file="", expired_at=timezone.now())
        purged += 1
    return purged


def delete_export(export: Export) -> None:
    """Delete the export and, once that is committed, its file."""
    name = export.file.name if export.file else ""
    export.delete()
    if name:
        # After the commit: a rolled-back delete must not lose the file of a live export.
        transaction.on_commit(lambda: default_storage.delete(name))


def mark_read(notifications: QuerySet[Notification]) -> int:
    """Mark the given notifications read (the unread ones among them)."""
    return notifications.filter(read_at__isnull=True).update(read_at=timezone.now())
