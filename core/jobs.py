"""The one life cycle of every background job (``core.models.Job``: an export, an import):
send its message, claim it in a worker, count its attempts, beat while it runs, finish it,
and reap the ones that lost their message or their worker.

A job's app says only what its work is and what a failure tells its user
(``exports.services``, ``imports.services``); the states and their rules live here.

A job row is the source of truth; a Celery message only says "look at row N". So a message
that never reached the broker, or a worker killed with ``-9``, loses nothing: the row says
SCHEDULED / ENQUEUED or IN_PROGRESS with an old ``heartbeat_at``, and the reaper (every
``JOB_REAP_EVERY_SECONDS``) sends the message again or retries the job.
"""

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from kombu.exceptions import KombuError

from .models import Job

logger = logging.getLogger(__name__)

# What a publish raises when the broker is down, refuses the connection or does not answer:
# kombu wraps the transport's errors in ``OperationalError`` (a ``KombuError``); a socket
# timeout or refused connection can also come through bare.
BROKER_ERRORS: tuple[type[BaseException], ...] = (KombuError, OSError, TimeoutError)


class QueueUnavailable(Exception):
    """The job is saved but its message could not be sent: the broker is unreachable.

    Nothing is lost: the reaper sends it again once the broker is back. Callers turn this
    into a message for the user (the page) or a 503 (the API).
    """

    def __init__(self, kind: str, job_id: str) -> None:
        self.kind = kind
        self.job_id = job_id
        super().__init__(
            f"The {kind} {job_id} is saved, but the job queue can't be reached right now; "
            "it will start by itself when the queue is back."
        )


# Each app with jobs registers the task that runs its job model when it is ready (its
# ``AppConfig.ready``): ``send_job`` finds it here, so an app's services never import its
# tasks (which import the services), and core imports no app above it.
TASKS: dict[type[Job], Any] = {}


def register_task(model: type[Job], task: Any) -> None:
    """Make ``task`` (a Celery task taking the job's id) the one ``send_job`` sends for
    jobs of ``model``."""
    TASKS[model] = task


def send_job(model: type[Job], job_id: str, kind: str) -> None:
    """Send the registered task of ``model`` (``register_task``) for the job ``job_id`` to
    the broker, failing within seconds when it is unreachable.

    Raises ``QueueUnavailable`` (after logging the broker's error) instead of the transport's
    own exceptions, so a caller can answer something better than a 500.
    """
    try:
        task = TASKS[model]
    except KeyError:
        raise LookupError(
            f"No task is registered for {model.__name__} jobs: its app's AppConfig.ready() "
            "must call core.jobs.register_task."
        ) from None
    try:
        task.apply_async((job_id,))
    except BROKER_ERRORS as error:
        logger.warning("could not send the %s %s to the broker: %r", kind, job_id, error)
        raise QueueUnavailable(kind, job_id) from error


def max_attempts() -> int:
    """How many runs a job gets before it is failed (``JOB_MAX_ATTEMPTS``; the environment's
    older ``EXPORT_MAX_ATTEMPTS`` is read when it is not set, see ``config.settings``)."""
    return settings.JOB_MAX_ATTEMPTS


def stuck_before() -> datetime:
    """A job with no sign of life (``heartbeat_at``) since this moment has lost its worker or
    its message."""
    return timezone.now() - timedelta(seconds=settings.JOB_STUCK_AFTER_SECONDS)


def _rows(model: type[Job]) -> QuerySet[Any]:
    """The job model's rows, typed loosely: ``status`` is each subclass's own field (``Job``)."""
    return model._default_manager.all()


def _stamped(model: type[Job], now: datetime, **values: Any) -> dict[str, Any]:
    """``values`` for an ``update()``, with ``updated_at`` too on a model that keeps one
    (``update()`` skips ``auto_now``)."""
    if any(field.name == "updated_at" for field in model._meta.concrete_fields):
        values["updated_at"] = now
    return values


def claim[J: Job](
    model: type[J], job_id: str, *, related: tuple[str, ...] = (), **reset: Any
) -> J | None:
    """Mark the job RUNNING for this run and count the attempt; ``None`` when there is
    nothing to do. ``reset`` are the job's own fields a new run starts from (progress, a
    previous run's error).

    A re-delivered message (``acks_late``, its worker died) finds the job RUNNING with an
    old heartbeat and runs it again. A second message for a job another worker is running
    (fresh heartbeat: the reaper re-sent a message that was only slow) and a finished job
    are left alone, so one job never runs twice at once.
    """
    now = timezone.now()
    claimable = Q(status=model.WAITING) | Q(status=model.RUNNING, heartbeat_at__lt=stuck_before())
    claimed = model._default_manager.filter(claimable, pk=job_id).update(
        **_stamped(
            model,
            now,
            status=model.RUNNING,
            started_at=now,
            heartbeat_at=now,
            attempts=F("attempts") + 1,
            **reset,
        )
    )
    if not claimed:
        return None
    jobs = model._default_manager.all()
    return (jobs.select_related(*related) if related else jobs).get(pk=job_id)


def finish(
    model: type[Job], job_id: str, status: str, *, if_running: bool = False, **values: Any
) -> bool:
    """Set the job's final ``status`` and ``values`` (its file, result or error) in one
    statement, so a poll never sees the status without them. With ``if_running``, only a
    job still RUNNING is finished (one a reaper has failed meanwhile stays failed).
    Whether the row was finished."""
    now = timezone.now()
    jobs = _rows(model).filter(pk=job_id)
    if if_running:
        jobs = jobs.filter(status=model.RUNNING)
    return bool(
        jobs.update(
            **_stamped(model, now, status=status, finished_at=now, heartbeat_at=now, **values)
        )
    )


def run_job[J: Job](
    model: type[J],
    job_id: str,
    work: Callable[[J], None],
    *,
    too_many_attempts: Callable[[J], None],
    related: tuple[str, ...] = (),
    **reset: Any,
) -> None:
    """A worker's run of a job: claim it, fail it with ``too_many_attempts`` once it has been
    started more than ``max_attempts()`` times, else do its ``work`` while it beats."""
    job = claim(model, job_id, related=related, **reset)
    if job is None:
        logger.info("%s %s: nothing to do", model.__name__, job_id)
        return
    if job.attempts > max_attempts():
        too_many_attempts(job)
        return
    with heartbeat(model, job.pk):
        work(job)


# Each app with jobs registers its reaper when it is ready (its ``AppConfig.ready``), and
# ``core.tasks.reap_stuck_jobs`` runs them all: core imports no app above it.
REAPERS: dict[str, Callable[[], dict[str, int]]] = {}


def register_reaper(name: str, reaper: Callable[[], dict[str, int]]) -> None:
    REAPERS[name] = reaper


def reap_stuck(
    model: type[Job],
    *,
    send: Callable[[str], None],
    give_up: Callable[[Any], None],
) -> dict[str, int]:
    """Send again, retry or fail the jobs of ``model`` with no sign of life since
    ``stuck_before()``; the counts ``{resent, retried, failed}``.

    - ``model.WAITING`` (its message never reached a worker: the broker was down or lost
      it): the message is sent again (``resent``); a broker still down leaves it for the next
      round.
    - ``model.RUNNING`` (its worker died): run again (``retried``), or after
      ``max_attempts()`` runs handed to ``give_up`` (``failed``).
    A job a worker is running has a fresh heartbeat and is never touched.
    """
    waiting, running = model.WAITING, model.RUNNING
    cutoff = stuck_before()
    counts = {"resent": 0, "retried": 0, "failed": 0}

    def resend(job_id: str, status: str) -> bool:
        # Only if it is still as stuck as it was read: a worker that claimed it since wins.
        moved = (
            _rows(model)
            .filter(
                Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True), pk=job_id, status=status
            )
            .update(status=waiting, heartbeat_at=timezone.now())
        )
        if not moved:
            return False
        try:
            send(job_id)
        except QueueUnavailable:
            return False  # waiting again, its heartbeat old after the grace: next round
        return True

    lost = _rows(model).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff),
        status=waiting,
    )
    for job_id in lost.values_list("pk", flat=True):
        counts["resent"] += resend(job_id, waiting)
    for job in _rows(model).filter(status=running, heartbeat_at__lt=cutoff):
        if job.attempts >= max_attempts():
            give_up(job)
            counts["failed"] += 1
        else:
            counts["retried"] += resend(job.pk, running)
    return counts


@contextmanager
def heartbeat(model: type[Job], job_id: str) -> Iterator[None]:
    """While the block runs, write ``heartbeat_at = now()`` on the job every
    ``JOB_HEARTBEAT_SECONDS`` from a thread of its own.

    A thread rather than the job's progress callback: a single slow query (a count over
    millions of rows, a long lock wait) must not make a live job look dead. A worker killed
    with ``-9`` takes the thread with it, so the heartbeat stops exactly when it should.
    """
    stop = threading.Event()

    def beat() -> None:
        jobs = _rows(model).filter(pk=job_id, status=model.RUNNING)
        try:
            while not stop.wait(settings.JOB_HEARTBEAT_SECONDS):
                try:
                    jobs.update(heartbeat_at=timezone.now())
                except Exception:
                    # A database blip must not stop the beating for good (the job would be
                    # taken for dead and run twice): reconnect at the next beat.
                    logger.warning("heartbeat of %s %s missed", model.__name__, job_id)
                    connection.close()
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=beat, name=f"heartbeat-{job_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)
