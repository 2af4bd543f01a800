"""Export jobs run by a real Celery worker on Redis against the test database."""

import csv
import io
import os
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone

from exports import services
from exports.csv_format import STANDARD_FIELDS
from exports.models import Export, Notification, export_upload_to
from exports.services import fail_export, reap_stuck_exports, run_export, schedule_export
from orders.filters import OrderFilter
from orders.models import Order, OrderStatus
from orders.reference_filters import list_filters
from tests.factories import MarketingUserFactory, make_order

pytestmark = pytest.mark.django_db(transaction=True)


def read_csv(export: Export) -> list[list[str]]:
    with export.file.open("rb") as handle:
        return list(csv.reader(io.StringIO(handle.read().decode("utf-8"), newline="")))


def test_the_file_holds_exactly_the_lists_rows_for_the_same_filters(export_worker, wait_for_export):
    # Given paid and unpaid orders, some with metadata, and a list query that picks some
    user = MarketingUserFactory(username="ann")
    for index in range(12):
        make_order(
            amount=1000 + index,
            status=OrderStatus.PAID if index % 3 else OrderStatus.CREATED,
            metadata={"channel": "web" if index % 2 else "store", "n": index},
        )
    query = QueryDict("status=PAID&amount_min=10.03&sort=-updated_at", mutable=True)
    listed = list(OrderFilter(query, queryset=Order.objects.all()).qs.values_list("id", flat=True))

    # When Ann exports them with all standard fields and a metadata field
    fields = ["metadata.channel", *STANDARD_FIELDS]
    filters = list_filters(query)
    export = schedule_export(
        user, Export.Channel.WEBSITE, fields=fields, filters=filters, order="-updated_at"
    )
    export = wait_for_export(export)

    # Then the file has the chosen header in the chosen order and the list's rows, in order
    assert export.status == Export.Status.DONE, export.error
    header, *rows = read_csv(export)
    assert header == fields
    assert [row[1] for row in rows] == listed
    assert export.rows_total == export.rows_done == len(listed) > 0
    first = Order.objects.get(pk=rows[0][1])
    cells = dict(zip(header, rows[0], strict=True))
    assert cells["metadata.channel"] == first.metadata["channel"]
    assert cells["amount"] == str(first.amount)
    assert cells["created_at"].endswith("Z") and len(cells["created_at"]) == 24
    assert cells["customer_id"] == ""
    # And Ann is told, with a link to download it
    notification = Notification.objects.get(user=user, export=export)
    assert notification.kind == Notification.Kind.EXPORT_READY
    assert notification.title == f"Export {export.pk} is ready: {len(listed)} orders"
    assert notification.read_at is None


def test_defaults_and_an_empty_result_give_a_header_only_file(export_worker, wait_for_export):
    # Given no order matches
    make_order(amount=100, status=OrderStatus.CREATED)

    # When an API export (no user) with no fields runs
    export = schedule_export(None, Export.Channel.API, filters={"status": ["CANCELED"]})
    export = wait_for_export(export)

    # Then the file is the default header alone
    assert export.status == Export.Status.DONE
    assert read_csv(export) == [["id", "source_id", "status"]]
    assert export.rows_total == 0


def test_reference_json_filters_select_the_same_orders(export_worker, wait_for_export):
    make_order(amount=100_000)
    big = make_order(amount=250_000)
    filters = {"amount": {"conditions": {"$more_than": 100_000}}}

    export = wait_for_export(schedule_export(None, Export.Channel.API, filters=filters))

    assert [row[0] for row in read_csv(export)[1:]] == [big.pk]


def test_a_job_that_cannot_run_ends_in_error_with_a_notification(export_worker, wait_for_export):
    # Given an export whose stored parameters no longer make sense (a field since removed)
    user = MarketingUserFactory(username="ann")
    export = Export.objects.create(
        user=user, parameters={"fields": ["id", "coupon_code"], "order": "-created_at"}
    )

    # When the worker runs it
    from exports.tasks import export_orders

    export_orders.delay(export.pk)
    export = wait_for_export(export)

    # Then it failed with a reason a person can read, and the user is told
    assert export.status == Export.Status.ERROR
    assert export.error == "Unknown fields: coupon_code."
    assert not export.file
    notification = Notification.objects.get(user=user, export=export)
    assert notification.kind == Notification.Kind.EXPORT_FAILED
    assert notification.title == f"Export {export.pk} failed: Unknown fields: coupon_code."


def test_a_rerun_rewrites_the_same_file_and_row_count(export_media):
    # Given a finished export
    make_order(amount=100)
    export = schedule_export(None, Export.Channel.API)
    run_export(export.pk)
    export.refresh_from_db()
    first_name, first_rows = export.file.name, export.rows_done

    # When its task is delivered again (acks_late) as if the worker had died before acking
    # (IN_PROGRESS, its heartbeat long stopped)
    stale = timezone.now() - timedelta(hours=1)
    Export.objects.filter(pk=export.pk).update(status=Export.Status.IN_PROGRESS, heartbeat_at=stale)
    run_export(export.pk)

    # Then the same file was rewritten, not a second one added
    export.refresh_from_db()
    assert (export.status, export.file.name, export.rows_done) == ("DONE", first_name, first_rows)
    assert sorted(p.name for p in (export_media / first_name).parent.iterdir()) == [
        f"{export.pk}.csv"
    ]


def test_the_reaper_retries_a_stuck_export_and_it_finishes(export_worker, wait_for_export):
    # Given an export whose worker died mid-way (IN_PROGRESS, no heartbeat for long)
    make_order(amount=100)
    stale = timezone.now() - timedelta(hours=1)
    export = Export.objects.create(
        parameters={"fields": ["id"], "order": "-created_at"},
        status=Export.Status.IN_PROGRESS,
        attempts=1,
        started_at=stale,
        heartbeat_at=stale,
    )

    # When the reaper runs
    assert reap_stuck_exports() == {"resent": 0, "retried": 1, "failed": 0}

    # Then the export is run again to the end
    export = wait_for_export(export)
    assert (export.status, export.rows_done, export.attempts) == ("DONE", 1, 2)


def test_the_reaper_fails_an_export_stuck_too_many_times(settings):
    user = MarketingUserFactory(username="ann")
    stale = datetime(2026, 1, 1, tzinfo=UTC)
    export = Export.objects.create(
        user=user,
        status=Export.Status.IN_PROGRESS,
        attempts=settings.JOB_MAX_ATTEMPTS,
        heartbeat_at=stale,
    )
    fresh = Export.objects.create(status=Export.Status.IN_PROGRESS, heartbeat_at=timezone.now())

    assert reap_stuck_exports() == {"resent": 0, "retried": 0, "failed": 1}

    export.refresh_from_db()
    assert export.status == Export.Status.ERROR
    assert "stopped responding" in export.error
    assert Notification.objects.get(export=export).kind == Notification.Kind.EXPORT_FAILED
    fresh.refresh_from_db()
    assert fresh.status == Export.Status.IN_PROGRESS


def test_the_rows_are_counted_while_the_file_is_written_and_the_file_is_moved_in(
    export_media, monkeypatch
):
    # Given three orders, a count that takes half a second, and a file writer that notes the
    # total when it starts, then waits until the export shows one
    for _ in range(3):
        make_order(amount=100)
    export = schedule_export(None, Export.Channel.API)
    count = QuerySet.count

    def slow_count(queryset):
        time.sleep(0.5)
        return count(queryset)

    monkeypatch.setattr(QuerySet, "count", slow_count)
    write = services.write_orders_csv
    seen: list[int | None] = []
    written: list[int] = []

    def write_once_counted(queryset, fields, out, progress):
        seen.append(Export.objects.get(pk=export.pk).rows_total)
        deadline = time.monotonic() + 10
        while (total := Export.objects.get(pk=export.pk).rows_total) is None:
            assert time.monotonic() < deadline, "no total while the file was being written"
            time.sleep(0.02)
        seen.append(total)
        written.append(os.fstat(out.fileno()).st_ino)
        return write(queryset, fields, out, progress)

    monkeypatch.setattr(services, "write_orders_csv", write_once_counted)

    # When it runs
    run_export(export.pk)

    # Then the writing did not wait for the count, the total came while it wrote (a user
    # watching saw "0 of 3"), and the file written is the one saved (moved, not copied)
    export.refresh_from_db()
    assert seen == [None, 3]
    assert (export.status, export.rows_total, export.rows_done) == ("DONE", 3, 3)
    assert written == [os.stat(export.file.path).st_ino]


def test_a_storage_without_local_paths_gets_the_finished_file(settings):
    # Given a storage that keeps files elsewhere (no ``path()``, as S3's)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    make_order(amount=100, source_id="=1+2")
    export = schedule_export(None, Export.Channel.API, fields=["source_id", "amount"])

    # When it runs
    run_export(export.pk)

    # Then the file is saved through the storage, with the same cells
    export.refresh_from_db()
    assert export.status == Export.Status.DONE
    assert read_csv(export) == [["source_id", "amount"], ["'=1+2", "100"]]


def test_a_half_written_file_is_replaced_by_the_retry_and_removed_on_failure(export_media):
    # Given an export whose killed worker left its file half-written beside where it goes
    make_order(amount=100)
    export = schedule_export(None, Export.Channel.API)
    partial = export_media / f"{export_upload_to(export, '')}.partial"
    partial.parent.mkdir(parents=True)
    partial.write_bytes(b"id,source_id,status\nord_half")

    # When it runs again, then only the finished file is there
    run_export(export.pk)
    export.refresh_from_db()
    assert export.status == Export.Status.DONE
    assert sorted(p.name for p in partial.parent.iterdir()) == [f"{export.pk}.csv"]

    # And when another export, killed the same way, is given up, its leftover goes too
    given_up = schedule_export(None, Export.Channel.API)
    leftover = export_media / f"{export_upload_to(given_up, '')}.partial"
    leftover.write_bytes(b"id")
    fail_export(given_up, "The export stopped responding and was given up. Export again.")
    assert not leftover.exists()
