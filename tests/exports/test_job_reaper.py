"""The one reaper of both kinds of job: lost messages are sent again, a dead worker's job
is retried within about a minute, and a job that keeps dying is failed with a reason."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from kombu.exceptions import OperationalError

from core.jobs import heartbeat
from core.tasks import reap_stuck_jobs
from exports import services
from exports.models import Export, Notification
from exports.services import reap_stuck_exports, run_export
from exports.tasks import export_orders
from imports.models import AsyncAction
from imports.services import reap_stuck_actions
from imports.tasks import import_orders
from tests.factories import MarketingUserFactory, make_order

pytestmark = pytest.mark.django_db


def ago(seconds: float):
    return timezone.now() - timedelta(seconds=seconds)


@pytest.fixture
def sent(monkeypatch) -> list[tuple[str, tuple]]:
    """The messages sent to the broker, recorded instead of sent."""
    messages: list[tuple[str, tuple]] = []
    for task in (export_orders, import_orders):
        monkeypatch.setattr(
            task,
            "apply_async",
            lambda args=None, kwargs=None, _name=task.name, **options: messages.append(
                (_name, tuple(args))
            ),
        )
    return messages


def test_an_export_whose_message_never_arrived_is_sent_again(sent):
    # Given an export scheduled 90 s ago that no worker picked up, and one just scheduled
    lost = Export.objects.create(heartbeat_at=ago(90), error="Waiting for the job queue")
    legacy = Export.objects.create()  # no heartbeat: scheduled before heartbeats existed
    Export.objects.filter(pk=legacy.pk).update(created_at=ago(600))
    Export.objects.create(heartbeat_at=ago(5))

    # When the reaper runs
    counts = reap_stuck_exports()

    # Then the two lost ones are sent again, still SCHEDULED, their wait noted as over
    assert counts == {"resent": 2, "retried": 0, "failed": 0}
    assert sorted(sent) == sorted(
        [("exports.tasks.export_orders", (lost.pk,)), ("exports.tasks.export_orders", (legacy.pk,))]
    )
    lost.refresh_from_db()
    assert lost.status == Export.Status.SCHEDULED and lost.error == ""
    assert lost.heartbeat_at > ago(5)
    # And a second round right after sends nothing more
    assert reap_stuck_exports() == {"resent": 0, "retried": 0, "failed": 0}


def test_a_broker_still_down_leaves_the_export_for_the_next_round(monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("Connection refused")

    monkeypatch.setattr(export_orders, "apply_async", refuse)
    export = Export.objects.create(heartbeat_at=ago(90))

    assert reap_stuck_exports() == {"resent": 0, "retried": 0, "failed": 0}

    export.refresh_from_db()
    assert export.status == Export.Status.SCHEDULED
    assert "could not be reached" in export.error


def test_a_dead_workers_export_is_retried_within_about_a_minute(sent, settings):
    # Given an export whose worker stopped beating 75 s ago (killed with -9)
    assert settings.JOB_STUCK_AFTER_SECONDS <= 60 and settings.JOB_HEARTBEAT_SECONDS <= 15
    dead = Export.objects.create(status=Export.Status.IN_PROGRESS, attempts=1, heartbeat_at=ago(75))
    alive = Export.objects.create(status=Export.Status.IN_PROGRESS, heartbeat_at=ago(5))

    assert reap_stuck_exports() == {"resent": 0, "retried": 1, "failed": 0}

    assert sent == [("exports.tasks.export_orders", (dead.pk,))]
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert dead.status == Export.Status.SCHEDULED
    assert alive.status == Export.Status.IN_PROGRESS


def test_a_second_message_for_a_running_export_does_not_run_it_twice(export_media):
    # Given an export another worker is running (its heartbeat is fresh)
    make_order(amount=100)
    export = Export.objects.create(
        status=Export.Status.IN_PROGRESS, attempts=1, heartbeat_at=ago(2)
    )

    # When a duplicate message reaches this worker
    run_export(export.pk)

    # Then it leaves the export to the worker running it
    export.refresh_from_db()
    assert (export.status, export.attempts, export.file.name) == ("IN_PROGRESS", 1, "")


def test_lost_and_dead_imports_are_sent_again_retried_or_failed(sent, settings):
    lost = AsyncAction.objects.create(type="ORDERS.IMPORT", heartbeat_at=ago(90), payload=[{}])
    dead = AsyncAction.objects.create(
        type="ORDERS.IMPORT", status="IN_PROGRESS", attempts=1, heartbeat_at=ago(90)
    )
    given_up = AsyncAction.objects.create(
        type="ORDERS.IMPORT",
        status="IN_PROGRESS",
        attempts=settings.JOB_MAX_ATTEMPTS,
        heartbeat_at=ago(90),
        payload=[{"amount": 1}, {"amount": 2}],
    )
    running = AsyncAction.objects.create(
        type="ORDERS.IMPORT", status="IN_PROGRESS", attempts=1, heartbeat_at=ago(3)
    )

    assert reap_stuck_actions() == {"resent": 1, "retried": 1, "failed": 1}

    assert sorted(sent) == sorted(
        [
            ("async_actions.tasks.import_orders", (lost.pk,)),
            ("async_actions.tasks.import_orders", (dead.pk,)),
        ]
    )
    statuses = {a.pk: a for a in AsyncAction.objects.all()}
    assert statuses[lost.pk].status == statuses[dead.pk].status == "ENQUEUED"
    assert statuses[running.pk].status == "IN_PROGRESS"
    failed = statuses[given_up.pk]
    assert failed.status == "FAILED" and failed.finished_at is not None
    assert failed.result["message"].startswith("The import stopped responding")
    assert failed.result["failed_count"] == 2


def test_a_duplicate_import_message_for_a_running_action_does_nothing(monkeypatch):
    calls = []
    monkeypatch.setattr("imports.loading.import_payloads", lambda *a, **k: calls.append(1))
    running = AsyncAction.objects.create(
        type="ORDERS.IMPORT", status="IN_PROGRESS", attempts=1, heartbeat_at=ago(3)
    )

    import_orders.apply(args=[running.pk])

    running.refresh_from_db()
    assert calls == [] and running.attempts == 1 and running.status == "IN_PROGRESS"


def test_one_periodic_task_reaps_both_kinds_every_half_minute(sent, settings):
    from config.celery import app

    Export.objects.create(heartbeat_at=ago(90))
    AsyncAction.objects.create(type="ORDERS.IMPORT", heartbeat_at=ago(90))

    assert reap_stuck_jobs() == {
        "exports": {"resent": 1, "retried": 0, "failed": 0},
        "imports": {"resent": 1, "retried": 0, "failed": 0},
    }
    entry = settings.CELERY_BEAT_SCHEDULE["reap-stuck-jobs"]
    assert entry["task"] == "core.tasks.reap_stuck_jobs" in app.tasks
    assert entry["schedule"].total_seconds() <= 30


@pytest.mark.django_db(transaction=True)
def test_a_running_job_beats_while_it_works(settings):
    # Given a running export whose last heartbeat is old
    settings.JOB_HEARTBEAT_SECONDS = 0.05
    export = Export.objects.create(status=Export.Status.IN_PROGRESS, heartbeat_at=ago(600))

    # While its work goes on (one long step, no progress reported)
    with heartbeat(Export, export.pk):
        time.sleep(0.5)

    # Then its heartbeat is fresh, written by the worker's heartbeat thread
    export.refresh_from_db()
    assert export.heartbeat_at > ago(2)
    assert not [t for t in threading.enumerate() if t.name == f"heartbeat-{export.pk}"]


def _seen_from_another_connection(export_id: str) -> tuple[str, str]:
    """What a poll (another web process) reads at this moment."""
    seen: list[tuple[str, str]] = []

    def poll() -> None:
        try:
            status = Export.objects.get(pk=export_id).status
            kinds = Notification.objects.filter(export_id=export_id).values_list("kind", flat=True)
            seen.append((status, ",".join(kinds)))
        finally:
            connection.close()

    thread = threading.Thread(target=poll)
    thread.start()
    thread.join()
    return seen[0]


@pytest.mark.django_db(transaction=True)
def test_done_and_ready_are_seen_together(export_media, monkeypatch):
    # Given an export of Ann's about to finish
    make_order(amount=100)
    user = MarketingUserFactory(username="ann")
    export = Export.objects.create(user=user, parameters={"fields": ["id"], "order": "-created_at"})
    polls: list[tuple[str, str]] = []
    notify = services._notify

    def notify_and_poll(job, kind, *args, **kwargs):
        if kind in (Notification.Kind.EXPORT_READY, Notification.Kind.EXPORT_FAILED):
            polls.append(_seen_from_another_connection(job.pk))  # between the two writes
        notify(job, kind, *args, **kwargs)

    monkeypatch.setattr(services, "_notify", notify_and_poll)

    # When it finishes
    run_export(export.pk)

    # Then a poll between marking it DONE and saying "ready" still saw it running with its
    # "in progress" notification: never DONE with "in progress"
    assert polls == [("IN_PROGRESS", Notification.Kind.EXPORT_STARTED)]
    assert _seen_from_another_connection(export.pk) == ("DONE", Notification.Kind.EXPORT_READY)
